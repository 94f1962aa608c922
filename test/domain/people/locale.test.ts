import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localeOf, setLocale } from '../../../src/domain/people/locale.js';
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
