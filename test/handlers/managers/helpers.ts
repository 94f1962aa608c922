/**
 * A whole app for the managers' tests: the simulator channel, the durable delivery queue on
 * pg-boss (so reminders really arrive in `GET /sim/api/messages`), the Hà Tĩnh seed, a clock
 * the test moves, and the reminder run the cron performs, callable at any instant.
 */
import { pino } from 'pino';
import { CitizenService } from '../../../src/citizens/service.js';
import { createInvitation } from '../../../src/domain/people/index.js';
import { createServiceFactory } from '../../../src/services/index.js';
import { runReminders, type RunResult } from '../../../handlers/managers/jobs.js';
import { startTestApp, type TestApp } from '../../helpers/app.js';
import { seedHaTinh } from '../reporting/helpers.js';

export const vn = (iso: string): Date => new Date(`${iso}+07:00`);

export interface Reply {
  text: string;
  buttons: { label: string; data: string }[];
  button(label: string): string;
}

export interface ManagersTestApp extends TestApp {
  setNow(d: Date): void;
  say(user: string, text: string): Promise<Reply>;
  press(user: string, data: string): Promise<Reply>;
  link(user: string, unitCode: string, role?: 'reporter' | 'manager' | 'admin'): Promise<void>;
  /** What the cron does at `at` (and `reminders run --at`). */
  runAt(at: Date): Promise<RunResult[]>;
  /** Proactive messages received by a simulator user so far (waits up to `waitMs` for `min`). */
  inbox(user: string, min?: number, waitMs?: number): Promise<Reply[]>;
  /** The first proactive message of a user containing `text` (waits for it to arrive). */
  arrived(user: string, text: string, waitMs?: number): Promise<Reply>;
}

function toReply(r: { text: string; buttons?: { label: string; data: string }[][] }[]): Reply {
  const text = r.map((x) => x.text).join('\n---\n');
  const buttons =
    [...r]
      .reverse()
      .find((x) => x.buttons?.length)
      ?.buttons?.flat() ?? [];
  return {
    text,
    buttons,
    button(label) {
      const b = buttons.find((x) => x.label === label);
      if (!b) throw new Error(`no button '${label}' in ${JSON.stringify(buttons)} after:\n${text}`);
      return b.data;
    },
  };
}

export async function startManagersApp(
  start: Date,
  env: Record<string, string> = {},
): Promise<ManagersTestApp> {
  let now = start;
  const t = await startTestApp(env, { clock: () => now }, { jobs: true });
  await seedHaTinh(t.testDb.db);
  const prisma = t.testDb.db.prisma;
  const logger = pino({ level: 'silent' });
  const services = createServiceFactory({
    root: prisma,
    citizens: new CitizenService({ prisma, logger }),
    logger,
    delivery: () => t.app.delivery,
  });
  const received = new Map<string, Reply[]>();
  const self: ManagersTestApp = {
    ...t,
    setNow(d) {
      now = d;
    },
    async say(user, text) {
      return toReply((await t.sim(user, { text })).replies);
    },
    async press(user, data) {
      return toReply((await t.sim(user, { button: data })).replies);
    },
    async link(user, unitCode, role = 'reporter') {
      const { code } = await createInvitation(prisma, { unitCode, role, createdBy: 'cli', now });
      const r = toReply((await t.sim(user, { text: `/link ${code}` })).replies);
      if (!/Đã liên kết/.test(r.text)) throw new Error(`link failed: ${r.text}`);
    },
    runAt(at) {
      return runReminders(
        services.standalone(),
        (locale) => t.app.i18n.translator(locale ?? t.app.i18n.defaultLocale),
        at,
      );
    },
    async inbox(user, min = 0, waitMs = 20_000) {
      const list = received.get(user) ?? [];
      received.set(user, list);
      const until = Date.now() + waitMs;
      for (;;) {
        const res = await fetch(`${t.url}/sim/api/messages?user=${encodeURIComponent(user)}`);
        const body = (await res.json()) as {
          messages: { text: string; buttons?: { label: string; data: string }[][] }[];
        };
        for (const m of body.messages) list.push(toReply([m]));
        if (list.length >= min || Date.now() > until) return list;
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async arrived(user, text, waitMs = 20_000) {
      const until = Date.now() + waitMs;
      for (;;) {
        const found = (await self.inbox(user, 0, 0)).find((m) => m.text.includes(text));
        if (found) return found;
        if (Date.now() > until) throw new Error(`no message with '${text}' for ${user}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
  };
  return self;
}
