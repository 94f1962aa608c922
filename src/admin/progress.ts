/**
 * Progress lines on stderr, only when it is a terminal (never in logs or captured output).
 * Throttled so thousands of rows don't flood the terminal.
 */
import type { AdminIO } from './types.js';

export function progressReporter(
  io: AdminIO,
  label: string,
): (done: number, total: number) => void {
  let last = 0;
  return (done, total) => {
    if (!io.isTTY) return;
    const t = Date.now();
    if (done < total && t - last < 100) return;
    last = t;
    io.stderr.write(`\r${label}: ${done}/${total}${done >= total ? '\n' : ''}`);
  };
}
