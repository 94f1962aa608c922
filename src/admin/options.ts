/**
 * Option parsing shared by the admin commands: strict `--name value` options, no stray words,
 * and the `--period` every reporting command takes — each failure a UsageError (exit code 2)
 * that says what to type.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parsePeriod, type Period } from '../domain/periods.js';
import { UsageError } from './types.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parse `args` against `options`; unknown options and positional words are usage errors. */
export function parseOptions<O extends Options>(args: string[], options: O) {
  let parsed;
  try {
    parsed = parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const [stray] = parsed.positionals;
  if (stray !== undefined) throw new UsageError(`unexpected argument '${stray}'`);
  return parsed.values;
}

/** The required `--period <period>`, read at `now` (T10/2025, Q3/2025, năm 2025…). */
export function requirePeriod(value: string | undefined, now: Date): Period {
  if (!value) throw new UsageError('--period <period> is required (e.g. T10/2025, Q3/2025)');
  const period = parsePeriod(value, now);
  if (!period) throw new UsageError(`bad period '${value}' (e.g. T10/2025, Q3/2025, năm 2025)`);
  return period;
}

/** An enumerated option with its default: `--format csv|xlsx`. */
export function oneOf<T extends string>(
  name: string,
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  const v = value ?? fallback;
  if (!(allowed as readonly string[]).includes(v))
    throw new UsageError(`bad --${name} '${v}' (${allowed.join(', ')})`);
  return v as T;
}
