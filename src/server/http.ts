import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import express, {
  type ErrorRequestHandler,
  type Express,
  type RequestHandler,
  type Response,
  type Router,
} from 'express';
import helmet from 'helmet';
import { safeEqual } from '../core/safe-equal.js';
import type { Logger } from 'pino';
import { metricsAuthorized, type AppMetrics } from './metrics.js';

export interface HealthCheck {
  name: string;
  check(): Promise<void>;
}

/** Runs an admin command line in-process (src/admin/endpoint.ts); files are base64. */
export type AdminRunner = (
  argv: string[],
  files: Record<string, string>,
  stdin?: string,
  /** Who runs it, for the audit log (e.g. `admin-api 127.0.0.1`). */
  who?: string,
) => Promise<{ exitCode: number; stdout: string; stderr: string }>;

export interface HttpDeps {
  logger: Logger;
  /** Body limit of the webhooks and the simulator API (BODY_LIMIT). */
  bodyLimit: string;
  /** Body limit of authenticated admin requests (ADMIN_BODY_LIMIT, default 20mb). */
  adminBodyLimit?: string;
  /** Answer admin requests from other hosts than loopback (ADMIN_ALLOW_REMOTE). */
  adminAllowRemote?: boolean;
  /** Clock of the wrong-token back-off (tests). */
  clock?: () => number;
  /** Routers to mount, e.g. { '/webhooks/telegram': router, '/sim': router }. */
  mounts: Record<string, Router>;
  /** Dependencies /readyz checks (database, state store). */
  readiness: HealthCheck[];
  adminToken?: () => string | undefined;
  runAdmin?: AdminRunner;
  /**
   * Streamed admin routes (same bearer token): `GET /admin/api/backup` writes a backup into the
   * response, `POST /admin/api/restore` restores the request body. A bad backup is 400.
   */
  adminStreams?: {
    backup(out: Writable): Promise<unknown>;
    restore(input: Readable): Promise<unknown>;
    isBadInput(err: unknown): boolean;
  };
  /** Links on the landing page `/` (e.g. the simulator when it is on). */
  landing?: { href: string; label: string }[];
  /** `GET /metrics` here, behind `Authorization: Bearer <token>`, when a token is given. */
  metrics?: { registry: AppMetrics; token?: string };
  /** Detail shown in `/readyz` that does not decide readiness (per-channel health). */
  readinessDetail?: () => Record<string, unknown>;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** `/`: a small page naming the bot and linking what this server offers to people. */
function landingPage(links: readonly { href: string; label: string }[]): string {
  const items = links
    .map((l) => `<li><a href="${escapeHtml(l.href)}">${escapeHtml(l.label)}</a></li>`)
    .join('');
  return `<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,"><title>cds-bot</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem}a{display:inline-block;min-height:44px;line-height:44px}</style></head><body><h1>cds-bot</h1><p>Trợ lý chuyển đổi số trên Zalo và Telegram.</p>${items ? `<ul>${items}</ul>` : ''}</body></html>`;
}

/**
 * The Express 5 application: security headers, body size limit, health endpoints, the
 * channel routers, the authenticated admin endpoint the CLI uses, JSON 404 and JSON errors.
 */
export function createHttpApp(deps: HttpDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'", "'unsafe-inline'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          connectSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          // The simulator is served over plain http on loopback in development.
          upgradeInsecureRequests: null,
        },
      },
    }),
  );

  app.get('/', (_req, res) => {
    res.type('html').send(landingPage(deps.landing ?? []));
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', uptime: Math.round(process.uptime()) });
  });

  app.get('/readyz', async (_req, res) => {
    const results = await Promise.all(
      deps.readiness.map(async (h) => {
        try {
          await withTimeout(h.check(), 2000);
          return [h.name, 'ok'] as const;
        } catch (err) {
          deps.logger.warn({ check: h.name, err: describe(err) }, 'readiness check failed');
          return [h.name, 'unavailable'] as const;
        }
      }),
    );
    const ok = results.every(([, s]) => s === 'ok');
    res.status(ok ? 200 : 503).json({
      status: ok ? 'ok' : 'unavailable',
      checks: Object.fromEntries(results),
      ...deps.readinessDetail?.(),
    });
  });

  const metricsToken = deps.metrics?.token;
  if (deps.metrics && metricsToken) {
    const metrics = deps.metrics.registry;
    app.get('/metrics', async (req, res) => {
      if (!metricsAuthorized(req.get('authorization'), metricsToken)) {
        res.status(401).json({ error: 'unauthorized' });
        return;
      }
      const { contentType, body } = await metrics.render();
      res.type(contentType).send(body);
    });
  }

  for (const [path, router] of Object.entries(deps.mounts)) app.use(path, router);

  // The admin gate (loopback unless ADMIN_ALLOW_REMOTE, back-off, bearer token) guards every
  // admin route, the streamed backup and restore included.
  let gate: RequestHandler | undefined;
  if (deps.adminToken) {
    const token = deps.adminToken;
    const backOff = createBackOff(deps.clock ?? Date.now);
    // Order matters: where from, then the token — both before a byte of the body is read.
    gate = (req, res, next) => {
      const from = req.ip ?? req.socket.remoteAddress ?? '';
      if (!deps.adminAllowRemote && !isLoopbackAddress(from)) {
        refuse(res, 403, 'admin endpoint answers loopback only (ADMIN_ALLOW_REMOTE)');
        return;
      }
      const wait = backOff.waitMs(from);
      if (wait > 0) {
        res.set('retry-after', String(Math.ceil(wait / 1000)));
        refuse(res, 429, 'too many wrong tokens, retry later');
        return;
      }
      const expected = token();
      const given = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
      if (!expected || !given || !safeEqual(given, expected)) {
        backOff.failed(from);
        deps.logger.warn({ from }, 'admin endpoint: wrong or missing token');
        refuse(res, 401, 'unauthorized');
        return;
      }
      backOff.succeeded(from);
      next();
    };
  }

  if (deps.runAdmin && gate) {
    const runAdmin = deps.runAdmin;
    const adminJson = express.json({ limit: deps.adminBodyLimit ?? '20mb' });
    app.post('/admin/api/run', gate, adminJson, async (req, res) => {
      const body = req.body as { argv?: unknown; files?: unknown; stdin?: unknown };
      if (!Array.isArray(body?.argv) || !body.argv.every((a) => typeof a === 'string')) {
        res.status(400).json({ error: 'argv must be an array of strings' });
        return;
      }
      const files =
        body.files && typeof body.files === 'object' ? (body.files as Record<string, string>) : {};
      try {
        const stdin = typeof body.stdin === 'string' ? body.stdin : undefined;
        const who = `admin-api ${req.ip ?? ''}`.trim();
        res.json(await runAdmin(body.argv as string[], files, stdin, who));
      } catch (err) {
        deps.logger.error({ err }, 'admin command failed');
        res.status(500).json({ error: 'admin command failed' });
      }
    });
  }

  if (deps.adminStreams && gate) {
    const streams = deps.adminStreams;
    app.get('/admin/api/backup', gate, async (_req, res) => {
      res.type('application/gzip');
      res.setHeader('content-disposition', 'attachment; filename="cds-bot-backup.ndjson.gz"');
      try {
        await streams.backup(res);
      } catch (err) {
        deps.logger.error({ err }, 'backup failed');
        // Headers are out: end the stream without its end record, so the CLI sees it incomplete.
        res.destroy();
      }
    });
    // No body parser: the backup streams into the restore; the token is checked before it.
    app.post('/admin/api/restore', gate, async (req, res) => {
      try {
        res.json(await streams.restore(req));
      } catch (err) {
        if (streams.isBadInput(err)) {
          res.status(400).json({ error: (err as Error).message });
          return;
        }
        deps.logger.error({ err }, 'restore failed');
        res.status(500).json({ error: 'restore failed; nothing was changed' });
      }
    });
  }

  app.use((req, res) => {
    res.status(404).json({ error: 'not found', path: req.path });
  });

  const onError: ErrorRequestHandler = (err, req, res, _next) => {
    const e = err as { type?: string; status?: number; statusCode?: number };
    const status = e.status ?? e.statusCode ?? 500;
    if (e.type === 'entity.too.large' || status === 413) {
      res.status(413).json({ error: 'request body too large' });
    } else if (e.type === 'entity.parse.failed') {
      res.status(400).json({ error: 'malformed JSON body' });
    } else if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') {
      res.status(415).json({ error: 'unsupported encoding' });
    } else if (status >= 400 && status < 500) {
      res.status(status).json({ error: 'bad request' });
    } else {
      deps.logger.error({ err, path: req.path }, 'unhandled error');
      res.status(500).json({ error: 'internal error' });
    }
  };
  app.use(onError);
  return app;
}

