/**
 * Who the sender manages and what a managers' command was given: the scope (the subtrees of the
 * units they manage, or everything for an admin), the periods (typed, or the default ones) and
 * an indicator code.
 */
import type { HandlerContext } from '../../src/core/handler.js';
import type { Actor } from '../../src/domain/access.js';
import { formatPeriod, parsePeriod, type Period } from '../../src/domain/periods.js';
import { defaultStatusPeriods, type Scope } from '../../src/domain/reports/index.js';
import type { Schedule } from '../../src/domain/schedule.js';
import type { AppServices, Catalogue } from '../../src/services/index.js';
import { fold } from '../../src/text/vietnamese.js';

export type Ctx = HandlerContext<AppServices>;

/** A manager or admin as the managers' commands see them. */
export interface Manager {
  personId: string;
  actor: Actor;
  scope: Scope;
  /** Names of the managed roots, for titles ("Tỉnh Hà Tĩnh"); empty for an admin. */
  rootNames: string[];
  admin: boolean;
  /** The unit of the person's first manager (or admin) membership. */
  homeUnitId: string;
}

/** The sender as a manager, or undefined (then the caller explains who may use the command). */
export async function managerOf(ctx: Ctx): Promise<Manager | undefined> {
  const sender = await ctx.services.people.sender();
  const identity = sender.identity;
  if (!identity) return undefined;
  const admin = identity.memberships.some((m) => m.role === 'admin');
  const managed = identity.memberships.filter((m) => m.role === 'manager').map((m) => m.unit);
  const home = identity.memberships.find((m) => m.role === 'manager' || m.role === 'admin');
  if (!home || (!admin && managed.length === 0)) return undefined;
  return {
    personId: identity.person.id,
    actor: { personId: identity.person.id },
    scope: admin ? 'all' : [...new Set(managed.map((u) => u.code))],
    rootNames: admin ? [] : managed.map((u) => u.name),
    admin,
    homeUnitId: home.unit.id,
  };
}

/** The polite refusal for someone who manages nothing. */
export function notManager(ctx: Ctx): void {
  ctx.reply({ text: ctx.t('managers.notManager') });
}

/** What the words after a command named. */
export interface StatusArgs {
  periods: Period[];
  /** The period was typed (not the default ones). */
  explicit: boolean;
  code?: string;
  page: number;
  /** Words that were neither a period, an indicator nor a page. */
  unknown?: string;
}

/**
 * Read `[kỳ] [chỉ tiêu] [trang N]` in any order: a catalogue code, a page, the rest one period.
 * No period: the default periods of the catalogue's periodicities at `now`.
 */
export function readStatusArgs(
  args: string,
  now: Date,
  schedule: Schedule,
  catalogue: Catalogue,
): StatusArgs {
  let rest = args.trim();
  let page = 1;
  const pageMatch = /(?:^|\s)(?:trang|page|p)\s*(\d{1,3})\s*$/iu.exec(rest);
  if (pageMatch) {
    page = Math.max(1, Number(pageMatch[1]));
    rest = rest.slice(0, pageMatch.index).trim();
  }
  let code: string | undefined;
  const words = rest.split(/\s+/).filter((w) => w !== '');
  const kept: string[] = [];
  for (const w of words) {
    const upper = w.toUpperCase();
    if (!code && catalogue.byCode.has(upper)) code = upper;
    else kept.push(w);
  }
  rest = kept.join(' ');
  const base = { page, ...(code ? { code } : {}) };
  if (rest === '') {
    const indicators = code ? catalogue.defs.filter((d) => d.code === code) : catalogue.defs;
    return { ...base, periods: defaultStatusPeriods(now, schedule, indicators), explicit: false };
  }
  const period = parsePeriod(rest, now);
  if (!period) return { ...base, periods: [], explicit: true, unknown: rest };
  return { ...base, periods: [period], explicit: true };
}

/**
 * The periods (and indicator, page) of a command's words, or undefined after answering why
 * there are none (a period not understood, or no default period now).
 */
export async function periodsOrExplain(ctx: Ctx, args: string): Promise<StatusArgs | undefined> {
  const [catalogue, schedule] = await Promise.all([
    ctx.services.catalogue.get(),
    ctx.services.schedule.get(),
  ]);
  const a = readStatusArgs(args, ctx.now(), schedule, catalogue);
  if (a.periods.length > 0) return a;
  ctx.reply({
    text: a.unknown
      ? ctx.t('managers.badPeriod', { text: a.unknown })
      : ctx.t('managers.noDefaultPeriod'),
  });
  return undefined;
}

/** The title of the scope: "Tỉnh Hà Tĩnh", "Xã A, Xã B", or "toàn bộ đơn vị" for an admin. */
export function scopeTitle(ctx: Ctx, m: Manager): string {
  return m.admin ? ctx.t('managers.scopeAll') : m.rootNames.join(', ');
}

/** `T11/2026` for replies (`year 2025` in English). */
export function periodLabel(ctx: Ctx, p: Period): string {
  const s = formatPeriod(p);
  return ctx.locale === 'en' && p.kind === 'year' ? `year ${p.year}` : s;
}

/** Whether the folded text mentions one of the phrases as whole words. */
export function mentions(folded: string, phrases: readonly string[]): boolean {
  return phrases.some((p) => ` ${folded} `.includes(` ${fold(p)} `));
}
