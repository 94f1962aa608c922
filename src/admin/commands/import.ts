/**
 * `import <kind> <file>`: validates every row, reports each bad one with its line number,
 * imports nothing when any row is bad (one transaction), idempotent on re-import.
 */
import path from 'node:path';
import { loadImporters, runImport } from '../importers.js';
import { progressReporter } from '../progress.js';
import { UsageError } from '../types.js';
import type { AdminCommand } from '../types.js';

async function usage(): Promise<string> {
  const kinds = [...(await loadImporters()).keys()].sort();
  return `import ${kinds.join('|')} <file>`;
}

/** `--name value` pairs out of the arguments (an importer declares the names it takes). */
function splitOptions(args: readonly string[]): {
  positionals: string[];
  options: Record<string, string>;
} {
  const positionals: string[] = [];
  const options: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (!a.startsWith('--')) {
      positionals.push(a);
      continue;
    }
    const [name, inline] = a.slice(2).split('=', 2);
    const value = inline ?? args[++i];
    if (!name || value === undefined || value.startsWith('--'))
      throw new UsageError(`option ${a} needs a value`);
    options[name] = value;
  }
  return { positionals, options };
}

export const command: AdminCommand = {
  name: 'import',
  usage: 'import units|indicators|services|staff|schedule|synonyms <file> [--as-of <date>]',
  summary: 'validate and load a data file (all rows or nothing)',
  async run(args, io, deps) {
    const { positionals, options } = splitOptions(args);
    const [kind, file, ...rest] = positionals;
    const importers = await loadImporters();
    if (!kind || !file || rest.length) throw new UsageError(`expected: ${await usage()}`);
    const importer = importers.get(kind);
    if (!importer) {
      throw new UsageError(
        `unknown import kind "${kind}" (expected ${[...importers.keys()].sort().join(', ')})`,
      );
    }
    for (const name of Object.keys(options))
      if (!(importer.options ?? []).includes(name))
        throw new UsageError(`import ${kind} takes no --${name} option`);
    let content: Buffer;
    try {
      content = await deps.readFile(file);
    } catch (err) {
      if (err instanceof UsageError) throw err;
      throw new UsageError(
        `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
    const result = await runImport(deps.db, importer, content, {
      now: deps.now(),
      actor: 'cli',
      fileName: path.basename(file),
      progress: progressReporter(io, `import ${kind}`),
      options,
    });
    const counts = Object.entries(result.counts)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    io.stdout.write(`import ${kind}: ${result.rows} row(s) valid; ${counts}\n`);
    if (result.message) io.stdout.write(`${result.message}\n`);
    await deps.onChange?.(kind);
    return 0;
  },
};
