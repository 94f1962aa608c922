/**
 * Admin command registry. One file per command in ./commands/, exporting `command` (or
 * `commands` for a family). Files are discovered at run time so helpers can add commands
 * without editing a shared list.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AdminCommand } from './types.js';

let cache: Promise<Map<string, AdminCommand>> | undefined;

/** All commands by name (cached per process). */
export function loadCommands(): Promise<Map<string, AdminCommand>> {
  cache ??= (async () => {
    const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'commands');
    const files = (await readdir(dir))
      .filter((f) => /\.(ts|js|mjs)$/.test(f) && !/\.d\.ts$|\.test\./.test(f))
      .sort();
    const map = new Map<string, AdminCommand>();
    for (const f of files) {
      const mod = (await import(pathToFileURL(path.join(dir, f)).href)) as {
        command?: AdminCommand;
        commands?: AdminCommand[];
      };
      for (const c of [...(mod.command ? [mod.command] : []), ...(mod.commands ?? [])]) {
        if (map.has(c.name)) throw new Error(`admin command "${c.name}" defined twice (${f})`);
        map.set(c.name, c);
      }
    }
    return map;
  })();
  return cache;
}
