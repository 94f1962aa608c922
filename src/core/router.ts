import { fold } from '../text/vietnamese.js';
import type { Handler, HandlerContext } from './handler.js';

/** The first word of a slash command, lower-cased, without a Telegram `@botname` suffix. */
export function commandOf(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const m = /^\s*(\/[\p{L}\p{N}_]+)(?:@[\w]+)?(?:\s|$)/u.exec(text);
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

/**
 * Picks the handler for an update, in this order: slash commands (they work in any state, so
 * /help or /huy always answer), button data prefixes, the conversation's current flow,
 * keyword phrases (diacritic-insensitive), custom predicates in registration order, and
 * finally the fallback, which answers input nobody handles in the user's language.
 */
export class Router<S = unknown> {
  private readonly handlers: Handler<S>[] = [];

  constructor(private readonly fallback: Handler<S>) {}

  use(...handlers: Handler<S>[]): this {
    this.handlers.push(...handlers);
    return this;
  }

  async route(ctx: HandlerContext<S>): Promise<Handler<S>> {
    const { msg, state } = ctx;
    const command = commandOf(msg.text);
    if (command) {
      const h = this.handlers.find((x) => x.commands?.some((c) => fold(c) === command));
      if (h) return h;
    }
    if (msg.button !== undefined) {
      const data = msg.button;
      const h = this.handlers.find((x) => x.buttons?.some((p) => data.startsWith(p)));
      return h ?? this.fallback;
    }
    if (state.flow) {
      const h = this.handlers.find((x) => x.flows?.includes(state.flow as string));
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
