/**
 * `npm run bench:domain` — national-scale figures for the reporting domain on PostgreSQL.
 *
 * Builds a fresh database on 127.0.0.1:5432 (user postgres; BENCH_DATABASE_ADMIN_URL to
 * override), dropped at the end:
 *  - 34 provinces and 3,321 communes imported through the `import units` admin command
 *    (the same code path an operator uses), the 17 indicators from prisma/seed/indicators.csv;
 *  - every indicator at its own periodicity over 2024-2025 for every unit it applies to, about
 *    80% of them reported (generated server-side in one INSERT … SELECT);
 * then measures
 *  - the units import (wall time),
 *  - a completeness query for one province and one period (p50/p95 over 60 runs; target < 50 ms),
 *  - an XLSX export of one period for all units (target < 5 s).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { runAdminCommand } from '../src/admin/run.js';
import type { AdminDeps } from '../src/admin/types.js';
import { createDb, type Db } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { formatPeriod, makePeriod, periodStart, type Period } from '../src/domain/periods.js';
import { DEFAULT_SCHEDULE, deadlineOf } from '../src/domain/schedule.js';
import { periodCompleteness, periodRows, toXlsx } from '../src/domain/reports/index.js';

export const PROVINCES = 34;
export const COMMUNES = 3321;
const YEARS = [2024, 2025];
const RUNS = 60;

export function unitsCsv(): string {
  const lines = ['code,name_vi,type,name_en,parent_code,effective_from'];
  for (let p = 0; p < PROVINCES; p++) {
    lines.push(
      `${String(p + 1).padStart(2, '0')},Tỉnh Thử Nghiệm ${p + 1},Tỉnh,Test Province ${p + 1},,2020-01-01`,
    );
  }
  for (let c = 0; c < COMMUNES; c++) {
    const prov = String((c % PROVINCES) + 1).padStart(2, '0');
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

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/** A fresh PostgreSQL database on 127.0.0.1 (BENCH_DATABASE_ADMIN_URL), dropped by `drop`. */
export interface BenchDatabase {
  db: Db;
  name: string;
  url: string;
  dataDir: string;
  /** Close it and drop it (kept with BENCH_KEEP). */
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

async function main(): Promise<void> {
  // BENCH_REUSE=<name>: measure an existing, already filled database and keep it (profiling).
  const reuse = process.env.BENCH_REUSE;
  const bench = await createBenchDatabase(reuse ? { reuse } : {});
  const { db, name, url } = bench;
  const now = new Date('2026-02-20T03:00:00Z');
  try {
    if (reuse) {
      await measure(db, name, 0, 0);
      return;
    }
    const importMs = await importNationalUnits(bench, now);

    // ~80% of (unit, indicator due, period) reported; 90% of those on time.
    const t0 = performance.now();
    const periods = periodsOf();
    const values = periods
      .map((p) => {
        const start = periodStart(p);
        const startDay = new Date(start.getTime() + 7 * 3600_000).toISOString().slice(0, 10);
        return `('${formatPeriod(p)}','${p.kind}','${startDay}'::date,'${deadlineOf(p, DEFAULT_SCHEDULE).toISOString()}'::timestamptz)`;
      })
      .join(',');
    const pool = new pg.Pool({ connectionString: url, max: 1 });
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
    await pool.end();
    const seedMs = performance.now() - t0;
    await measure(db, name, importMs, seedMs);
  } finally {
    await bench.drop();
  }
}

async function measure(db: Db, name: string, importMs: number, seedMs: number): Promise<void> {
  const unitCount = await db.prisma.unit.count();
  const subCount = await db.prisma.submission.count();

  const q = makePeriod('quarter', 2025, 3);
  const m = makePeriod('month', 2025, 10);
  const timings: number[] = [];
  let last = 0;
  // 5 warm-up runs (connection pool, prepared plans) are not counted.
  for (let i = -5; i < RUNS; i++) {
    const province = String(((i + PROVINCES) % PROVINCES) + 1).padStart(2, '0');
    const s = performance.now();
    const rep = await periodCompleteness(db.prisma, {
      period: q,
      schedule: DEFAULT_SCHEDULE,
      rootUnitCode: province,
    });
    if (i >= 0) timings.push(performance.now() - s);
    last = rep.units.length;
  }
  timings.sort((a, b) => a - b);

  const exports: Array<{ period: string; rows: number; ms: number; bytes: number }> = [];
  for (const p of [m, q]) {
    const s = performance.now();
    const rows = await periodRows(db.prisma, { period: p, schedule: DEFAULT_SCHEDULE });
    const buf = await toXlsx(rows, formatPeriod(p));
    exports.push({
      period: formatPeriod(p),
      rows: rows.length,
      ms: performance.now() - s,
      bytes: buf.length,
    });
  }

  // Context: the round trip of a trivial query on this machine at this moment.
  const rtt: number[] = [];
  for (let i = 0; i < 20; i++) {
    const s = performance.now();
    await db.prisma.$queryRawUnsafe('SELECT 1');
    rtt.push(performance.now() - s);
  }
  rtt.sort((a, b) => a - b);

  const f = (n: number) => n.toFixed(1);
  console.log(`bench:domain on PostgreSQL (${db.kind}), database ${name}`);
  console.log(
    `machine: ${os.cpus().length} cores, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}; 'SELECT 1' round trip p50 ${f(pct(rtt, 50))} ms`,
  );
  console.log(
    `units: ${unitCount} (${PROVINCES} provinces + ${COMMUNES} communes), submissions: ${subCount}`,
  );
  console.log(
    `import units (admin 'import units', ${PROVINCES + COMMUNES} rows): ${f(importMs)} ms`,
  );
  console.log(`synthetic submissions generated in ${f(seedMs)} ms`);
  console.log(
    `completeness, one province (${last} units) x ${formatPeriod(q)}, ${RUNS} runs: p50 ${f(pct(timings, 50))} ms, p95 ${f(pct(timings, 95))} ms, max ${f(timings[timings.length - 1] ?? NaN)} ms (target p95 < 50 ms)`,
  );
  for (const e of exports) {
    console.log(
      `XLSX export ${e.period}, all units: ${e.rows} rows, ${(e.bytes / 1024).toFixed(0)} KiB in ${f(e.ms)} ms (target < 5000 ms)`,
    );
  }
}

// Run only as the bench itself (bench:remind imports its seeding).
if (process.argv[1] === fileURLToPath(import.meta.url))
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
