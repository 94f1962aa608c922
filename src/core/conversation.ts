import type { Logger } from 'pino';
import type { StateStore, StoreWrites } from '../state/store.js';
import type { Audience, ComposedCommand } from './feature.js';
import type { ConversationState, Handler, HandlerContext, Locale } from './handler.js';
import type { I18n } from './i18n.js';
import { conversationKey, type InboundMessage, type OutboundReply } from './message.js';
import { InfraError, type Pipeline, type ProcessResult } from './pipeline.js';
import type { Router } from './router.js';

/** Button data that stands for a typed command: `cmd:/baocao` (see commandButton). */
export const COMMAND_BUTTON = 'cmd:';

/** A button that sends a command as if typed (Telegram keeps data within 64 bytes). */
export function commandButton(label: string, command: string): { label: string; data: string } {
  return { label, data: `${COMMAND_BUTTON}${command}` };
}

/** The longest text a handler is shown; longer messages get a polite answer instead. */
export const MAX_TEXT_LENGTH = 4000;

/**
 * What the pipeline needs from the database, so the conversation core does not depend on
 * Prisma directly (src/app.ts adapts the Prisma client to it).
 */
export interface PipelineDb<Tx> {
  /** The client outside any transaction (routing predicates, non-transactional handlers). */
  readonly root: Tx;
  /**
   * Record the update inside the transaction; throws DuplicateUpdateError when another
   * delivery recorded it first (the unique key is (channel, update id)).
   */
  markProcessed(tx: Tx | undefined, channel: string, updateId: string): Promise<void>;
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  ping(): Promise<void>;
}

/** The (channel, update id) was recorded by a concurrent delivery. */
export class DuplicateUpdateError extends Error {
  override readonly name = 'DuplicateUpdateError';
}

export interface PipelineDeps<S, Tx> {
  db: PipelineDb<Tx>;
  store: StateStore;
  router: Router<S>;
  i18n: I18n;
  logger: Logger;
  /** Domain services bound to this update's transaction. */
  services(tx: Tx, msg: InboundMessage): S;
  /** Every declared command (for /help and menus). */
  commands?: readonly ComposedCommand[];
  /**
   * The language the sender chose (/lang), from the database (per identity, the linked
   * person's choice first); undefined: none chosen, the default applies.
   */
  localeOf?(msg: InboundMessage): Promise<Locale | undefined>;
  /** Idle time after which a flow is over (default 24 h). */
  stateTtlMs: number;
  clock?: () => Date;
  lockTtlMs?: number;
  lockWaitMs?: number;
}

type StoredState = ConversationState;
type StoreWrite = NonNullable<StoreWrites['set']>[number];

// In a group the conversation is the (chat, user) pair (see conversationKey).
const stateKey = (msg: InboundMessage) => `state:${msg.channel}:${conversationKey(msg)}`;
/**
 * Lease of the per-chat lock. Short, so a redelivery after a crash (the dead process cannot
 * release) is processed within about 5 s; a live process renews it every third of the lease
 * while its handler runs, and checks it still holds it just before committing (fencing).
 */
export const DEFAULT_LOCK_TTL_MS = 5_000;

/** The lease was lost while the handler ran (the process stalled): nothing is committed. */
export class LeaseLostError extends InfraError {
  constructor() {
    super('chat lock lost before commit (process stalled past its lease); rolled back');
  }
}

export const lockKey = (msg: InboundMessage) => `lock:chat:${msg.channel}:${conversationKey(msg)}`;
const seenKey = (msg: InboundMessage) => `seen:${msg.channel}:${msg.updateId}`;
/** Platforms redeliver for at most a day (Telegram drops updates after 24 h): keep 48 h. */
const SEEN_TTL_MS = 48 * 3600_000;

/**
 * The conversation core: per-chat lock (so one chat's updates run one at a time, across
 * processes too), dedupe on (channel, update id), the handler inside one database
 * transaction together with the dedupe record (so an update takes effect at most once and
 * never half), then the new state. Replies are returned to the channel adapter to send.
 */
