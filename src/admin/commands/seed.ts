/** `seed`: loads the default Hà Tĩnh data (idempotent). */
import { seed } from '../seed.js';
import { UsageError } from '../types.js';
import type { AdminCommand } from '../types.js';

export const command: AdminCommand = {
  name: 'seed',
  usage: 'seed',
  summary: 'load the default Hà Tĩnh units, indicators, services (and schedule)',
  async run(args, io, deps) {
    if (args.length) throw new UsageError('seed takes no arguments');
    const result = await seed(deps.db, {
      now: deps.now(),
      actor: 'cli',
      progress: (step, done, total) => {
        if (io.isTTY && (done === total || done % 25 === 0)) {
          io.stderr.write(`\rseed ${step}: ${done}/${total}${done === total ? '\n' : ''}`);
        }
      },
    });
    for (const [step, s] of Object.entries(result)) {
      const counts = Object.entries(s.counts)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
      io.stdout.write(`seed ${step}: ${counts}\n`);
    }
    for (const what of Object.keys(result))
      await deps.onChange?.(what === 'history' ? 'units' : what);
    return 0;
  },
};
