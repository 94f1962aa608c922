import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, testDbKind, type TestDb } from '../helpers/db.js';

describe.runIf(testDbKind() === 'pglite')('the embedded database', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb('pglite');
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it('keeps shared buffers small: they are resident memory of the server process', async () => {
    const [row] =
      await t.db.prisma.$queryRawUnsafe<{ shared_buffers: string }[]>('SHOW shared_buffers');
    expect(row?.shared_buffers).toBe('32MB');
  });
});