export function createPipeline<S, Tx>(deps: PipelineDeps<S, Tx>): Pipeline {
  const clock = deps.clock ?? (() => new Date());
  const lockTtlMs = deps.lockTtlMs ?? DEFAULT_LOCK_TTL_MS;
  const lockWaitMs = deps.lockWaitMs ?? 15_000;
  // A successful ping vouches for the database for a second: light handlers need not pay a
  // round trip each; a failure is never cached.
  let dbCheckedAt = -Infinity;
  const dbIsUp = async (): Promise<boolean> => {
    if (performance.now() - dbCheckedAt < 1000) return true;
    try {
      await deps.db.ping();
      dbCheckedAt = performance.now();
      return true;
    } catch {
      dbCheckedAt = -Infinity;
      return false;
    }
  };

  return {
    async process(received: InboundMessage): Promise<ProcessResult> {
      // The adapter cleaned the input (NFC, control characters, our bot's mention) already.
      // A command button (`cmd:/baocao`) is the command typed: one tap instead of typing.
      const msg: InboundMessage = received.button?.startsWith(COMMAND_BUTTON)
        ? { ...received, text: received.button.slice(COMMAND_BUTTON.length), button: undefined }
        : received;
      const log = deps.logger.child({
        channel: msg.channel,
        updateId: msg.updateId,
        chat: msg.chatId,
      });

      let lock;
      try {
        // The chat's state and the update's seen-record come with the lock: one round trip.
        lock = await deps.store.acquireLock(lockKey(msg), {
          ttlMs: lockTtlMs,
          waitMs: lockWaitMs,
          read: [stateKey(msg), seenKey(msg)],
        });
      } catch (err) {
        throw new InfraError('state store unavailable', { cause: err });
      }
      if (!lock) throw new InfraError('chat is busy (lock not acquired in time)');
      // Keep the lock while a slow handler runs; once lost, it stays lost (fencing below).
      let leaseLost = false;
      const keepAlive = setInterval(
        () =>
          void lock
            .extend(lockTtlMs)
            .then((held) => {
              if (!held) leaseLost = true;
            })
            .catch((err: unknown) => log.warn({ err }, 'chat lock could not be extended')),
        lockTtlMs / 3,
      );
      keepAlive.unref();
      /** Written together with the lock's release (one round trip, atomic). */
      const writes: { set: StoreWrite[]; setIfAbsent: StoreWrite[]; delete: string[] } = {
        set: [],
        setIfAbsent: [],
        delete: [],
      };
      const markSeen = () =>
        writes.setIfAbsent.push({ key: seenKey(msg), value: 1, ttlMs: SEEN_TTL_MS });
      try {
        // Taken by another delivery before (a light handler's record lives here only; a
        // transactional one's also in the database, checked at commit)? The lock makes this
        // check and the record written at release one step for every delivery of this chat.
        if (lock.read[1] !== undefined) {
          log.info('duplicate update ignored (seen before)');
          return { status: 'duplicate', replies: [] };
        }
        const stored = lock.read[0] as StoredState | undefined;
        // The stored choice outlives the conversation state (a restart, 48 h of silence); a
        // failed read leaves the state's copy or the default (the handler meets the outage).
        const chosen = deps.localeOf
          ? deps.localeOf(msg).catch((err: unknown) => {
              log.warn({ err }, 'chosen language not read; using the default');
              return undefined;
            })
          : Promise.resolve(undefined);

        const now = clock();
        const prelude: OutboundReply[] = [];
        let state: ConversationState = { ...(stored ?? {}) };
        const locale: Locale = (await chosen) ?? state.locale ?? deps.i18n.defaultLocale;
        const t = deps.i18n.translator(locale);
        if (
          state.flow &&
          state.touchedAt &&
          now.getTime() - Date.parse(state.touchedAt) > deps.stateTtlMs
        ) {
          prelude.push({
            text: t('common.flowExpired', { hours: Math.round(deps.stateTtlMs / 3600_000) }),
          });
          state = state.locale ? { locale: state.locale } : {};
        }

        // An edited message counts only where the flow in progress takes one (an edited
        // report while its confirmation is pending); any other edit is ignored silently.
        if (msg.edited && !(state.flow && deps.router.flowHandler(state.flow)?.edits?.(state)))
          return { status: 'processed', replies: [], handler: 'edit-ignored' };

        const replies: OutboundReply[] = [];
        let nextState: ConversationState | null | undefined;
        let menu: Audience[] | undefined;
        const early = precheck(msg, t);

        const makeCtx = (db: Tx): HandlerContext<S> => ({
          msg,
          locale,
          t,
          tFor: (l) => deps.i18n.translator(l),
          state: structuredClone(state),
          setState(next) {
            nextState = next;
          },
          reply(r) {
            replies.push(typeof r === 'string' ? { text: r } : r);
          },
          log,
          services: deps.services(db, msg),
          now: () => now,
          commands: deps.commands ?? [],
          setMenu(audiences) {
            menu = [...audiences];
          },
        });

        let handlerName = 'precheck';
        try {
          // Routing only reads (predicates may look up who is writing): outside the transaction.
          const handler = early ? undefined : await deps.router.route(makeCtx(deps.db.root));
          handlerName = handler?.name ?? 'precheck';
          if (!handler || !isTransactional(handler, makeCtx(deps.db.root))) {
            // Nothing to commit with the update: the shared state store records it at release,
            // so a concurrent or later second delivery stops at the lock without a database
            // commit. The database must be up all the same: answer 503 rather than half-serve
            // when it is not (one cheap round trip, at most once a second).
            if (!(await dbIsUp())) throw new InfraError('database unavailable');
            if (handler) await handler.handle(makeCtx(deps.db.root));
            else if (early) replies.push(early);
            markSeen();
          } else {
            // The record that counts commits with the handler's writes, or not at all.
            await deps.db.transaction(async (tx) => {
              await deps.db.markProcessed(tx, msg.channel, msg.updateId);
              await handler.handle(makeCtx(tx));
              // Fencing: another process may hold the chat now (ours expired while this one
              // stalled); then it must not commit over that process's work.
              if (leaseLost || !(await lock.extend(lockTtlMs))) throw new LeaseLostError();
            });
            // The database record is the one that counts; this one only spares a later
            // redelivery a database round trip.
            markSeen();
          }
        } catch (err) {
          if (err instanceof DuplicateUpdateError) {
            log.info('duplicate update ignored (recorded concurrently)');
            return { status: 'duplicate', replies: [] };
          }
          // Our database or state store gone, or a bug in a handler? Ask them.
          let infra: unknown = err instanceof InfraError ? err : undefined;
          if (!infra) {
            try {
              await deps.db.ping();
              await deps.store.ping();
            } catch (pingErr) {
              infra = pingErr;
            }
          }
          if (infra) {
            dbCheckedAt = -Infinity;
            // The platform will redeliver: nothing is recorded as seen.
            writes.setIfAbsent.length = 0;
            throw err instanceof InfraError
              ? err
              : new InfraError('database or state store unavailable', { cause: err });
          }
          log.error({ err }, 'handler failed; update rolled back and answered with an apology');
          if (writes.setIfAbsent.length === 0) markSeen();
          try {
            await deps.db.markProcessed(undefined, msg.channel, msg.updateId);
          } catch (markErr) {
            if (!(markErr instanceof DuplicateUpdateError))
              log.warn({ err: markErr }, 'could not record failed update');
          }
          return {
            status: 'processed',
            replies: [...prelude, { text: t('common.apology') }],
            handler: handlerName,
            failed: true,
          };
        }

        // Persist the state after the commit. Locale always survives a cleared flow.
        const changed = nextState !== undefined || prelude.length > 0;
        if (changed) {
          const next = nextState === undefined ? state : nextState;
          const toSave: StoredState =
            next === null
              ? state.locale
                ? { locale: state.locale }
                : {}
              : { ...next, touchedAt: now.toISOString() };
          if (next !== null && next.locale === undefined && state.locale)
            toSave.locale = state.locale;
          if (Object.keys(toSave).length === 0) writes.delete.push(stateKey(msg));
          // Keep the record a while past the flow's expiry so the user can be told it expired.
          else writes.set.push({ key: stateKey(msg), value: toSave, ttlMs: deps.stateTtlMs * 2 });
        }
        return {
          status: 'processed',
          replies: [...prelude, ...replies],
          ...(menu ? { menu } : {}),
          handler: handlerName,
        };
      } finally {
        clearInterval(keepAlive);
        const toWrite = writes.set.length + writes.setIfAbsent.length + writes.delete.length;
        const released = lock.release(toWrite > 0 ? writes : undefined);
        // The state and seen-record are saved before the answer; a bare release need not be
        // waited for: the next update of this chat (the platforms send it only after our
        // answer) finds the lock free or waits a few milliseconds.
        if (toWrite > 0)
          await released.catch((err: unknown) =>
            log.error({ err }, 'state could not be saved after commit; chat lock expires'),
          );
        else
          void released.catch((err: unknown) =>
            log.warn({ err }, 'chat lock not released; it expires by itself'),
          );
      }
    },
  };
}

/** Does this handler need the update's transaction (for this update)? */
function isTransactional<S>(handler: Handler<S>, ctx: HandlerContext<S>): boolean {
  const t = handler.transactional;
  return typeof t === 'function' ? t(ctx) : t !== false;
}

/** Answers that need no handler: unreadable input, empty or oversized text. */
function precheck(
  msg: InboundMessage,
  t: (k: string, v?: Record<string, unknown>) => string,
): OutboundReply | undefined {
  if (msg.event === 'unsupported') return { text: t('common.unsupported') };
  if (msg.event === 'follow') return undefined;
  if (msg.button !== undefined) {
    return msg.button.length > 256 ? { text: t('common.unknownButton') } : undefined;
  }
  const text = msg.text ?? '';
  if (text.length > MAX_TEXT_LENGTH)
    return { text: t('common.tooLong', { length: text.length, max: MAX_TEXT_LENGTH }) };
  if (text.trim() === '') return { text: t('common.empty') };
  return undefined;
}
