/**
 * `npm run bench:domain` — national-scale figures for the reporting domain on PostgreSQL.
 *
 * Builds bench/national.ts's database on 127.0.0.1:5432 (user postgres; BENCH_DATABASE_ADMIN_URL
 * to override), dropped at the end:
 *  - 34 provinces and 3,321 communes imported through the `import units` admin command
 *    (the same code path an operator uses), the 17 indicators from prisma/seed/indicators.csv;
 *  - every indicator at its own periodicity over 2024-2025 for every unit it applies to, about
 *    80% of them reported (generated server-side in one INSERT … SELECT);
 * then measures
 *  - the units import (wall time),
 *  - a completeness query for one province and one period (p50/p95 over 60 runs; target < 50 ms),
 *  - an XLSX export of one period for all units (target < 5 s).
 */
import os from 'node:os';
import type { Db } from '../src/db/client.js';
import { formatPeriod, makePeriod } from '../src/domain/periods.js';
import { DEFAULT_SCHEDULE } from '../src/domain/schedule.js';
import { periodCompleteness, periodRows, toXlsx } from '../src/domain/reports/index.js';
import { COMMUNES, PROVINCES, pct, provinceCode, withNationalDb } from './national.js';

const RUNS = 60;

async function main(): Promise<void> {
  await withNationalDb(new Date('2026-02-20T03:00:00Z'), ({ db, name, importMs, seedMs }) =>
    measure(db, name, importMs, seedMs),
  );
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
    const province = provinceCode((i + PROVINCES) % PROVINCES);
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

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
