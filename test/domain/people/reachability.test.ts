import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  markReachable,
  markUnreachable,
  preferredIdentity,
  reachableMarkDue,
} from '../../../src/domain/people/index.js';
import { createTestDb, type TestDb } from '../../helpers/db.js';

let t: TestDb;
let personId: string;
const at = (iso: string) => new Date(`${iso}+07:00`);

beforeAll(async () => {
  t = await createTestDb();
  const p = await t.db.prisma.person.create({
    data: {
      displayName: 'Nguyễn Thị Lan',
      identities: {
        create: [
          { channel: 'telegram', externalId: '5123456789', createdAt: at('2025-10-01T08:00:00') },
          { channel: 'zalo-bot', externalId: '6a1b0c9d8e7f', createdAt: at('2025-10-02T08:00:00') },
        ],
      },
    },
  });
  personId = p.id;
}, 120_000);
afterAll(async () => {
  await t?.cleanup();
});

describe('where a person is reached', () => {
  it('prefers the identity used last, then the one linked last', async () => {
    expect(await preferredIdentity(t.db.prisma, personId)).toEqual({
      channel: 'zalo-bot',
      externalId: '6a1b0c9d8e7f',
    });
    await markReachable(t.db.prisma, 'telegram', '5123456789', at('2025-11-03T09:00:00'));
    expect(await preferredIdentity(t.db.prisma, personId)).toMatchObject({ channel: 'telegram' });
  });

  it('skips an identity that blocked the bot, and the person once none is left', async () => {
    expect(
      await markUnreachable(t.db.prisma, 'telegram', '5123456789', at('2025-11-04T09:00:00')),
    ).toBe(true);
    // Marking twice changes nothing (the first time is kept).
    expect(
      await markUnreachable(t.db.prisma, 'telegram', '5123456789', at('2025-11-05T09:00:00')),
    ).toBe(false);
    expect(await preferredIdentity(t.db.prisma, personId)).toMatchObject({ channel: 'zalo-bot' });
    await markUnreachable(t.db.prisma, 'zalo-bot', '6a1b0c9d8e7f', at('2025-11-04T10:00:00'));
    expect(await preferredIdentity(t.db.prisma, personId)).toBeNull();
  });

  it('is reachable again once the person writes', async () => {
    await markReachable(t.db.prisma, 'telegram', '5123456789', at('2025-11-06T09:00:00'));
    expect(await preferredIdentity(t.db.prisma, personId)).toMatchObject({ channel: 'telegram' });
    const row = await t.db.prisma.identity.findUniqueOrThrow({
      where: { channel_externalId: { channel: 'telegram', externalId: '5123456789' } },
    });
    expect(row.unreachableAt).toBeNull();
    expect(row.lastSeenAt).toEqual(at('2025-11-06T09:00:00'));
  });

  it('writes lastSeenAt at most once an hour', async () => {
    await markReachable(t.db.prisma, 'telegram', '5123456789', at('2025-11-06T09:30:00'));
    const row = await t.db.prisma.identity.findUniqueOrThrow({
      where: { channel_externalId: { channel: 'telegram', externalId: '5123456789' } },
    });
    expect(row.lastSeenAt).toEqual(at('2025-11-06T09:00:00'));
  });

  it('ignores identities nobody linked (citizens)', async () => {
    expect(await markUnreachable(t.db.prisma, 'telegram', '999', new Date())).toBe(false);
    await markReachable(t.db.prisma, 'telegram', '999', new Date());
    expect(await t.db.prisma.identity.count({ where: { externalId: '999' } })).toBe(0);
  });
});

describe('whether a mark of reachability is due', () => {
  const seen = at('2025-11-10T09:00:00');
  const hourLater = new Date(seen.getTime() + 3_600_000);

  it('is due when unreachable, never seen, or seen over an hour ago', () => {
    expect(reachableMarkDue({ lastSeenAt: seen, unreachableAt: seen }, seen)).toBe(true);
    expect(reachableMarkDue({ lastSeenAt: null, unreachableAt: null }, seen)).toBe(true);
    expect(reachableMarkDue({ lastSeenAt: seen, unreachableAt: null }, hourLater)).toBe(false);
    expect(
      reachableMarkDue(
        { lastSeenAt: seen, unreachableAt: null },
        new Date(hourLater.getTime() + 1),
      ),
    ).toBe(true);
  });

  it('agrees with what markReachable writes at exactly an hour', async () => {
    await t.db.prisma.identity.create({
      data: { channel: 'sim', externalId: 'hourly', personId, lastSeenAt: seen },
    });
    const read = () =>
      t.db.prisma.identity.findUniqueOrThrow({
        where: { channel_externalId: { channel: 'sim', externalId: 'hourly' } },
      });
    await markReachable(t.db.prisma, 'sim', 'hourly', hourLater);
    expect((await read()).lastSeenAt).toEqual(seen);
    const past = new Date(hourLater.getTime() + 1);
    await markReachable(t.db.prisma, 'sim', 'hourly', past);
    expect((await read()).lastSeenAt).toEqual(past);
  });
});

describe('the identity preferred', () => {
  it('is one seen before one never seen, whatever their linking order', async () => {
    const p = await t.db.prisma.person.create({
      data: {
        identities: {
          create: [
            {
              channel: 'telegram',
              externalId: 'pref-seen',
              createdAt: at('2025-10-01T08:00:00'),
              lastSeenAt: at('2025-10-01T09:00:00'),
            },
            { channel: 'zalo-bot', externalId: 'pref-new', createdAt: at('2025-10-05T08:00:00') },
          ],
        },
      },
    });
    expect(await preferredIdentity(t.db.prisma, p.id)).toEqual({
      channel: 'telegram',
      externalId: 'pref-seen',
    });
    expect(await preferredIdentity(t.db.prisma, 'nobody')).toBeNull();
  });
});
