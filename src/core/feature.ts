/**
 * Feature modules. A capability (basics, reporting, citizens, managers, …) is one folder under
 * `handlers/` exporting one `Feature` declaration: its handlers with an explicit priority, the
 * commands they answer (with aliases, who sees them, a description key), their button prefixes
 * and flows, and its scheduled jobs. The composition root takes a list of features;
 * `composeFeatures` checks that no two claim the same command, flow or overlapping button
 * prefixes and orders the handlers by priority, so registration order never matters.
 */
import type { Handler, HandlerContext } from './handler.js';

/** Who sees a command in the menu and in /help. */
export type Audience = 'everyone' | 'reporter' | 'manager' | 'admin';
export const AUDIENCES: readonly Audience[] = ['everyone', 'reporter', 'manager', 'admin'];

/**
 * A slash command. `args` tells which invocations the handler takes: `none` only the bare
 * command, `required` only with words after it, `any` both (default). Two handlers may share a
 * command name only when one takes it bare and the other only with arguments (Telegram's deep
 * link `/start <code>` versus the greeting `/start`).
 */
export interface CommandSpec {
  /** Without the slash, lower case: `baocao`. Shown in the menu. */
  name: string;
  /** More names answered the same way: `['report', 'bc']`. Not shown in the menu. */
  aliases?: string[];
  args?: 'any' | 'none' | 'required';
  /** Who sees it in the menu and in /help (it still answers anyone; the handler decides). */
  audience: Audience[];
  /** Locale key of its one-line description (menu and /help). */
  description: string;
  /** Listed in the menu and /help (default true). */
  listed?: boolean;
}

/** A handler as a feature declares it. */
export interface FeatureHandler<S = unknown> extends Omit<Handler<S>, 'commands'> {
  /** Higher runs first among keyword phrases and predicates (commands, buttons and flows are unique). */
  priority: number;
  commands?: CommandSpec[];
}

/** What a scheduled job may use. */
export interface JobContext<S = unknown> {
  now(): Date;
  log: import('pino').Logger;
  services: S;
  /** The job's own data, as scheduled. */
  data: Record<string, unknown>;
  /** Texts in a language (proactive messages are written in the recipient's). */
  tFor(locale: import('./handler.js').Locale): import('./handler.js').Translate;
  /** The default language (DEFAULT_LOCALE). */
  defaultLocale: import('./handler.js').Locale;
}

/** A scheduled job (pg-boss cron, shared by every instance: each tick runs once). */
export interface FeatureJob<S = unknown> {
  /** Queue name; unique across features. */
  name: string;
  /** Five-field cron, e.g. `0 8 * * *`. */
  cron: string;
  /** IANA time zone of the cron (default: APP_TIMEZONE). */
  timeZone?: string;
  handle(ctx: JobContext<S>): Promise<void>;
}

export interface Feature<S = unknown> {
  /** Folder name under handlers/ and the name of its locale files (`locales/vi/<name>.json`). */
  name: string;
  handlers: FeatureHandler<S>[];
  jobs?: FeatureJob<S>[];
  /** Locale file names (default: [name]). An empty list: the feature has no texts of its own. */
  texts?: string[];
}

/** Start-up stops: two features claim the same thing. The message names both. */
export class FeatureConflictError extends Error {
  override readonly name = 'FeatureConflictError';
}

/** A command as the router and the menus see it. */
export interface ComposedCommand extends CommandSpec {
  feature: string;
  handler: Handler<unknown>;
}

/** The composed application: handlers ordered by priority, commands, jobs. */
export interface Composition<S> {
  features: readonly Feature<S>[];
  /** Every handler, highest priority first (stable for equal priorities). */
  handlers: Handler<S>[];
  /** Slash name (`/baocao`, aliases too) → the handlers answering it, by argument mode. */
  commandTable: Map<string, { args: NonNullable<CommandSpec['args']>; handler: Handler<S> }[]>;
  /** Every command as declared (menus and /help). */
  commands: ComposedCommand[];
  jobs: (FeatureJob<S> & { feature: string })[];
  /** Locale files to load, in feature order. */
  texts: string[];
}

const slash = (name: string) => (name.startsWith('/') ? name : `/${name}`).toLowerCase();

/**
 * Check and compose features. Throws FeatureConflictError naming both claimants when two
 * features (or two handlers) claim the same command invocation, the same flow, the same job
 * name, or button prefixes of which one starts the other (`rep:` and `rep:g:`).
 */
