#!/usr/bin/env node
// Builds the production output into dist/: compiled JavaScript of src/ and handlers/ plus the
// files they read at run time (locales, the Prisma schema, migrations and seed, config, the
// citizens' word lists). dist/ mirrors the repository layout, so paths such as
// `../../locales/` resolve the same way from dist/src/... as from src/....
//
// `--if-stale`: do nothing when dist/ is newer than every source file (the pre-hook of
// `npm start` and `npm run admin`, so a newcomer's `npm ci && npm start` builds on demand);
// also nothing when there is no src/ (an installed image ships dist/ only).
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const stamp = path.join(dist, '.built');
/** What the build reads: compiled sources and the assets copied beside them. */
const SOURCES = [
  'src',
  'handlers',
  'locales',
  'prisma',
  'config',
  'package.json',
  'tsconfig.json',
  'tsconfig.build.json',
];
const ASSETS = ['locales', 'prisma/schema.prisma', 'prisma/migrations', 'prisma/seed', 'config'];

function newest(p) {
  const st = statSync(p, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const e of readdirSync(p)) max = Math.max(max, newest(path.join(p, e)));
  return max;
}

if (process.argv.includes('--if-stale')) {
  if (!existsSync(path.join(root, 'src'))) process.exit(0);
  const built = statSync(stamp, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const src = Math.max(...SOURCES.map((s) => newest(path.join(root, s))));
  if (built >= src) process.exit(0);
  console.error('cds-bot: building dist/ (sources changed since the last build)…');
}

const run = (args) => {
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
// The Prisma client is generated TypeScript; make sure it is there before compiling.
run([path.join(root, 'scripts', 'db-generate.mjs'), '--if-missing']);
// The embedded database's initdb template (scripts/pglite-template.mjs) depends only on the
// PGlite version: keep it across builds instead of running initdb again. Imported here, not at
// the top: an installed image ships this script alone (its `--if-stale` exits above).
const { pgliteVersion, templateName } = await import('./pglite-template.mjs');
const templateDir = path.join(dist, 'pglite');
const template = path.join(templateDir, templateName(pgliteVersion()));
const keptTemplate = existsSync(template) ? readFileSync(template) : undefined;
rmSync(dist, { recursive: true, force: true });
const require = createRequire(import.meta.url);
run([require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json')]);

for (const a of ASSETS) cpSync(path.join(root, a), path.join(dist, a), { recursive: true });
// Non-TypeScript files that modules read beside themselves (e.g. src/citizens/*.txt).
function copyNonTs(dir) {
  for (const e of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) copyNonTs(rel);
    else if (!/\.(ts|tsx|mts|cts)$/.test(e.name)) {
      mkdirSync(path.join(dist, dir), { recursive: true });
      cpSync(path.join(root, rel), path.join(dist, rel));
    }
  }
}
copyNonTs('src');
copyNonTs('handlers');
if (keptTemplate) {
  mkdirSync(templateDir, { recursive: true });
  writeFileSync(template, keptTemplate);
} else run([path.join(root, 'scripts', 'pglite-template.mjs'), templateDir]);
writeFileSync(stamp, `${new Date().toISOString()}\n`);
