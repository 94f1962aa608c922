#!/usr/bin/env node
// Reproduces the Docker image's runtime stage without a Docker daemon: the built dist/ and the
// lock file in a temporary folder, `npm ci --omit=dev --omit=optional --ignore-scripts` there
// (exactly what the Dockerfile runs; `--omit=optional` because the Prisma CLI and TypeScript are
// optional peers of @prisma/client, recorded as "devOptional", which `--omit=dev` alone keeps), checks that no build or test tool was installed, starts the server the way
// the image's CMD does (NODE_ENV=production, embedded database in a fresh DATA_DIR), waits for
// `GET /readyz` 200, stops it with SIGTERM and expects a clean exit. `.ci/run` runs it.
// Usage: node scripts/runtime-stage.mjs [--keep]   (requires `npm run build` first)
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Never in a production install: the build, test and bench tools. */
const FORBIDDEN = [
  'tsx',
  'esbuild',
  'prisma',
  '@prisma/engines',
  'exceljs',
  'typescript',
  'vitest',
];
const READY_TIMEOUT_MS = Number(process.env.RUNTIME_STAGE_READY_TIMEOUT_MS ?? 180_000);

const fail = (msg) => {
  console.error(`runtime stage: FAILED — ${msg}`);
  process.exit(1);
};

if (!existsSync(path.join(root, 'dist', 'src', 'main.js')))
  fail('no dist/: run `npm run build` first');
const dir = mkdtempSync(path.join(os.tmpdir(), 'cds-runtime-'));
const cleanup = () => {
  if (!process.argv.includes('--keep')) rmSync(dir, { recursive: true, force: true });
};
try {
  for (const f of ['package.json', 'package-lock.json'])
    cpSync(path.join(root, f), path.join(dir, f));
  cpSync(path.join(root, 'dist'), path.join(dir, 'dist'), { recursive: true });
  cpSync(path.join(root, 'scripts', 'build.mjs'), path.join(dir, 'scripts', 'build.mjs'));
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const t0 = Date.now();
  const install = spawnSync(
    npm,
    ['ci', '--omit=dev', '--omit=optional', '--ignore-scripts', '--no-audit', '--no-fund'],
    {
      cwd: dir,
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  if (install.status !== 0) fail(`npm ci --omit=dev exited with ${install.status}`);
  console.log(`runtime stage: npm ci --omit=dev in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  // `npm run admin` as an operator types it in the container: the pre-hook builds nothing.
  const admin = spawnSync(npm, ['run', '--silent', 'admin', '--', 'help'], {
    cwd: dir,
    env: { ...process.env, DATA_DIR: path.join(dir, 'data-admin') },
    encoding: 'utf8',
  });
  if (admin.status !== 0 || !admin.stdout.includes('backup --out'))
    fail(`npm run admin -- help failed (${admin.status}): ${admin.stderr.slice(0, 500)}`);
  const present = FORBIDDEN.filter((p) => existsSync(path.join(dir, 'node_modules', p)));
  if (present.length > 0) fail(`the production install contains ${present.join(', ')}`);
  const du = spawnSync('du', ['-sk', path.join(dir, 'node_modules'), path.join(dir, 'dist')], {
    encoding: 'utf8',
  });
  if (du.status === 0) {
    const [deps, dist] = du.stdout
      .trim()
      .split('\n')
      .map((l) => Number(l.split('\t')[0]) / 1024);
    console.log(`runtime stage: node_modules ${deps.toFixed(1)} MB, dist ${dist.toFixed(1)} MB`);
  }

  const port = await freePort();
  const started = Date.now();
  // The image's CMD and ENV: node --max-semi-space-size=4 dist/src/main.js with
  // MALLOC_ARENA_MAX=2, as the non-root user, with DATA_DIR on a volume.
  const child = spawn(process.execPath, ['--max-semi-space-size=4', 'dist/src/main.js'], {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      MALLOC_ARENA_MAX: '2',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: path.join(dir, 'data'),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let ready = false;
  while (Date.now() - started < READY_TIMEOUT_MS) {
    const r = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
    if (r?.status === 200) {
      ready = true;
      console.log(
        `runtime stage: /readyz 200 after ${((Date.now() - started) / 1000).toFixed(1)} s — ${await r.text()}`,
      );
      break;
    }
    if (child.exitCode !== null) break;
    await new Promise((res) => setTimeout(res, 250));
  }
  child.kill('SIGTERM');
  const { code, signal } = await exited;
  if (!ready) fail(`/readyz never answered 200 (exit ${code ?? signal})`);
  if (code !== 0) fail(`the server exited with ${code ?? signal} on SIGTERM`);
  const version = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
  console.log(
    `runtime stage: OK (cds-bot ${version}, node ${process.version}, clean exit on SIGTERM)`,
  );
} finally {
  cleanup();
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}
