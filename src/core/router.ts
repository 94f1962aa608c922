import { fold } from '../text/vietnamese.js';
import type { Composition } from './feature.js';
import type { Handler, HandlerContext } from './handler.js';

const COMMAND = /^\s*(\/[\p{L}\p{N}_]+)(?:@[\w]+)?(?:\s|$)/u;

/** The first word of a slash command, lower-cased, without a Telegram `@botname` suffix. */
export function commandOf(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const m = COMMAND.exec(text);
  return m?.[1] ? fold(m[1]) : undefined;
}

/** The words after a slash command (trimmed), or the whole text when there is no command. */
export function commandArgs(text: string | undefined): string {
  if (!text) return '';
  return text.replace(/^\s*\/[\p{L}\p{N}_]+(?:@[\w]+)?/u, '').trim();
}

/** Does the folded text start with the folded phrase, as whole words? */
export function startsWithPhrase(folded: string, phrase: string): boolean {
  return folded === phrase || folded.startsWith(phrase + ' ');
}

type Table<S> = Composition<S>['commandTable'];

/** A command table for handlers given as plain `Handler`s (tests, plug-ins). */
function tableOf<S>(handlers: readonly Handler<S>[]): Table<S> {
  const table: Table<S> = new Map();
  for (const h of handlers) {
    for (const c of h.commands ?? []) {
      const key = fold(c);
      const list = table.get(key) ?? [];
      list.push({ args: 'any', handler: h });
      table.set(key, list);
    }
  }
  return table;
}

/**
 * Picks the handler for an update, in this order: slash commands (they work in any state, so
 * /help or /huy always answer), button data prefixes, the conversation's current flow,
 * keyword phrases (diacritic-insensitive), custom predicates — those two by declared priority —
 * and finally the fallback, which answers input nobody handles in the user's language.
 * Commands, prefixes and flows have one owner each (composeFeatures checks it), so their order
 * never matters.
 */
export class Router<S = unknown> {
  private readonly handlers: Handler<S>[];
  private readonly table: Table<S>;

  constructor(
    private readonly fallback: Handler<S>,
    composition?: Pick<Composition<S>, 'handlers' | 'commandTable'>,
  ) {
    this.handlers = [...(composition?.handlers ?? [])];
    this.table = composition?.commandTable ?? new Map();
  }

  /** Add plain handlers in front (tests, plug-ins): they win over the composed ones. */
  use(...handlers: Handler<S>[]): this {
    this.handlers.unshift(...handlers);
    for (const [name, list] of tableOf(handlers)) {
      this.table.set(name, [...list, ...(this.table.get(name) ?? [])]);
    }
    return this;
  }

  /** The handler owning a command invocation (with or without arguments), if any. */
  commandHandler(command: string, hasArgs: boolean): Handler<S> | undefined {
    const list = this.table.get(command);
    return list?.find((e) => e.args === 'any' || (e.args === 'required' ? hasArgs : !hasArgs))
      ?.handler;
  }

  /** The handler continuing a flow, if any. */
  flowHandler(flow: string): Handler<S> | undefined {
    return this.handlers.find((x) => x.flows?.includes(flow));
  }

  /** Every handler, in routing order (for audits such as the access-matrix test). */
  all(): readonly Handler<S>[] {
    return this.handlers;
  }

  async route(ctx: HandlerContext<S>): Promise<Handler<S>> {
    const { msg, state } = ctx;
    const command = commandOf(msg.text);
    if (command) {
      const h = this.commandHandler(command, commandArgs(msg.text) !== '');
      if (h) return h;
    }
    if (msg.button !== undefined) {
      const data = msg.button;
      const h = this.handlers.find((x) => x.buttons?.some((p) => data.startsWith(p)));
      return h ?? this.fallback;
    }
    if (state.flow) {
      const h = this.flowHandler(state.flow);
      if (h) return h;
    }
    if (msg.text && !command) {
      const folded = fold(msg.text);
      const h = this.handlers.find((x) =>
        x.keywords?.some((k) => startsWithPhrase(folded, fold(k))),
      );
      if (h) return h;
    }
    for (const h of this.handlers) {
      if (h.match && (await h.match(ctx))) return h;
    }
    return this.fallback;
  }
}
