/**
 * npm run bench:scale — several instances on one PostgreSQL + Redis (issue 16.4): three server
 * processes (the compiled build; `--source` runs tsx) behind a loopback round-robin balancer
 * (this harness: each delivery goes to the next live instance; a refused or broken connection
 * takes the instance out and the update is delivered again to the next one, as Telegram
 * redelivers an update that got no 200), fed at a fixed rate with Telegram webhook updates —
 * one-line reports, their confirmations (the Xác nhận button read from the reply the fake Bot
 * API received) and citizens' questions — one update at a time per chat, as Telegram does.
 * Optionally SIGKILLs one instance halfway (--kill).
 *
 * Checked at the end, against the database:
 *   - no error answers (5xx/4xx) other than connection failures of the killed instance;
 *   - every acknowledged confirmation is one figure version (no lost figure, none twice),
 *     and each chat's versions are in the order the chat sent them;
 *   - RSS of each surviving instance at start and end.
 *
 *   npm run bench:scale -- [--duration 60] [--rate 150] [--chats 300] [--kill] [--source]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createDb } from '../src/db/client.js';
import { startFakeBotApi, type RecordedCall } from '../test/channels/fakes/bot-api.js';
import { addPerson } from '../test/domain/people/fixture.js';
import { PG_ADMIN_URL, REDIS_URL, rssOf } from './server-process.js';

const TOKEN = '7000002:BENCH-SCALE';
const SECRET = 'bench_scale-secret';
const DENOMINATOR = 1_000_000;
const QUESTIONS = ['làm giấy khai sinh online được không', 'dang ky tam tru', 'cấp lại căn cước'];

export interface ScaleOptions {
  instances: number;
  durationS: number;
  rate: number;
  chats: number;
  /** SIGKILL instance 0 at half time. */
  kill: boolean;
  /** Run the servers from source through tsx instead of dist/. */
  source: boolean;
  log?: (line: string) => void;
}

export interface ScaleResult {
  sent: number;
  acknowledged: number;
  /** Deliveries that failed on a connection (the killed instance) and were delivered again. */
  redelivered: number;
  /** HTTP answers other than 200 before any kill (should be none). */
  errorAnswers: Record<string, number>;
  /** 503s after the kill (chats whose lock the killed instance held; delivered again). */
  retriedAfterKill: number;
  /** Updates never acknowledged despite redelivery (should be 0). */
  unacknowledged: number;
  confirmsAcknowledged: number;
  versions: number;
  /** Acknowledged confirmations without their figure version. */
  lost: number;
  /** Figure versions recorded more than once. */
  duplicates: number;
  /** Chats whose versions are not in the order the chat confirmed them. */
  outOfOrder: number;
  achievedRate: number;
  rssStartMb: number[];
  rssEndMb: (number | null)[];
  /** Rows of pg-boss's housekeeping schedule fired more than once per tick (should be 0). */
  jobTicksTwice: number;
}

interface Instance {
  port: number;
  child: ChildProcess;
  alive: boolean;
  dataDir: string;
  output: string;
}

