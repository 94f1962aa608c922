/**
 * The national-scale database of the benchmarks, on PostgreSQL at 127.0.0.1:5432 (user
 * postgres; BENCH_DATABASE_ADMIN_URL to override), dropped at the end:
 *  - 34 provinces (codes 01–33 and 42, Hà Tĩnh's, with 69 communes; ~99 communes each for the
 *    others) and 3,321 communes imported through the `import units` admin command (the same
 *    code path an operator uses), the 17 indicators from prisma/seed/indicators.csv;
 *  - every indicator at its own periodicity over 2024-2025 for every unit it applies to, about
 *    80% of them reported (generated server-side in one INSERT … SELECT).
 * Used by bench:domain, bench:dashboard and bench:remind (which seeds its own submissions).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { runAdminCommand } from '../src/admin/run.js';
import type { AdminDeps } from '../src/admin/types.js';
import { createDb, type Db } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { formatPeriod, makePeriod, periodStart, type Period } from '../src/domain/periods.js';
import { DEFAULT_SCHEDULE, deadlineOf } from '../src/domain/schedule.js';

export const PROVINCES = 34;
export const COMMUNES = 3321;
const YEARS = [2024, 2025];
/** Hà Tĩnh's code and commune count, as in the seed. */
export const HA_TINH = { code: '42', communes: 69 };

/** The code of the p-th province (0-based). */
export const provinceCode = (p: number): string =>
  p === PROVINCES - 1 ? HA_TINH.code : String(p + 1).padStart(2, '0');

function unitsCsv(): string {
  const lines = ['code,name_vi,type,name_en,parent_code,effective_from'];
  for (let p = 0; p < PROVINCES; p++) {
    lines.push(
      `${provinceCode(p)},Tỉnh Thử Nghiệm ${p + 1},Tỉnh,Test Province ${p + 1},,2020-01-01`,
    );
  }
  for (let c = 0; c < COMMUNES; c++) {
    const prov =
      c < HA_TINH.communes ? HA_TINH.code : provinceCode((c - HA_TINH.communes) % (PROVINCES - 1));
    lines.push(`${20000 + c},Xã Thử Nghiệm ${c + 1},Xã,Test Commune ${c + 1},${prov},2020-01-01`);
  }
  return `${lines.join('\n')}\n`;
}

function periodsOf(): Period[] {
  const out: Period[] = [];
  for (const y of YEARS) {
    for (let m = 1; m <= 12; m++) out.push(makePeriod('month', y, m));
    for (let q = 1; q <= 4; q++) out.push(makePeriod('quarter', y, q));
    out.push(makePeriod('year', y, 1));
  }
  return out;
}

/** The p-th percentile of sorted numbers. */
export function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/** A fresh PostgreSQL database on 127.0.0.1 (BENCH_DATABASE_ADMIN_URL), dropped by `drop`. */
export interface BenchDatabase {
  db: Db;
  name: string;
  url: string;
  dataDir: string;
  /** Close it and drop it (kept with BENCH_KEEP or when reused). */
  drop(): Promise<void>;
}