export interface RunningServer {
  server: http.Server;
  url: string;
  /** Stop accepting, wait for in-flight requests up to timeoutMs, then drop idle sockets. */
  close(timeoutMs: number): Promise<void>;
}

export async function listen(app: Express, port: number, host: string): Promise<RunningServer> {
  const server = http.createServer(app);
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 120_000;
  // Responses in progress, so that a shutdown can tell each keep-alive connection to close
  // once its response ends instead of leaving it idle until keepAliveTimeout.
  const inFlight = new Set<http.ServerResponse>();
  let closing = false;
  const endKeepAlive = (res: http.ServerResponse) => {
    // Not yet sent: answer with `Connection: close`, and Node ends the socket after it.
    if (!res.headersSent) res.shouldKeepAlive = false;
  };
  server.on('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
    inFlight.add(res);
    if (closing) endKeepAlive(res);
    res.once('close', () => {
      inFlight.delete(res);
      // Headers already sent with keep-alive: the socket turns idle now; drop it.
      if (closing) setImmediate(() => server.closeIdleConnections());
    });
  });
  const addr = await listenOn(server, port, host);
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    server,
    url: `http://${shownHost}:${addr.port}`,
    close: (timeoutMs) =>
      new Promise<void>((resolve) => {
        closing = true;
        for (const res of inFlight) endKeepAlive(res);
        const timer = setTimeout(() => {
          server.closeAllConnections();
        }, timeoutMs);
        timer.unref();
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}

/** Refuse without reading the body, and close the connection so it is never read. */
function refuse(res: Response, status: number, error: string): void {
  res.set('connection', 'close');
  res.status(status).json({ error });
}

/** 127.0.0.0/8, ::1 and their IPv4-mapped forms. */
export function isLoopbackAddress(address: string): boolean {
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || /^127\.\d+\.\d+\.\d+$/.test(a);
}

/**
 * Exponential back-off per source address after wrong tokens: after the n-th consecutive
 * failure the address waits 2^(n-1) s (at most 10 min); a right token clears it.
 */
export function createBackOff(now: () => number, maxEntries = 10_000) {
  const MAX_WAIT_MS = 10 * 60_000;
  const failures = new Map<string, { count: number; until: number }>();
  return {
    waitMs(from: string): number {
      const f = failures.get(from);
      return f ? Math.max(0, f.until - now()) : 0;
    },
    failed(from: string): void {
      const count = (failures.get(from)?.count ?? 0) + 1;
      if (failures.size >= maxEntries) {
        const t = now();
        for (const [k, v] of failures) if (v.until + MAX_WAIT_MS < t) failures.delete(k);
        const oldest = failures.keys().next();
        if (failures.size >= maxEntries && !oldest.done) failures.delete(oldest.value);
      }
      failures.set(from, { count, until: now() + Math.min(MAX_WAIT_MS, 1000 * 2 ** (count - 1)) });
    },
    succeeded(from: string): void {
      failures.delete(from);
    },
  };
}

/** Listen on port/host; resolves with the bound address, rejects on a listen error. */
export async function listenOn(server: http.Server, port: number, host: string) {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server.address() as AddressInfo;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
