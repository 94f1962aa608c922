#!/usr/bin/env node
// Generates the Prisma client into src/db/generated, offline.
// Why: the Prisma CLI tries to download a native schema engine at start-up; `generate` does not
// use it, so pointing PRISMA_SCHEMA_ENGINE_BINARY at any existing file (node itself) is enough.
// `--if-missing`: skip when the client exists and is newer than prisma/schema.prisma (used as a
// pre-hook of start/test/typecheck so a fresh clone works without remembering this step).
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const schema = path.join(root, 'prisma', 'schema.prisma');
const marker = path.join(root, 'src', 'db', 'generated', 'client.ts');

if (process.argv.includes('--if-missing') && existsSync(marker)) {
  if (statSync(marker).mtimeMs >= statSync(schema).mtimeMs) process.exit(0);
}

const require = createRequire(import.meta.url);
const cli = require.resolve('prisma/build/index.js');
const env = { ...process.env };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY || !existsSync(env.PRISMA_SCHEMA_ENGINE_BINARY)) {
  env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath;
}
env.PRISMA_HIDE_UPDATE_MESSAGE = '1';
env.CHECKPOINT_DISABLE = '1';
const r = spawnSync(process.execPath, [cli, 'generate', `--schema=${schema}`], {
  cwd: root,
  env,
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
