import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAdminCommand } from '../../src/admin/run.js';
import type { AdminDeps } from '../../src/admin/types.js';
import { CitizenService } from '../../src/citizens/service.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

let t: TestDb;
let deps: AdminDeps;
const run = (...argv: string[]) => runAdminCommand(argv, deps);

beforeAll(async () => {
  t = await createTestDb();
  deps = {
    db: t.db,
    config: { dataDir: t.dataDir, timezone: 'Asia/Ho_Chi_Minh' },
    now: () => new Date('2026-11-27T03:00:00Z'),
    readFile: (p) => readFile(p),
    writeFile: async () => {},
  };
}, 120_000);
afterAll(async () => {
  await t?.cleanup();
});

describe('admin: services unanswered', () => {
  it('says so when nothing is recorded', async () => {
    const r = await run('services', 'unanswered');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('No unanswered questions yet.');
  });

  it('lists the anonymous unanswered questions, most frequent first, with Hà Tĩnh times', async () => {
    const svc = new CitizenService({ prisma: t.db.prisma });
    await svc.recordUnanswered('giá vàng hôm nay', new Date('2026-11-01T17:30:00Z'));
    await svc.recordUnanswered('xổ số miền bắc', new Date('2026-11-02T01:00:00Z'));
    await svc.recordUnanswered('Xổ số miền Bắc', new Date('2026-11-03T01:00:00Z'));
    const table = await run('services', 'unanswered');
    expect(table.exitCode).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[1]).toMatch(/^\s+2\s+03\/11\/2026 08:00\s+02\/11\/2026 08:00\s+xo so mien bac$/);
    // 17:30 UTC on 01/11 is 00:30 on 02/11 in Hà Tĩnh.
    expect(lines[2]).toContain('02/11/2026 00:30');

    const json = JSON.parse(
      (await run('services', 'unanswered', '--format', 'json', '--limit', '1')).stdout,
    ) as unknown[];
    expect(json).toEqual([
      {
        query: 'xo so mien bac',
        count: 2,
        firstAt: '2026-11-02T01:00:00.000Z',
        lastAt: '2026-11-03T01:00:00.000Z',
      },
    ]);
    const csv = await run('services', 'unanswered', '--format', 'csv');
    expect(csv.stdout.split('\n')[0]).toBe('count,first_at,last_at,query');
  });

  it('neutralises questions a spreadsheet would run as a formula in the CSV', async () => {
    const svc = new CitizenService({ prisma: t.db.prisma });
    await svc.recordUnanswered('=HYPERLINK("http://x.vn","bam")', new Date('2026-11-04T01:00:00Z'));
    await svc.recordUnanswered('@SUM(A1:A2) la gi', new Date('2026-11-04T01:00:00Z'));
    const csv = (await run('services', 'unanswered', '--format', 'csv')).stdout;
    const cells = csv.split('\n').map((l) => l.split(',').slice(3).join(','));
    expect(cells).toContain(`"'=hyperlink(""http://x.vn"",""bam"")"`);
    expect(cells).toContain(`'@sum(a1:a2) la gi`);
    expect(csv).not.toMatch(/,[=@+-]/);
  });

  it('rejects bad arguments with exit code 2 and the usage', async () => {
    for (const argv of [
      ['services'],
      ['services', 'answered'],
      ['services', 'unanswered', '--limit', 'x'],
      ['services', 'unanswered', '--format', 'xml'],
    ]) {
      const r = await run(...argv);
      expect(r.exitCode, argv.join(' ')).toBe(2);
      expect(r.stderr).toContain('usage:');
    }
  });
});
