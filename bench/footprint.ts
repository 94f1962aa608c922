/**
 * npm run bench:footprint — what the server costs to run, in both modes, from the compiled
 * build production runs (`node dist/src/main.js`):
 *   - first start on fresh data (migrations, seed, search index): time to /readyz 200 and the
 *     peak RSS during it (VmHWM);
 *   - a restart on the same data: time to ready, idle RSS 5 s later, and where it goes (V8
 *     heap used/total, external memory incl. wasm and buffers, from the server's own metrics);
 *   - RSS after a 10 s load (20 connections on the simulator: /help and citizens' questions);
 *   - the production install's size (`scripts/runtime-stage.mjs`; BENCH_INSTALL=0 skips it).
 * Goals (issue 16.2): PostgreSQL + Redis idle < 150 MB; embedded idle < 400 MB, first-start
 * peak < 600 MB; ready < 3 s after the first start.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import autocannon from 'autocannon';
import { startServer, type Backend, type ServerProcess } from './server-process.js';

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const TOKEN = 'bench-footprint-metrics-token';
const TEXTS = [
  '/help',
  'làm giấy khai sinh online được không',
  'dang ky tam tru',
  'cấp lại căn cước',
];

const build = spawnSync(process.execPath, ['scripts/build.mjs', '--if-stale'], {
  stdio: 'inherit',
});
if (build.status !== 0) process.exit(build.status ?? 1);

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

/** V8 heap and external memory as the server reports them on /metrics. */
async function breakdown(server: ServerProcess) {
  const text = await (
    await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })
  ).text();
  const value = (name: string) =>
    Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  return {
    'heap used MiB': mb(value('cds_nodejs_heap_size_used_bytes')),
    'heap total MiB': mb(value('cds_nodejs_heap_size_total_bytes')),
    'external MiB': mb(value('cds_nodejs_external_memory_bytes')),
  };
}

async function load(server: ServerProcess) {
  let n = 0;
  const result = await autocannon({
    url: `${server.url}/sim/api/messages`,
    connections: CONNECTIONS,
    duration: DURATION,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        setupRequest: (req) => {
          const i = n++;
          return {
            ...req,
            body: JSON.stringify({ user: `fp-${i % 200}`, text: TEXTS[i % TEXTS.length] }),
          };
        },
      },
    ],
  });
  return { 'req/s': Math.round(result.requests.average), errors: result.errors + result.non2xx };
}

async function run(backend: Backend) {
  const env = {
    METRICS_TOKEN: TOKEN,
    SIMULATOR: 'on',
    NODE_ENV: backend === 'postgres+redis' ? 'production' : 'development',
  };
  console.error(`bench:footprint — ${backend}: first start…`);
  const first = await startServer(backend, env, { dist: true });
  const firstReady = first.readyMs;
  const firstPeak = first.peakRssMb();
  await first.stop({ keepData: true });
  console.error(`bench:footprint — ${backend}: restart, idle, ${DURATION} s load…`);
  const server = await startServer(backend, env, { dist: true, reuse: first.data });
  try {
    const restartPeak = server.peakRssMb();
    await new Promise((r) => setTimeout(r, 5000));
    const idle = server.rssMb();
    const parts = await breakdown(server);
    const l = await load(server);
    await new Promise((r) => setTimeout(r, 1000));
    return {
      backend,
      'first start → ready s': Math.round(firstReady / 100) / 10,
      'first start peak MiB': firstPeak,
      'restart → ready s': Math.round(server.readyMs / 100) / 10,
      'restart peak MiB': restartPeak,
      'idle RSS MiB': idle,
      ...parts,
      'RSS after load MiB': server.rssMb(),
      'peak MiB': server.peakRssMb(),
      ...l,
    };
  } finally {
    await server.stop();
  }
}

const rows = [];
for (const backend of ['postgres+redis', 'embedded'] as Backend[]) rows.push(await run(backend));
console.log(
  `\nbench:footprint (node ${process.version}, load ${os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')})`,
);
console.table(rows);

if (process.env.BENCH_INSTALL !== '0') {
  console.error('bench:footprint — production install size (scripts/runtime-stage.mjs)…');
  const r = spawnSync(process.execPath, ['scripts/runtime-stage.mjs'], { encoding: 'utf8' });
  const size = /node_modules [\d.]+ MB, dist [\d.]+ MB/.exec(r.stdout)?.[0];
  console.log(`production install: ${size ?? `not measured (exit ${r.status})`}`);
}
