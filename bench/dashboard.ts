/**
 * `npm run bench:dashboard` — the managers' dashboard at national scale on PostgreSQL (the
 * database of ./national.ts: 34 provinces, 3,321 communes, 17 indicators, two years of
 * submissions). The dashboard router is served on 127.0.0.1 as the app mounts it, with an
 * operator session; each page is fetched over loopback and timed from request to last byte:
 *  - the completeness matrix of province 42 (69 communes) and of a 100-unit province,
 *  - a unit page (history charts, versions, audit trail),
 *  - the province page (aggregates over the last periods, charts),
 * p50/p95 of each (goal p95 < 300 ms), and the matrix page's weight: HTML plus every asset,
 * uncompressed (the pages have no other asset: one inline stylesheet; goal < 200 kB).
 */
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import express from 'express';
import { pino } from 'pino';
import { CitizenService } from '../src/citizens/service.js';
import { composeFeatures } from '../src/core/feature.js';
import { createI18n } from '../src/core/i18n.js';
import { createDashboardRouter, SESSION_COOKIE } from '../src/dashboard/router.js';
import { openOperatorSession } from '../src/domain/dashboard/sessions.js';
import { DEFAULT_SCHEDULE } from '../src/domain/schedule.js';
import { createServiceFactory } from '../src/services/index.js';
import { FEATURES } from '../handlers/index.js';
import { HA_TINH, pct, provinceCode, withNationalDb, type NationalDb } from './national.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const NOW = new Date('2026-01-10T03:00:00Z');
const PERIOD = 'T12/2025';

async function measure({ db, name }: NationalDb): Promise<void> {
  const logger = pino({ level: 'silent' });
  const services = createServiceFactory({
    root: db.prisma,
    citizens: new CitizenService({ prisma: db.prisma, logger }),
    logger,
  });
  const i18n = createI18n({ defaultLocale: 'vi', texts: composeFeatures(FEATURES).texts });
  const app = express();
  app.use(
    '/dashboard',
    createDashboardRouter({
      db: db.prisma,
      logger,
      schedule: () => Promise.resolve(DEFAULT_SCHEDULE),
      adminToken: () => undefined,
      secureCookies: false,
      now: () => NOW,
      services: () => services.standalone(),
      t: i18n.translator('vi'),
    }),
  );
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const session = await openOperatorSession(db.prisma, NOW);
  const cookie = `${SESSION_COOKIE}=${encodeURIComponent(session.sessionId)}`;

  const fetchPage = async (path: string) => {
    const s = performance.now();
    const res = await fetch(`${base}${path}`, { headers: { cookie } });
    const body = await res.text();
    const ms = performance.now() - s;
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${body.slice(0, 300)}`);
    return { ms, bytes: Buffer.byteLength(body), body };
  };
  const timed = async (paths: (i: number) => string, runs = RUNS) => {
    const ms: number[] = [];
    let bytes = 0;
    for (let i = -3; i < runs; i++) {
      const r = await fetchPage(paths(i));
      if (i >= 0) ms.push(r.ms);
      bytes = r.bytes;
    }
    ms.sort((a, b) => a - b);
    return { p50: pct(ms, 50), p95: pct(ms, 95), max: ms[ms.length - 1] ?? NaN, bytes };
  };

  const big = provinceCode(0);
  const bigUnits = await db.prisma.unit.count({
    where: { OR: [{ code: big }, { parent: { code: big } }] },
  });
  const communes = (
    await db.prisma.unit.findMany({
      where: { parent: { code: big } },
      select: { code: true },
      orderBy: { code: 'asc' },
    })
  ).map((u) => u.code);
  try {
    const results: [string, Awaited<ReturnType<typeof timed>>][] = [
      [
        `matrix ${PERIOD}, province ${HA_TINH.code} (${HA_TINH.communes + 1} units)`,
        await timed(() => `/dashboard?period=${PERIOD}&unit=${HA_TINH.code}`),
      ],
      [
        `matrix ${PERIOD}, province ${big} (${bigUnits} units)`,
        await timed(() => `/dashboard?period=${PERIOD}&unit=${big}`),
      ],
      [
        'unit page (a commune: charts of 2 years, versions, audit)',
        await timed((i) => `/dashboard/unit/${communes[(i + 3) % communes.length]}`),
      ],
      [
        `province page, province ${HA_TINH.code}`,
        await timed(() => `/dashboard/province?unit=${HA_TINH.code}`),
      ],
      [`province page, province ${big}`, await timed(() => `/dashboard/province?unit=${big}`)],
    ];
    const matrix = await fetchPage(`/dashboard?period=${PERIOD}&unit=${HA_TINH.code}`);
    const assets = [
      ...matrix.body.matchAll(/(?:src|href)="(\/[^"]+\.(?:css|js|svg|png|woff2?))"/g),
    ];
    let assetBytes = 0;
    for (const a of assets) assetBytes += (await fetchPage(a[1]!)).bytes;
    const f = (n: number) => n.toFixed(1);
    console.log(`bench:dashboard on PostgreSQL (${db.kind}), database ${name}`);
    console.log(
      `machine: ${os.cpus().length} cores, load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}; ${RUNS} runs each after 3 warm-up, request to last byte over loopback`,
    );
    for (const [label, r] of results)
      console.log(
        `${label}: p50 ${f(r.p50)} ms, p95 ${f(r.p95)} ms, max ${f(r.max)} ms, ${(r.bytes / 1024).toFixed(1)} kB (goal p95 < 300 ms)`,
      );
    console.log(
      `matrix page weight, province ${HA_TINH.code}: HTML ${(matrix.bytes / 1000).toFixed(1)} kB + ${assets.length} asset(s) ${(assetBytes / 1000).toFixed(1)} kB = ${((matrix.bytes + assetBytes) / 1000).toFixed(1)} kB uncompressed (goal < 200 kB)`,
    );
  } finally {
    server.close();
  }
}

withNationalDb(NOW, measure).catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
