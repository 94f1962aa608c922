#!/usr/bin/env node
// A freshly initialised embedded PostgreSQL cluster, made once at build time.
// Why: PGlite runs initdb inside the server process on a first start, and that alone peaks at
// ~700 MiB RSS (the initdb wasm instance plus a copy of PostgreSQL's heap) for ~20 s. Starting
// from this tarball instead (PGlite's `loadDataDir`) peaks at ~280 MiB and takes a few seconds.
// The file name carries the PGlite version, so a server never opens a cluster made by another
// PGlite build; without a matching file it runs initdb as before (src/db/client.ts).
//
// Usage: node scripts/pglite-template.mjs <out-dir>   → <out-dir>/template-<version>.tar.gz
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The installed PGlite's version, read from its package.json (not exported as a module). */
export function pgliteVersion(from = import.meta.url) {
  const require = createRequire(from);
  let dir = path.dirname(require.resolve('@electric-sql/pglite'));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
      if (pkg.name === '@electric-sql/pglite') return pkg.version;
    } catch {
      /* not the package root yet */
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error('@electric-sql/pglite: package.json not found');
    dir = up;
  }
}

export const templateName = (version) => `template-${version}.tar.gz`;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const outDir = process.argv[2];
  if (!outDir) {
    console.error('usage: node scripts/pglite-template.mjs <out-dir>');
    process.exit(2);
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const pg = await PGlite.create('memory://');
  const blob = await pg.dumpDataDir('gzip');
  await pg.close();
  mkdirSync(outDir, { recursive: true });
  const out = path.join(outDir, templateName(pgliteVersion()));
  writeFileSync(out, Buffer.from(await blob.arrayBuffer()));
  console.error(`cds-bot: embedded database template ${path.relative(process.cwd(), out)}`);
}
