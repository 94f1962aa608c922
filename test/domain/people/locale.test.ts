import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chosenLocale, localeOf, localesOf, setLocale } from '../../../src/domain/people/locale.js';
import { createTestDb, type TestDb } from '../../helpers/db.js';

let t: TestDb;
const at = new Date('2026-11-20T08:00:00+07:00');

beforeAll(async () => {
  t = await createTestDb();
  await t.db.prisma.person.create({
    data: {
      displayName: 'Trần Văn Nam',
      identities: {
        create: [
          { channel: 'telegram', externalId: '700100' },
          { channel: 'zalo-bot', externalId: 'zb-700100' },
        ],
      },
    },
  });
}, 120_000);
afterAll(async () => {
  await t?.cleanup();
});

describe('the language a user chose', () => {
  it('is none for someone who never chose, linked or not', async () => {
    expect(await localeOf(t.db.prisma, 'telegram', '700100')).toBeUndefined();
    expect(await localeOf(t.db.prisma, 'telegram', 'stranger')).toBeUndefined();
  });

  it("is a citizen's own choice, kept per channel identity", async () => {
    await setLocale(t.db.prisma, 'telegram', 'citizen-1', 'en', at);
    expect(await localeOf(t.db.prisma, 'telegram', 'citizen-1')).toBe('en');
    expect(await localeOf(t.db.prisma, 'zalo-bot', 'citizen-1')).toBeUndefined();
  });

  it("follows a linked person to every identity, and wins over an identity's own", async () => {
    await setLocale(t.db.prisma, 'zalo-bot', 'zb-700100', 'vi', at);
    await setLocale(t.db.prisma, 'telegram', '700100', 'en', at);
    expect(await localeOf(t.db.prisma, 'telegram', '700100')).toBe('en');
    // The Zalo identity's own choice was vi; the person's later choice applies there too.
    expect(await localeOf(t.db.prisma, 'zalo-bot', 'zb-700100')).toBe('en');
  });

  it('ignores values that are not a language we speak', async () => {
    await t.db.prisma.localeChoice.create({
      data: { channel: 'telegram', userId: 'odd', locale: 'fr', updatedAt: at },
    });
    expect(await localeOf(t.db.prisma, 'telegram', 'odd')).toBeUndefined();
  });
});

describe('the language chosen', () => {
  it("is the person's, else the identity's own, and only vi or en", () => {
    expect(chosenLocale('en', 'vi')).toBe('en');
    expect(chosenLocale(null, 'vi')).toBe('vi');
    expect(chosenLocale('fr', 'en')).toBe('en');
    expect(chosenLocale(undefined, 'fr')).toBeUndefined();
    expect(chosenLocale(null, null)).toBeUndefined();
  });

  it('is recorded again with its time when changed', async () => {
    const later = new Date(at.getTime() + 60_000);
    await setLocale(t.db.prisma, 'zalo-oa', 'changer', 'en', at);
    await setLocale(t.db.prisma, 'zalo-oa', 'changer', 'vi', later);
    expect(
      await t.db.prisma.localeChoice.findUniqueOrThrow({
        where: { channel_userId: { channel: 'zalo-oa', userId: 'changer' } },
      }),
    ).toMatchObject({ locale: 'vi', updatedAt: later });
    expect(await localeOf(t.db.prisma, 'zalo-oa', 'changer')).toBe('vi');
  });
});

describe('the languages of the people a message goes to', () => {
  it("are each person's choice, else the one made on the identity written to", async () => {
    const person = async (
      name: string,
      locale: string | null,
      channel: string,
      externalId: string,
    ) =>
      (
        await t.db.prisma.person.create({
          data: { displayName: name, locale, identities: { create: { channel, externalId } } },
        })
      ).id;
    const chosePerson = await person('Chọn en', 'en', 'telegram', 'lo-1');
    const choseIdentity = await person('Chọn trên kênh', null, 'telegram', 'lo-2');
    const otherChannel = await person('Kênh khác', null, 'zalo-bot', 'lo-3');
    const odd = await person('Lạ', 'fr', 'telegram', 'lo-4');
    const none = await person('Chưa chọn', null, 'telegram', 'lo-5');
    // The person's own choice wins over a different choice on the identity.
    await t.db.prisma.localeChoice.create({
      data: { channel: 'telegram', userId: 'lo-1', locale: 'vi', updatedAt: at },
    });
    await t.db.prisma.localeChoice.create({
      data: { channel: 'telegram', userId: 'lo-2', locale: 'en', updatedAt: at },
    });
    // Chosen for the same user id on another channel: not this identity's choice.
    await t.db.prisma.localeChoice.create({
      data: { channel: 'telegram', userId: 'lo-3', locale: 'en', updatedAt: at },
    });
    await t.db.prisma.localeChoice.create({
      data: { channel: 'telegram', userId: 'lo-4', locale: 'vi', updatedAt: at },
    });
    const out = await localesOf(t.db.prisma, [
      { personId: chosePerson, channel: 'telegram', externalId: 'lo-1' },
      { personId: choseIdentity, channel: 'telegram', externalId: 'lo-2' },
      { personId: otherChannel, channel: 'zalo-bot', externalId: 'lo-3' },
      { personId: odd, channel: 'telegram', externalId: 'lo-4' },
      { personId: none, channel: 'telegram', externalId: 'lo-5' },
    ]);
    expect(Object.fromEntries(out)).toEqual({
      [chosePerson]: 'en',
      [choseIdentity]: 'en',
      [odd]: 'vi',
    });
    expect(await localesOf(t.db.prisma, [])).toEqual(new Map());
    expect(
      await localesOf(t.db.prisma, [
        { personId: chosePerson, channel: 'telegram', externalId: 'x' },
      ]),
    ).toEqual(new Map([[chosePerson, 'en']]));
  });
});
