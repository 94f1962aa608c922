/** Mount a router on a loopback express server for webhook tests. */
import type { AddressInfo } from 'node:net';
import express, { type Router } from 'express';
import pino from 'pino';

export const silentLogger = pino({ level: 'silent' });

export interface Mounted {
  url: string;
  close(): Promise<void>;
}

export async function mount(path: string, router: Router): Promise<Mounted> {
  const app = express();
  app.use(path, router);
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A pino logger that keeps records in memory, to assert on loud log lines. */
export function memoryLogger(): { logger: pino.Logger; records: Array<Record<string, unknown>> } {
  const records: Array<Record<string, unknown>> = [];
  const logger = pino(
    { level: 'debug' },
    { write: (line: string) => void records.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { logger, records };
}
