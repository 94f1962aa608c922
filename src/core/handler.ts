import type { Logger } from 'pino';
import type { InboundMessage, OutboundReply } from './message.js';

export type Locale = 'vi' | 'en';
export const LOCALES: readonly Locale[] = ['vi', 'en'];

/** Translate a key from locales/<locale>.json with {{var}} interpolation. */
export type Translate = (key: string, vars?: Record<string, unknown>) => string;

/**
 * What the conversation remembers about one chat between updates (kept in the state store,
 * 24 h TTL by default). `flow`/`step`/`data` belong to whichever handler owns the flow.
 */
export interface ConversationState {
  locale?: Locale;
  flow?: string;
  step?: string;
  data?: Record<string, unknown>;
  /** When the flow was last touched (ISO), to tell the user it expired. */
  touchedAt?: string;
}

/**
 * Everything a handler may use. Handlers know the message model and the domain, never a
 * chat platform. `services` is filled by the composition root (src/app.ts).
 */
export interface HandlerContext<S = unknown> {
  readonly msg: InboundMessage;
  readonly locale: Locale;
  readonly t: Translate;
  /** A translator for another locale (e.g. to answer /lang en in English). */
  tFor(locale: Locale): Translate;
  /** State as loaded for this update (a copy: change it through setState). */
  readonly state: ConversationState;
  /** Replace the state (null clears the flow but keeps the chosen locale). Saved after the handler. */
  setState(next: ConversationState | null): void;
  /** Queue a reply; replies are sent in order after the handler succeeds. */
  reply(reply: OutboundReply | string): void;
  readonly log: Logger;
  readonly services: S;
  /** The instant the update is processed at (injectable for tests). */
  now(): Date;
  /** Every command the features declare (for /help and menus). */
  readonly commands: readonly import('./feature.js').ComposedCommand[];
  /**
   * Show this chat the command menu of these audiences (Telegram: a chat-scoped menu; other
   * platforms have none). Applied after the update commits.
   */
  setMenu(audiences: readonly import('./feature.js').Audience[]): void;
}

export interface Handler<S = unknown> {
  name: string;
  /** Among keyword phrases and predicates, higher runs first (default 0). */
  priority?: number;
  /** Slash commands, e.g. ['/help', '/trogiup']; matched on the first word, case-insensitive. */
  commands?: string[];
  /** Folded phrases the message may start with (e.g. 'bao cao', 'trang thai'). */
  keywords?: string[];
  /** Button data prefixes this handler owns (e.g. 'rep:'). */
  buttons?: string[];
  /** Conversation flows this handler continues (state.flow). */
  flows?: string[];
  /**
   * false: the handler writes nothing that must commit with the update (it may read, reply and
   * set conversation state). It then runs without a database transaction: the update is
   * recorded as processed with one statement first. Default true.
   */
  transactional?: boolean | ((ctx: HandlerContext<S>) => boolean);
  /**
   * For a flow's handler: does the flow take an edited message in this state (an edited report
   * while its confirmation is pending)? Edits are ignored otherwise.
   */
  edits?(state: ConversationState): boolean;
  /** Last-resort predicate (checked after commands, buttons, flows and keywords). */
  match?(ctx: HandlerContext<S>): boolean | Promise<boolean>;
  handle(ctx: HandlerContext<S>): Promise<void>;
}
