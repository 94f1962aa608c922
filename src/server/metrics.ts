/**
 * Prometheus metrics (prom-client), one registry per app (no global registry: tests build
 * several apps in one process). What the operator needs to see: updates by channel and outcome,
 * handler latency, the durable delivery queue (depth, deliveries by outcome), Zalo OA token
 * refresh failures, scheduled job runs (reminders among them), errors of the database and
 * Redis connections, and the process (memory, event loop, GC).
 *
 * Exposed by `createHttpApp` at `GET /metrics` when `METRICS_TOKEN` is set (bearer token), or
 * by `listenMetrics` on its own `METRICS_PORT`/`METRICS_HOST` listener — never through the
 * admin endpoint's loopback rule.
 */
import http from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { safeEqual } from '../core/safe-equal.js';
import { listenOn } from './http.js';

/** One update as the webhook route (or long polling) finished it. */
export interface UpdateEvent {
  channel: string;
  outcome: string;
  /** The handler that took it, when one did. */
  handler?: string;
  durationMs: number;
}

export interface AppMetrics {
  readonly registry: Registry;
  update(e: UpdateEvent): void;
  delivery(channel: string, outcome: DeliveryOutcome): void;
  tokenRefreshFailed(channel: string): void;
  jobRun(job: string, outcome: 'done' | 'failed', durationMs: number): void;
  dependencyError(dependency: 'database' | 'redis'): void;
  /** A defence that fired: invitation guessing paused a channel, a replayed event dropped. */
  securityEvent(event: SecurityEvent, channel: string): void;
  /** How to read the durable queue's depth (messages waiting) at scrape time. */
  queueDepth(read: () => Promise<number>): void;
  /** Prometheus text exposition of every metric. */
  render(): Promise<{ contentType: string; body: string }>;
}

export type SecurityEvent = 'invite_channel_paused' | 'stale_event_dropped';

export type DeliveryOutcome = 'sent' | 'retry' | 'failed' | 'undeliverable' | 'deferred';

/** Handler latency buckets, in seconds: a chat answer is good under 0.1 s, bad over 2 s. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10];

export function createMetrics(opts: { processMetrics?: boolean } = {}): AppMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ app: 'cds-bot' });
  if (opts.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'cds_' });

  const security = new Counter({
    name: 'cds_security_events_total',
    help: 'Defences that fired: invitation redemptions paused on a channel, replayed events dropped',
    labelNames: ['event', 'channel'] as const,
    registers: [registry],
  });
  const updates = new Counter({
    name: 'cds_updates_total',
    help: 'Platform updates by channel and outcome (processed, duplicate, ignored, invalid, failed, retry)',
    labelNames: ['channel', 'outcome'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'cds_update_duration_seconds',
    help: 'Time from an update received to its replies sent, by channel and handler',
    labelNames: ['channel', 'handler'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const deliveries = new Counter({
    name: 'cds_deliveries_total',
    help: 'Proactive deliveries by channel and outcome (sent, retry, failed, undeliverable, deferred: no rate slot)',
    labelNames: ['channel', 'outcome'] as const,
    registers: [registry],
  });
  let readDepth: (() => Promise<number>) | undefined;
  new Gauge({
    name: 'cds_delivery_queue_depth',
    help: 'Deliveries waiting in the durable queue (status queued; database-wide, the same on every instance)',
    registers: [registry],
    async collect() {
      if (readDepth) this.set(await readDepth().catch(() => Number.NaN));
    },
  });
  const tokenFailures = new Counter({
    name: 'cds_token_refresh_failures_total',
    help: 'Failed access-token refreshes by channel (Zalo OA)',
    labelNames: ['channel'] as const,
    registers: [registry],
  });
  const jobs = new Counter({
    name: 'cds_job_runs_total',
    help: 'Scheduled job runs (reminders, housekeeping) by job and outcome',
    labelNames: ['job', 'outcome'] as const,
    registers: [registry],
  });
  const jobDuration = new Histogram({
    name: 'cds_job_duration_seconds',
    help: 'Scheduled job run time by job',
    labelNames: ['job'] as const,
    buckets: [0.1, 0.5, 1, 5, 15, 60, 300],
    registers: [registry],
  });
  const depErrors = new Counter({
    name: 'cds_dependency_errors_total',
    help: 'Errors of the database and Redis (connection errors, failed readiness checks)',
    labelNames: ['dependency'] as const,
    registers: [registry],
  });
  for (const d of ['database', 'redis']) depErrors.inc({ dependency: d }, 0);

  return {
    registry,
    securityEvent(event, channel) {
      security.inc({ event, channel });
    },
    update(e) {
      updates.inc({ channel: e.channel, outcome: e.outcome });
      if (e.handler)
        latency.observe({ channel: e.channel, handler: e.handler }, e.durationMs / 1000);
    },
    delivery(channel, outcome) {
      deliveries.inc({ channel, outcome });
    },
    tokenRefreshFailed(channel) {
      tokenFailures.inc({ channel });
    },
    jobRun(job, outcome, durationMs) {
      jobs.inc({ job, outcome });
      jobDuration.observe({ job }, durationMs / 1000);
    },
    dependencyError(dependency) {
      depErrors.inc({ dependency });
    },
    queueDepth(read) {
      readDepth = read;
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

/** Bearer check for `/metrics` on the main port; undefined token = not served there. */
export function metricsAuthorized(header: string | undefined, token: string): boolean {
  const given = /^Bearer (.+)$/.exec(header ?? '')?.[1];
  return given !== undefined && safeEqual(given, token);
}

/**
 * `/metrics` on its own listener (METRICS_PORT, METRICS_HOST — e.g. an internal interface a
 * Prometheus server reaches and the public proxy does not). A token, when also set, is required
 * there too. Anything else is 404.
 */
export async function listenMetrics(
  metrics: AppMetrics,
  port: number,
  host: string,
  token?: string,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    if (token && !metricsAuthorized(req.headers.authorization, token)) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unauthorized"}');
      return;
    }
    metrics.render().then(
      ({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(body),
      () => res.writeHead(500).end(),
    );
  });
  server.keepAliveTimeout = 5000;
  const addr = await listenOn(server, port, host);
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