function startInstance(env: Record<string, string>, source: boolean): Instance {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cds-scale-'));
  const args = source ? ['--import', 'tsx', 'src/main.ts'] : ['dist/src/main.js'];
  const child = spawn(process.execPath, args, {
    env: { ...env, PORT: String(port), DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const inst: Instance = { port, child, alive: true, dataDir, output: '' };
  const keep = (d: Buffer) => {
    inst.output = (inst.output + d.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  child.once('exit', () => {
    inst.alive = false;
  });
  return inst;
}

async function waitReady(inst: Instance, timeoutMs = 240_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!inst.alive) throw new Error(`instance exited early:\n${inst.output}`);
    const ok = await fetch(`http://127.0.0.1:${inst.port}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`instance not ready:\n${inst.output}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** POST one update; resolves with the status, or 'connection' when the socket failed. */
function post(port: number, body: string): Promise<number | 'connection'> {
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/webhooks/telegram',
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'x-telegram-bot-api-secret-token': SECRET,
        },
        timeout: 30_000,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve('connection'));
    req.on('timeout', () => req.destroy());
    req.end(body);
  });
}

export async function runScale(o: ScaleOptions): Promise<ScaleResult> {
  const log = o.log ?? ((l: string) => console.error(l));
  if (!o.source) {
    const build = spawnSync(process.execPath, ['scripts/build.mjs', '--if-stale'], {
      stdio: 'inherit',
    });
    if (build.status !== 0) throw new Error('npm run build failed');
  }
  const api = await startFakeBotApi();
  const dbName = `cds_scale_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${dbName}`;
  const databaseUrl = u.toString();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl,
    // Every instance must share the secrets (same pepper, same token key).
    INVITE_CODE_PEPPER: randomBytes(32).toString('hex'),
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    REDIS_URL,
    REDIS_KEY_PREFIX: `cds-scale:${randomBytes(4).toString('hex')}:`,
    PUBLIC_URL: 'https://cds-bot.example.test',
    TELEGRAM_BOT_TOKEN: TOKEN,
    TELEGRAM_WEBHOOK_SECRET: SECRET,
    TELEGRAM_API_ROOT: api.url,
    SHUTDOWN_TIMEOUT_MS: '5000',
  };
  const instances: Instance[] = [];
  const db = await createDb({ databaseUrl, dataDir: os.tmpdir(), poolMax: 2 });
  try {
    // The first instance migrates and seeds; the others start on a ready database.
    log(`bench:scale — starting ${o.instances} instances on ${dbName}…`);
    instances.push(startInstance(env, o.source));
    await waitReady(instances[0]!);
    for (let i = 1; i < o.instances; i++) instances.push(startInstance(env, o.source));
    await Promise.all(instances.map((i) => waitReady(i)));

    const communes = await db.prisma.unit.findMany({
      where: { level: 'commune', effectiveTo: null },
      orderBy: { code: 'asc' },
    });
    const persons: string[] = [];
    for (let c = 0; c < o.chats; c++) {
      persons.push(
        await addPerson(db, {
          name: `Cán bộ ${c}`,
          unitId: communes[c % communes.length]!.id,
          role: 'reporter',
          channel: 'telegram',
          externalId: String(50_000 + c),
        }),
      );
    }
    await new Promise((r) => setTimeout(r, 2000));
    const rssStartMb = instances.map((i) => rssOf(i.child.pid!));

    // Per chat: report → confirm → question, one update in flight at a time.
    const confirmButton = new Map<number, string>();
    api.respond = (call: RecordedCall) => {
      if (call.method !== 'sendMessage') return undefined;
      const raw = call.body.reply_markup;
      const kb = (typeof raw === 'string' ? JSON.parse(raw) : raw) as
        { inline_keyboard?: { text: string; callback_data?: string }[][] } | undefined;
      const ok = kb?.inline_keyboard?.flat().find((b) => b.text === 'Xác nhận');
      if (ok?.callback_data) confirmButton.set(Number(call.body.chat_id), ok.callback_data);
      return undefined;
    };
    const step = new Array<number>(o.chats).fill(0);
    const busy = new Array<boolean>(o.chats).fill(false);
    /** Per chat, the figures whose confirmation was acknowledged, in order. */
    const confirmed: number[][] = Array.from({ length: o.chats }, () => []);
    let nextUpdateId = 1;
    let rr = 0;
    let sent = 0;
    let acknowledged = 0;
    let redelivered = 0;
    let retriedAfterKill = 0;
    let killedAt: number | undefined;
    const errorAnswers: Record<string, number> = {};

    const deliver = async (body: string): Promise<boolean> => {
      for (let attempt = 0; attempt < 20; attempt++) {
        const live = instances.filter((i) => i.alive);
        if (live.length === 0) return false;
        const inst = live[rr++ % live.length]!;
        const status = await post(inst.port, body);
        if (status === 200) return true;
        if (status === 'connection') {
          redelivered++;
          continue;
        }
        if (status === 503 && killedAt !== undefined) retriedAfterKill++;
        else errorAnswers[String(status)] = (errorAnswers[String(status)] ?? 0) + 1;
        // A 503 asks for redelivery, as Telegram would do.
        if (status === 503) {
          await new Promise((r) => setTimeout(r, 200));
          continue;
        }
        return false;
      }
      return false;
    };

    const chatTurn = async (c: number) => {
      busy[c] = true;
      const chat = 50_000 + c;
      const id = nextUpdateId++;
      const from = { id: chat, is_bot: false, first_name: 'Bench', language_code: 'vi' };
      const phase = step[c]! % 3;
      const figure = c * 1000 + Math.floor(step[c]! / 3) + 1;
      let body: string;
      if (phase === 1 && confirmButton.has(chat)) {
        body = JSON.stringify({
          update_id: id,
          callback_query: {
            id: String(id),
            from,
            chat_instance: String(chat),
            data: confirmButton.get(chat),
            message: {
              message_id: id,
              date: Math.floor(Date.now() / 1000),
              chat: { id: chat, type: 'private' },
            },
          },
        });
      } else {
        const text =
          phase === 0 ? `HSTT ${figure}/${DENOMINATOR}` : QUESTIONS[id % QUESTIONS.length]!;
        body = JSON.stringify({
          update_id: id,
          message: {
            message_id: id,
            date: Math.floor(Date.now() / 1000),
            chat: { id: chat, type: 'private', first_name: 'Bench' },
            from,
            text,
          },
        });
      }
      sent++;
      const ok = await deliver(body);
      if (ok) {
        acknowledged++;
        if (phase === 1 && body.includes('callback_query')) {
          confirmed[c]!.push(figure);
          confirmButton.delete(chat);
        }
        // A report whose echo has not come back cannot be confirmed: start the cycle again.
        step[c] = phase === 1 && !body.includes('callback_query') ? step[c]! + 2 : step[c]! + 1;
      }
      busy[c] = false;
    };

    log(`bench:scale — ${o.rate} updates/s for ${o.durationS} s over ${o.chats} chats…`);
    const started = Date.now();
    const pending = new Set<Promise<void>>();
    let killed = false;
    let cursor = 0;
    let skipped = 0;
    for (let tick = 0; Date.now() - started < o.durationS * 1000; tick++) {
      const due = started + (tick * 1000) / o.rate;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (o.kill && !killed && Date.now() - started > (o.durationS * 1000) / 2) {
        killed = true;
        killedAt = Date.now();
        log('bench:scale — SIGKILL instance 0');
        instances[0]!.child.kill('SIGKILL');
      }
      // The next chat with no update in flight (Telegram sends a chat's updates in order).
      let c = -1;
      for (let k = 0; k < o.chats; k++) {
        const cand = (cursor + k) % o.chats;
        if (!busy[cand]) {
          c = cand;
          break;
        }
      }
      cursor = (cursor + 1) % o.chats;
      if (c < 0) {
        skipped++;
        continue;
      }
      const p = chatTurn(c);
      pending.add(p);
      void p.finally(() => pending.delete(p));
    }
    await Promise.all(pending);
    const elapsed = (Date.now() - started) / 1000;
    const rssEndMb = instances.map((i) => (i.alive ? rssOf(i.child.pid!) : null));
    if (skipped) log(`bench:scale — ${skipped} ticks found every chat busy`);

    // Against the database: each acknowledged confirmation is exactly one version, in order.
    const rows = await db.prisma.$queryRawUnsafe<{ person: string; n: string; at: Date }[]>(
      `SELECT v.person_id AS person, (v.new_data->>'numerator') AS n, v.at
         FROM submission_version v ORDER BY v.at, v.id`,
    );
    const byPerson = new Map<string, number[]>();
    for (const r of rows) {
      const list = byPerson.get(r.person) ?? [];
      list.push(Number(r.n));
      byPerson.set(r.person, list);
    }
    let lost = 0;
    let duplicates = 0;
    let outOfOrder = 0;
    let confirmsAcknowledged = 0;
    confirmed.forEach((figures, c) => {
      confirmsAcknowledged += figures.length;
      const got = byPerson.get(persons[c]!) ?? [];
      for (const f of figures) if (!got.includes(f)) lost++;
      duplicates += got.length - new Set(got).size;
      for (let k = 1; k < got.length; k++) if (got[k]! < got[k - 1]!) outOfOrder++;
    });
    const [ticks] = await db.prisma
      .$queryRawUnsafe<{ n: bigint }[]>(
        `SELECT count(*) AS n FROM (
         SELECT name, singleton_on FROM pgboss.job WHERE singleton_on IS NOT NULL
          GROUP BY name, singleton_on HAVING count(*) > 1) t`,
      )
      .catch(() => [{ n: 0n }]);
    return {
      sent,
      acknowledged,
      redelivered,
      errorAnswers,
      retriedAfterKill,
      unacknowledged: sent - acknowledged,
      confirmsAcknowledged,
      versions: rows.length,
      lost,
      duplicates,
      outOfOrder,
      achievedRate: Math.round(sent / elapsed),
      rssStartMb,
      rssEndMb,
      jobTicksTwice: Number(ticks?.n ?? 0),
    };
  } finally {
    for (const i of instances) if (i.alive) i.child.kill('SIGTERM');
    await Promise.all(
      instances.map(
        (i) =>
          new Promise<void>((r) => {
            if (!i.alive) return r();
            const t = setTimeout(() => {
              i.child.kill('SIGKILL');
              r();
            }, 15_000);
            i.child.once('exit', () => {
              clearTimeout(t);
              r();
            });
          }),
      ),
    );
    for (const i of instances) rmSync(i.dataDir, { recursive: true, force: true });
    await db.close();
    agent.destroy();
    await api.close();
    const a = new pg.Client({ connectionString: PG_ADMIN_URL });
    await a.connect();
    await a.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await a.end();
  }
}

if (process.argv[1]?.endsWith('scale.ts')) {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '60' },
      rate: { type: 'string', default: '150' },
      chats: { type: 'string', default: '300' },
      instances: { type: 'string', default: '3' },
      kill: { type: 'boolean', default: false },
      source: { type: 'boolean', default: false },
    },
  });
  const r = await runScale({
    instances: Number(values.instances),
    durationS: Number(values.duration),
    rate: Number(values.rate),
    chats: Number(values.chats),
    kill: values.kill,
    source: values.source,
  });
  console.log(
    `\nbench:scale (node ${process.version}, load ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')})`,
  );
  console.log(JSON.stringify(r, null, 2));
  const ok =
    r.unacknowledged === 0 &&
    r.lost === 0 &&
    r.duplicates === 0 &&
    r.outOfOrder === 0 &&
    Object.keys(r.errorAnswers).length === 0;
  console.log(ok ? 'OK' : 'FAILED');
  process.exit(ok ? 0 : 1);
}
