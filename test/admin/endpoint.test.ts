import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminRunner } from '../../src/admin/endpoint.js';
import { runRemote } from '../../src/admin/remote.js';
import { seed } from '../../src/admin/seed.js';
import { createTestDb } from '../helpers/db.js';
import type { TestDb } from '../helpers/db.js';
import { startTestApp } from '../helpers/app.js';

const HEADER =
  'unit_code,unit_name,indicator_code,period,numerator,denominator,value,unit,target,target_met,first_submitted_at,last_submitted_at,on_time';

describe('admin endpoint runner', () => {
  let t: TestDb;
  let run: ReturnType<typeof createAdminRunner>;
  let cwd: string;
  const changes: string[] = [];
  beforeAll(async () => {
    t = await createTestDb();
    await seed(t.db, { now: new Date('2025-11-03T02:00:00Z') });
    run = createAdminRunner({
      db: t.db,
      config: { dataDir: t.dataDir, timezone: 'Asia/Ho_Chi_Minh' },
      now: () => new Date('2025-11-03T02:00:00Z'),
      onChange: (what) => {
        changes.push(what);
      },
    });
    cwd = await mkdtemp(path.join(os.tmpdir(), 'cds-endpoint-'));
  });
  afterAll(async () => {
    await t?.cleanup();
    await rm(cwd, { recursive: true, force: true });
  });

  it('returns files written with --out instead of writing on the server', async () => {
    const r = await run([
      'export',
      '--period',
      'Q3/2025',
      '--indicator',
      'KNS',
      '--out',
      'kns.csv',
    ]);
    expect(r.exitCode).toBe(0);
    const csv = Buffer.from(r.files['kns.csv'] ?? '', 'base64').toString('utf8');
    expect(csv.split(/\r?\n/)[0]).toBe(HEADER);
    // one row per current unit for a quarterly indicator that applies to both levels
    expect(csv.trim().split(/\r?\n/)).toHaveLength(71);
    await expect(readFile(path.join(process.cwd(), 'kns.csv'))).rejects.toThrow();
  });

  it('lets the remote CLI send its files and write returned files in its own working directory', async () => {
    // The endpoint createApp builds, with its token check (no test-only server).
    const token = 'endpoint-test-admin-token-0123456789';
    const app = await startTestApp({ ADMIN_TOKEN: token }, {}, { seeded: true });
    let r: Awaited<ReturnType<typeof runRemote>>;
    let sent: Awaited<ReturnType<typeof runRemote>>;
    await writeFile(path.join(cwd, 'rules.txt'), 'giấy chào đời => đăng ký khai sinh\n');
    try {
      r = await runRemote(
        { url: app.url, adminToken: token },
        ['export', '--period', 'Q3/2025', '--out', 'q3.csv'],
        { cwd },
      );
      // And the other way: a file named on the command line is read here and sent.
      sent = await runRemote(
        { url: app.url, adminToken: token },
        ['import', 'synonyms', 'rules.txt'],
        { cwd },
      );
    } finally {
      await app.close();
    }
    expect(sent.stderr).toBe('');
    expect(sent.stdout.toString('utf8')).toContain('rules 1');
    expect(r.exitCode).toBe(0);
    const csv = await readFile(path.join(cwd, 'q3.csv'), 'utf8');
    expect(csv.split(/\r?\n/)[0]).toBe(HEADER);
    // 70 current units, each with the quarterly indicators that apply to it: more than a header.
    expect(csv.trim().split(/\r?\n/).length).toBeGreaterThan(70);
  });

  it('tells the server what changed so it can refresh its caches', async () => {
    const r = await run(['seed']);
    expect(r.exitCode).toBe(0);
    expect(changes).toEqual(expect.arrayContaining(['units', 'indicators', 'services']));
  });

  it('imports a file the CLI sent, decoded from base64 byte for byte', async () => {
    const rules = '# Hà Tĩnh\ngiấy chào đời | chào đời => đăng ký khai sinh\n';
    const r = await run(['import', 'synonyms', 'rules.txt'], {
      'rules.txt': Buffer.from(rules, 'utf8').toString('base64'),
    });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('rules 1');
    expect(await t.db.prisma.searchSynonym.findMany()).toEqual([
      { line: 2, rule: 'giấy chào đời | chào đời => đăng ký khai sinh' },
    ]);
  });

  it('ignores a sent file whose content is not a string, as if it had not been sent', async () => {
    const r = await run(['import', 'synonyms', 'rules.txt'], {
      'rules.txt': 42 as unknown as string,
    });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/file not found: rules\.txt/);
  });

  it('audits a command run without a named caller as the admin API', async () => {
    await run(['import', 'synonyms', 'empty.txt'], {
      'empty.txt': Buffer.from('# nothing\n').toString('base64'),
    });
    const last = await t.db.prisma.auditLog.findFirst({
      where: { action: 'admin.command' },
      orderBy: { id: 'desc' },
    });
    expect(last).toMatchObject({ actor: 'admin-api', entityId: 'import' });
    await run(['import', 'synonyms', 'empty.txt'], {}, undefined, 'admin-api 127.0.0.1');
    const named = await t.db.prisma.auditLog.findFirst({
      where: { action: 'admin.command' },
      orderBy: { id: 'desc' },
    });
    expect(named).toMatchObject({ actor: 'admin-api 127.0.0.1', entityId: 'import' });
  });

  it('refuses to read files the CLI did not send', async () => {
    const r = await run(['import', 'units', '/etc/passwd']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/file not found: \/etc\/passwd/);
  });
});
