/**
 * npm run bench:sim — drives POST /sim/api/messages with /help for 10 s (autocannon, loopback),
 * once on the embedded defaults and once on PostgreSQL + Redis. Reports req/s, p99 latency,
 * and the server's RSS at idle and after the run. The server runs as a child process.
 */
import autocannon from 'autocannon';
import { startServer, type Backend } from './server-process.js';

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const USERS = 200;

async function run(backend: Backend) {
  const server = await startServer(backend);
  try {
    // Warm up (JIT, pools, first transaction).
    for (let i = 0; i < 20; i++) {
      await fetch(`${server.url}/sim/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: `warm-${i}`, text: '/help' }),
      });
    }
    await new Promise((r) => setTimeout(r, 1000));
    const idle = server.rssMb();
    let n = 0;
    const result = await autocannon({
      url: `${server.url}/sim/api/messages`,
      connections: CONNECTIONS,
      duration: DURATION,
      requests: [
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          setupRequest: (req) => ({
            ...req,
            body: JSON.stringify({ user: `bench-${n++ % USERS}`, text: '/help' }),
          }),
        },
      ],
    });
    const after = server.rssMb();
    return {
      backend,
      'req/s': Math.round(result.requests.average),
      'p50 ms': result.latency.p50,
      'p99 ms': result.latency.p99,
      non2xx: result.non2xx,
      errors: result.errors,
      'RSS idle MiB': idle,
      'RSS after MiB': after,
    };
  } finally {
    await server.stop();
  }
}

const rows = [];
for (const backend of ['embedded', 'postgres+redis'] as Backend[]) {
  console.error(`bench:sim — ${backend}, ${DURATION} s, ${CONNECTIONS} connections…`);
  rows.push(await run(backend));
}
console.table(rows);