export function composeFeatures<S>(features: readonly Feature<S>[]): Composition<S> {
  const names = new Set<string>();
  for (const f of features) {
    if (names.has(f.name)) throw new FeatureConflictError(`feature "${f.name}" listed twice`);
    names.add(f.name);
  }
  type Owned = { feature: string; handler: string };
  const who = (o: Owned) => `${o.feature}/${o.handler}`;
  const commandOwners = new Map<string, { owner: Owned; args: CommandSpec['args'] }[]>();
  const flowOwners = new Map<string, Owned>();
  const buttonOwners: { prefix: string; owner: Owned }[] = [];
  const jobOwners = new Map<string, Owned>();
  const entries: { h: Handler<S>; order: number }[] = [];
  const commandTable: Composition<S>['commandTable'] = new Map();
  const commands: ComposedCommand[] = [];
  const jobs: Composition<S>['jobs'] = [];

  let order = 0;
  for (const f of features) {
    for (const h of f.handlers) {
      const owner = { feature: f.name, handler: h.name };
      for (const c of h.commands ?? []) {
        for (const n of [c.name, ...(c.aliases ?? [])].map(slash)) {
          const claims = commandOwners.get(n) ?? [];
          const args = c.args ?? 'any';
          for (const other of claims) {
            const disjoint =
              (args === 'none' && other.args === 'required') ||
              (args === 'required' && other.args === 'none');
            if (!disjoint)
              throw new FeatureConflictError(
                `command ${n} is claimed by ${who(other.owner)} and ${who(owner)}`,
              );
          }
          claims.push({ owner, args });
          commandOwners.set(n, claims);
        }
      }
      for (const fl of h.flows ?? []) {
        const other = flowOwners.get(fl);
        if (other)
          throw new FeatureConflictError(
            `flow "${fl}" is claimed by ${who(other)} and ${who(owner)}`,
          );
        flowOwners.set(fl, owner);
      }
      for (const prefix of h.buttons ?? []) {
        for (const other of buttonOwners) {
          if (prefix.startsWith(other.prefix) || other.prefix.startsWith(prefix))
            throw new FeatureConflictError(
              `button prefixes "${other.prefix}" (${who(other.owner)}) and "${prefix}" (${who(owner)}) overlap`,
            );
        }
        buttonOwners.push({ prefix, owner });
      }
      const handler: Handler<S> = {
        ...h,
        commands: (h.commands ?? []).flatMap((c) => [c.name, ...(c.aliases ?? [])].map(slash)),
      };
      for (const c of h.commands ?? []) {
        commands.push({ ...c, feature: f.name, handler: handler as Handler<unknown> });
        for (const n of [c.name, ...(c.aliases ?? [])].map(slash)) {
          const list = commandTable.get(n) ?? [];
          list.push({ args: c.args ?? 'any', handler });
          commandTable.set(n, list);
        }
      }
      entries.push({ h: handler, order: order++ });
    }
    for (const j of f.jobs ?? []) {
      const owner = { feature: f.name, handler: j.name };
      const other = jobOwners.get(j.name);
      if (other)
        throw new FeatureConflictError(
          `job "${j.name}" is declared by ${who(other)} and ${who(owner)}`,
        );
      jobOwners.set(j.name, owner);
      jobs.push({ ...j, feature: f.name });
    }
  }
  const handlers = entries
    .sort((a, b) => (b.h.priority ?? 0) - (a.h.priority ?? 0) || a.order - b.order)
    .map((e) => e.h);
  return {
    features,
    handlers,
    commandTable,
    commands,
    jobs,
    texts: features.flatMap((f) => f.texts ?? [f.name]),
  };
}

/** The commands a viewer with these audiences sees (menu and /help), in declaration order. */
export function visibleCommands(
  commands: readonly ComposedCommand[],
  audiences: readonly Audience[],
): ComposedCommand[] {
  return commands.filter(
    (c) => c.listed !== false && c.audience.some((a) => a === 'everyone' || audiences.includes(a)),
  );
}

/** A helper for features: type the declaration without repeating the services type. */
export function defineFeature<S>(feature: Feature<S>): Feature<S> {
  return feature;
}

/** Does this update's command invocation suit the spec's `args`? */
export function argsSuit(spec: Pick<CommandSpec, 'args'>, hasArgs: boolean): boolean {
  const args = spec.args ?? 'any';
  return args === 'any' || (args === 'required' ? hasArgs : !hasArgs);
}

export type { Handler, HandlerContext };

/** The command menu of a viewer: name and translated description of each visible command. */
export function commandMenu(
  commands: readonly ComposedCommand[],
  audiences: readonly Audience[],
  t: (key: string) => string,
): { command: string; description: string }[] {
  return visibleCommands(commands, audiences).map((c) => ({
    command: c.name,
    description: t(c.description),
  }));
}
