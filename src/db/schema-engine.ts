/**
 * Offline access to Prisma's schema engine (migrations and diffs) through its WebAssembly build.
 *
 * Why: the Prisma CLI downloads a native schema engine at start-up, which fails on machines
 * without internet. `@prisma/schema-engine-wasm` does the same work in-process when handed a
 * driver adapter factory. We instantiate the `.wasm` ourselves so no Node flag
 * (`--experimental-wasm-modules`) is needed.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import * as bg from '@prisma/schema-engine-wasm/schema_engine_bg';
import type { MigrationList, SchemaEngine } from '@prisma/schema-engine-wasm/schema_engine_bg';

/** Repository root (two levels above src/db). */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SCHEMA_PATH = path.join(PROJECT_ROOT, 'prisma', 'schema.prisma');
export const MIGRATIONS_DIR = path.join(PROJECT_ROOT, 'prisma', 'migrations');

const LOCKFILE_NAME = 'migration_lock.toml';

let initialised: Promise<void> | undefined;
let instantiated: (WebAssembly.Exports & { memory?: WebAssembly.Memory }) | undefined;

/** Instantiates the wasm module once per process (it is ~10 MB; doing it twice wastes memory). */
function initWasm(): Promise<void> {
  initialised ??= (async () => {
    const require = createRequire(import.meta.url);
    // The package's "exports" hides the .wasm: resolve the JS entry and take its sibling.
    const entry = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const wasmPath = path.join(path.dirname(entry), 'schema_engine_bg.wasm');
    const bytes = await readFile(wasmPath);
    const { instance } = await WebAssembly.instantiate(bytes, {
      './schema_engine_bg.js': bg as unknown as WebAssembly.ModuleImports,
    });
    const exports = instance.exports as WebAssembly.Exports & { __wbindgen_start?: () => void };
    bg.__wbg_set_wasm(exports);
    exports.__wbindgen_start?.();
    instantiated = exports;
  })();
  return initialised;
}

/**
 * Stands in for the released engine's exports: a promise the engine awaited may still settle
 * after `applyMigrations` returned and call back into it; that call now does nothing instead of
 * throwing on a missing instance (the engine that waited is already freed).
 */
const RELEASED: WebAssembly.Exports = new Proxy({}, { get: () => () => 0 });

/**
 * Lets the garbage collector take the schema engine (its compiled code and its memory) once a
 * server has migrated: nothing else needs it until the next start. The glue module keeps the
 * instance and views of its memory in module variables: the instance is replaced, and growing
 * the memory by 0 pages detaches those views. A later `openSchemaEngine` instantiates it again.
 * Call only when no engine is open.
 */
export function releaseSchemaEngine(): void {
  if (!instantiated) return;
  instantiated.memory?.grow(0);
  bg.__wbg_set_wasm(RELEASED);
  instantiated = undefined;
  initialised = undefined;
}

/**
 * Opens a schema engine bound to a driver adapter factory (PrismaPg or PrismaPGlite).
 * The caller must `free()` it. Engine log lines go to `onLog` (default: dropped).
 */
export async function openSchemaEngine(
  factory: SqlMigrationAwareDriverAdapterFactory,
  onLog: (line: string) => void = () => {},
): Promise<SchemaEngine> {
  await initWasm();
  const schema = await readFile(SCHEMA_PATH, 'utf8');
  return bg.SchemaEngine.new(
    { datamodels: [[SCHEMA_PATH, schema]] },
    (line: string) => onLog(line),
    bindMigrationAwareSqlAdapterFactory(factory),
  );
}

/** Reads `prisma/migrations` in Prisma's layout (sorted folder names, one migration.sql each). */
export async function readMigrationList(dir: string = MIGRATIONS_DIR): Promise<MigrationList> {
  let names: string[] = [];
  try {
    names = (await readdir(dir)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const migrationDirectories: MigrationList['migrationDirectories'] = [];
  for (const name of names) {
    const full = path.join(dir, name);
    if (!(await stat(full)).isDirectory()) continue;
    let content: MigrationList['migrationDirectories'][number]['migrationFile']['content'];
    try {
      content = { tag: 'ok', value: await readFile(path.join(full, 'migration.sql'), 'utf8') };
    } catch (err) {
      content = { tag: 'error', value: String(err) };
    }
    migrationDirectories.push({
      path: name,
      migrationFile: { path: 'migration.sql', content },
    });
  }
  const lockContent: string | null = await readFile(path.join(dir, LOCKFILE_NAME), 'utf8').catch(
    () => null,
  );
  return {
    baseDir: dir,
    lockfile: { path: LOCKFILE_NAME, content: lockContent },
    shadowDbInitScript: '',
    migrationDirectories,
  };
}

/** Content Prisma writes to migration_lock.toml for PostgreSQL. */
export const LOCKFILE_CONTENT =
  '# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "postgresql"\n';
