import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneProcessedUpdates } from '../../src/jobs/housekeeping.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(() => t.cleanup());

describe('housekeeping', () => {
  it('prunes dedupe records older than 48 hours and keeps recent ones', async () => {
    const now = new Date('2026-11-27T03:17:00Z');
    const h = 3600_000;
    await t.db.prisma.processedUpdate.createMany({
      data: [
        { channel: 'telegram', updateId: 'old', processedAt: new Date(now.getTime() - 49 * h) },
        { channel: 'telegram', updateId: 'recent', processedAt: new Date(now.getTime() - 47 * h) },
      ],
    });
    expect(await pruneProcessedUpdates(t.db.prisma, now)).toBe(1);
    const left = await t.db.prisma.processedUpdate.findMany({ select: { updateId: true } });
    expect(left.map((r) => r.updateId)).toEqual(['recent']);
  });

  it('keeps dedupe records at least as long as a longer replay window', async () => {
    const now = new Date('2026-11-27T03:17:00Z');
    const h = 3600_000;
    await t.db.prisma.processedUpdate.create({
      data: {
        channel: 'zalo-oa',
        updateId: 'in-window',
        processedAt: new Date(now.getTime() - 60 * h),
      },
    });
    expect(await pruneProcessedUpdates(t.db.prisma, now, 72 * h)).toBe(0);
    expect(await pruneProcessedUpdates(t.db.prisma, now)).toBe(1);
  });
});
