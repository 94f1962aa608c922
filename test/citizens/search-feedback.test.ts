/**
 * Learning from use (issue 15.2) and the catalogue's own date (15.3), on the database:
 * `import services --as-of`, `import synonyms` reaching every instance through the data
 * versions, and `services misses` (question → shown → picked next, no user id).
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAdminCommand } from '../../src/admin/run.js';
import type { AdminDeps } from '../../src/admin/types.js';
import { SEED_PROCEDURES_CSV } from '../../src/citizens/catalog-csv.js';
import { CitizenService } from '../../src/citizens/service.js';
import { createServiceFactory } from '../../src/services/index.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

let t: TestDb;
let deps: AdminDeps;
const run = (...argv: string[]) => runAdminCommand(argv, deps);

beforeAll(async () => {
  t = await createTestDb();
  deps = {
    db: t.db,
    config: { dataDir: t.dataDir, timezone: 'Asia/Ho_Chi_Minh' },
    now: () => new Date('2026-12-02T03:00:00Z'),
    readFile: (p) => readFile(p),
    writeFile: async () => {},
  };
  const r = await run('import', 'services', SEED_PROCEDURES_CSV, '--as-of', '03/10/2026');
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(0);
}, 120_000);
afterAll(async () => {
  await t?.cleanup();
});

describe('the catalogue as-of date', () => {
  it('is the date given to import services --as-of, not the import time', async () => {
    const svc = new CitizenService({ prisma: t.db.prisma });
    await svc.load();
    expect(svc.asOf()).toBe('2026-10-03');
  });

  it('refuses a date that does not exist and keeps the previous one', async () => {
    const r = await run('import', 'services', SEED_PROCEDURES_CSV, '--as-of', '31/02/2026');
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toContain('--as-of');
    const svc = new CitizenService({ prisma: t.db.prisma });
    await svc.load();
    expect(svc.asOf()).toBe('2026-10-03');
  });

  it('without --as-of falls back to the latest date the sources cite', async () => {
    expect(
      (await run('import', 'services', SEED_PROCEDURES_CSV, '--as-of', '2026-11-30')).exitCode,
    ).toBe(0);
    const a = new CitizenService({ prisma: t.db.prisma });
    await a.load();
    expect(a.asOf()).toBe('2026-11-30');
    expect((await run('import', 'services', SEED_PROCEDURES_CSV)).exitCode).toBe(0);
    const b = new CitizenService({ prisma: t.db.prisma });
    await b.load();
    expect(b.asOf()).toBe('2026-10-03');
  });

  it('is an option of import services only', async () => {
    const r = await run('import', 'units', 'x.csv', '--as-of', '2026-10-03');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('takes no --as-of');
  });
});

describe('import synonyms', () => {
  it('reports bad lines with their numbers and stores nothing', async () => {
    const file = path.join(t.dataDir, 'bad-synonyms.txt');
    await writeFile(file, '# ok\nbìa xanh => giấy chứng nhận\nkhông có mũi tên\n | => x\n');
    const r = await run('import', 'synonyms', file);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/line 3/);
    expect(r.stderr).toMatch(/line 4/);
    expect(await t.db.prisma.searchSynonym.count()).toBe(0);
  });

  it('adds the province rules to the built-in ones on every instance at its next message', async () => {
    const logger = pino({ level: 'silent' });
    const instances = [0, 1].map(() => {
      const citizens = new CitizenService({ prisma: t.db.prisma });
      return { citizens, factory: createServiceFactory({ root: t.db.prisma, citizens, logger }) };
    });
    for (const i of instances) {
      await i.citizens.load();
      await i.factory.warm();
    }
    const q = 'làm giấy chào đời cho bé';
    for (const i of instances) {
      const svc = await i.factory.standalone().citizens.index();
      const first = svc.search(q).hits[0];
      expect(first?.kind === 'procedure' ? first.procedure.code : undefined).not.toBe('1.001193');
    }
    const file = path.join(t.dataDir, 'synonyms.txt');
    await writeFile(file, '# Hà Tĩnh\ngiấy chào đời | chào đời => đăng ký khai sinh\n');
    const r = await run('import', 'synonyms', file);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('rules 1');
    for (const i of instances) {
      const svc = await i.factory.standalone().citizens.index();
      expect(svc.search(q).hits[0]).toMatchObject({ procedure: { code: '1.001193' } });
      // Built-in rules still apply.
      expect(svc.search('làm sổ đỏ lần đầu').hits.length).toBeGreaterThan(0);
    }
    // Re-import: same rule, unchanged; an empty file removes the province's rules.
    expect((await run('import', 'synonyms', file)).stdout).toContain('unchanged 1');
    await writeFile(file, '# nothing\n');
    expect((await run('import', 'synonyms', file)).stdout).toContain('removed 1');
    expect(await t.db.prisma.searchSynonym.count()).toBe(0);
  });
});

describe('admin: services misses', () => {
  it('says so when there are none', async () => {
    const r = await run('services', 'misses');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('No misses yet.');
  });

  it('lists question → shown → picked next, latest first, masked and without user id', async () => {
    const svc = new CitizenService({ prisma: t.db.prisma });
    await svc.load();
    const id = await svc.recordMiss(
      {
        kind: 'not_mine',
        question: 'Sổ hồng bị thất lạc, gọi tôi 0912345678',
        shown: ['1.013978', '1.012783'],
      },
      new Date('2026-12-01T02:00:00Z'),
    );
    await svc.recordPick(id ?? '', '1.012786', new Date('2026-12-01T02:01:00Z'));
    await svc.recordMiss(
      { kind: 'not_found', question: 'giá vàng hôm nay', shown: [] },
      new Date('2026-12-01T03:00:00Z'),
    );
    const table = await run('services', 'misses');
    expect(table.exitCode).toBe(0);
    const lines = table.stdout.split('\n');
    expect(lines[0]).toMatch(/^01\/12\/2026 10:00\s+not_found\s+gia vang hom nay$/);
    expect(lines[1]).toContain('shown:  (nothing found)');
    expect(lines[3]).toMatch(/^01\/12\/2026 09:00\s+not_mine\s+so hong bi that lac/);
    expect(lines[3]).not.toContain('0912345678');
    expect(lines[4]).toContain('1.013978 Đăng ký đất đai');
    expect(lines[5]).toContain('picked: 1.012786 Cấp lại Giấy chứng nhận do bị mất');

    const json = JSON.parse(
      (await run('services', 'misses', '--kind', 'not_mine', '--format', 'json')).stdout,
    ) as Array<Record<string, unknown>>;
    expect(json).toHaveLength(1);
    expect(json[0]).toMatchObject({
      kind: 'not_mine',
      shown: ['1.013978', '1.012783'],
      picked: '1.012786',
    });
    expect(Object.keys(json[0] ?? {}).sort()).toEqual(
      ['at', 'kind', 'picked', 'pickedAt', 'question', 'shown'].sort(),
    );
    const csv = await run('services', 'misses', '--format', 'csv');
    expect(csv.stdout.split('\n')[0]).toBe('at,kind,question,shown,picked');
  });

  it('rejects a bad --kind with exit code 2', async () => {
    const r = await run('services', 'misses', '--kind', 'all');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('usage:');
  });
});
