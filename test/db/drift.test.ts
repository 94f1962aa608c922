import { describe, expect, it } from 'vitest';
import { diffMigrationsToSchema } from '../../src/db/migration-diff.js';

describe('schema drift', () => {
  it('has migrations that produce exactly what schema.prisma describes', async () => {
    const sql = await diffMigrationsToSchema();
    // When this fails: run `npm run db:migration -- <name>` and commit the new folder.
    expect(sql.trim(), `schema.prisma differs from prisma/migrations:\n${sql}`).toBe('');
  }, 120_000);
});