export async function createBenchDatabase(opts: { reuse?: string } = {}): Promise<BenchDatabase> {
  const adminUrl =
    process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const name = opts.reuse ?? `cds_bench_${randomBytes(5).toString('hex')}`;
  if (!opts.reuse) {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'cds-bench-'));
  const db = await createDb({ databaseUrl: url.toString(), dataDir, poolMax: 4 });
  return {
    db,
    name,
    url: url.toString(),
    dataDir,
    async drop() {
      await db.close();
      if (!opts.reuse && !process.env.BENCH_KEEP) {
        const a = new pg.Client({ connectionString: adminUrl });
        await a.connect();
        await a.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await a.end();
      } else {
        console.log(`kept database ${name}`);
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Migrate, then import the 34 provinces and 3,321 communes through the `import units` admin
 * command (the operator's code path) and the 17 indicators; resolves with the units import time.
 */
export async function importNationalUnits(bench: BenchDatabase, now: Date): Promise<number> {
  const { db, dataDir } = bench;
  await migrate(db);
  const deps: AdminDeps = {
    db,
    config: { dataDir, timezone: 'Asia/Ho_Chi_Minh' },
    now: () => now,
    readFile: (p) => readFile(p),
    writeFile: async () => {},
  };
  const csv = Buffer.from(unitsCsv(), 'utf8');
  const t0 = performance.now();
  const imp = await runAdminCommand(['import', 'units', 'units.csv'], deps, {
    inputFiles: { 'units.csv': csv },
  });
  const importMs = performance.now() - t0;
  if (imp.exitCode !== 0) throw new Error(`units import failed: ${imp.stderr}`);
  const ind = await runAdminCommand(['import', 'indicators', 'prisma/seed/indicators.csv'], deps);
  if (ind.exitCode !== 0) throw new Error(`indicators import failed: ${ind.stderr}`);
  return importMs;
}

/**
 * Every indicator at its own periodicity over 2024-2025 for every unit it applies to, ~80%
 * reported and 90% of those on time, generated server-side in one INSERT … SELECT; resolves
 * with its wall time.
 */
export async function seedSubmissions(bench: BenchDatabase): Promise<number> {
  const t0 = performance.now();
  const values = periodsOf()
    .map((p) => {
      const start = periodStart(p);
      const startDay = new Date(start.getTime() + 7 * 3600_000).toISOString().slice(0, 10);
      return `('${formatPeriod(p)}','${p.kind}','${startDay}'::date,'${deadlineOf(p, DEFAULT_SCHEDULE).toISOString()}'::timestamptz)`;
    })
    .join(',');
  const pool = new pg.Pool({ connectionString: bench.url, max: 1 });
  try {
    await pool.query(`
      INSERT INTO submission (id, unit_id, indicator_code, period, period_start, numerator, denominator,
        value, status, first_submitted_at, last_submitted_at, last_channel, ref)
      SELECT md5(random()::text || u.id || i.code || p.period), u.id, i.code, p.period, p.start,
        CASE WHEN i.unit = 'percent' THEN n END, CASE WHEN i.unit = 'percent' THEN 100 END,
        CASE WHEN i.unit = 'percent' THEN n WHEN i.unit = 'boolean' THEN (n > 30)::int ELSE n END,
        'active',
        p.deadline - CASE WHEN random() < 0.9 THEN interval '2 days' ELSE interval '-3 days' END,
        p.deadline - interval '1 day', 'sim', 'B' || md5(random()::text || u.id || i.code || p.period)
      FROM unit u
      JOIN indicator i ON u.level::text = ANY (i.applies_to)
      JOIN (VALUES ${values}) AS p(period, kind, start, deadline) ON p.kind = i.periodicity::text
      CROSS JOIN LATERAL (SELECT floor(random() * 100)::int AS n) r
      WHERE random() < 0.8`);
    await pool.query('ANALYZE');
  } finally {
    await pool.end();
  }
  return performance.now() - t0;
}

export interface NationalDb {
  db: Db;
  name: string;
  /** Wall time of the units import and of the generated submissions (0 when reused). */
  importMs: number;
  seedMs: number;
}

/**
 * Build (or, with BENCH_REUSE=<name>, open) the national database with its submissions, run
 * `fn` on it, then drop it (kept with BENCH_KEEP or when reused).
 */
export async function withNationalDb(
  now: Date,
  fn: (n: NationalDb) => Promise<void>,
): Promise<void> {
  // BENCH_REUSE=<name>: measure an existing, already filled database and keep it (profiling).
  const reuse = process.env.BENCH_REUSE;
  const bench = await createBenchDatabase(reuse ? { reuse } : {});
  try {
    if (reuse) return await fn({ db: bench.db, name: bench.name, importMs: 0, seedMs: 0 });
    const importMs = await importNationalUnits(bench, now);
    const seedMs = await seedSubmissions(bench);
    await fn({ db: bench.db, name: bench.name, importMs, seedMs });
  } finally {
    await bench.drop();
  }
}
