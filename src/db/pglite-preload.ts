/**
 * The embedded database's engine (pglite.wasm, ~9 MB) and file bundle (pglite.data), read and
 * compiled ahead. `main.ts` starts this before it loads the rest of the app, so V8 compiles the
 * wasm on its background threads while the main thread loads modules; opening the database
 * then finds both ready instead of waiting for them (about 0.4 s of a restart).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

export interface PglitePreload {
  pgliteWasmModule: Promise<WebAssembly.Module>;
  fsBundle: Promise<Blob>;
}

export function preloadPglite(): PglitePreload {
  const dist = path.dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
  const pgliteWasmModule = readFile(path.join(dist, 'pglite.wasm')).then((bytes) =>
    WebAssembly.compile(bytes),
  );
  const fsBundle = readFile(path.join(dist, 'pglite.data')).then((bytes) => new Blob([bytes]));
  // A failure surfaces where the database is opened (which then loads them itself).
  pgliteWasmModule.catch(() => {});
  fsBundle.catch(() => {});
  return { pgliteWasmModule, fsBundle };
}

/** The preloaded parts as PGlite options; none when absent or when preloading failed. */
export async function preloadedOptions(
  preload: PglitePreload | undefined,
): Promise<{ pgliteWasmModule?: WebAssembly.Module; fsBundle?: Blob }> {
  if (!preload) return {};
  try {
    const [pgliteWasmModule, fsBundle] = await Promise.all([
      preload.pgliteWasmModule,
      preload.fsBundle,
    ]);
    return { pgliteWasmModule, fsBundle };
  } catch {
    return {};
  }
}
