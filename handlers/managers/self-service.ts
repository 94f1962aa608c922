/**
 * Self-service for managers and preferences for everyone linked:
 * `/moi <đơn vị> [reporter|manager]` — a membership invitation for a unit in scope;
 * `/mokhoa <đơn vị> <kỳ>` — reopen a unit's locked period, its reporters are told until when;
 * `/tatnhac [kỳ|tuan]`, `/batnhac [kỳ|tuan]` — scheduled reminders (or the weekly digest) off/on.
 */
import { commandButton } from '../../src/core/conversation.js';
import { DomainError, type RoleName } from '../../src/domain/access.js';
import { formatPeriod, parsePeriod, type Period } from '../../src/domain/periods.js';
import type { ScopedUnit } from '../../src/services/index.js';
import { reopenAndNotify } from '../../src/services/manager-actions.js';
import { formatDateTimeVi } from '../../src/text/numbers.js';
import { fold } from '../../src/text/vietnamese.js';
import { managerOf, notManager, periodLabel, periodsOrExplain, type Ctx } from './scope.js';

const ROLE_WORDS: Record<string, RoleName> = {
  reporter: 'reporter',
  'bao cao': 'reporter',
  'can bo': 'reporter',
  manager: 'manager',
  'quan ly': 'manager',
  'lanh dao': 'manager',
};

/** A domain refusal in the user's language (unknown unit, not a manager of it, bad period…). */
function refuse(ctx: Ctx, err: unknown): void {
  if (err instanceof DomainError) {
    ctx.reply({ text: ctx.t(err.key, err.vars) });
    return;
  }
  throw err;
}

/** The one unit the words name within scope; otherwise answers (none, or candidates). */
export async function pickUnit(
  ctx: Ctx,
  query: string,
  retry: (code: string) => string,
): Promise<ScopedUnit | undefined> {
  const m = await managerOf(ctx);
  if (!m) return void notManager(ctx);
  const found = await ctx.services.managers.findUnits(m.actor, query, ctx.now());
  const q = fold(query);
  const exact = found.filter(
    (u) => u.code === query.trim() || fold(u.name) === q || fold(u.name).endsWith(` ${q}`),
  );
  const unit = exact.length === 1 ? exact[0] : found.length === 1 ? found[0] : undefined;
  if (unit) return unit;
  if (found.length === 0) ctx.reply({ text: ctx.t('managers.unit.none', { q: query.trim() }) });
  else
    ctx.reply({
      text: ctx.t('managers.unit.choose', { q: query.trim() }),
      buttons: found.map((u) => [commandButton(`${u.name} (${u.code})`, retry(u.code))]),
    });
  return undefined;
}

/** `/moi <đơn vị> [reporter|manager]`. */
export async function invite(ctx: Ctx, args: string): Promise<void> {
  const m = await managerOf(ctx);
  if (!m) return notManager(ctx);
  let rest = args.trim();
  let role: RoleName = 'reporter';
  for (const [word, r] of Object.entries(ROLE_WORDS)) {
    const folded = fold(rest);
    if (folded === word || folded.endsWith(` ${word}`)) {
      role = r;
      rest = rest.split(/\s+/).slice(0, -word.split(' ').length).join(' ');
      break;
    }
  }
  if (rest === '') return void ctx.reply({ text: ctx.t('managers.invite.usage') });
  const unit = await pickUnit(ctx, rest, (code) => `/moi ${code} ${role}`);
  if (!unit) return;
  try {
    const r = await ctx.services.managers.invite(m.actor, unit.code, role, ctx.now());
    const created = ctx.t('managers.invite.created', {
      unit: r.unit.name,
      role: ctx.t(`managers.roles.${role}`),
      code: r.code,
      expires: formatDateTimeVi(r.expiresAt),
    });
    const link = r.telegramLink ? ctx.t('managers.invite.link', { link: r.telegramLink }) : '';
    ctx.reply({ text: link ? `${created}\n${link}` : created });
  } catch (err) {
    refuse(ctx, err);
  }
}

/** Split `<đơn vị> <kỳ>`: the longest tail of 1–4 words that is a period. */
function splitPeriod(args: string, now: Date): { unit: string; period?: Period } {
  const words = args.trim().split(/\s+/);
  for (let n = Math.min(4, words.length - 1); n >= 1; n--) {
    const p = parsePeriod(words.slice(-n).join(' '), now);
    if (p) return { unit: words.slice(0, -n).join(' '), period: p };
  }
  return { unit: args.trim() };
}

/** `/mokhoa <đơn vị> <kỳ>`: reopen, then tell the unit's reporters until when. */
export async function reopen(ctx: Ctx, args: string): Promise<void> {
  const m = await managerOf(ctx);
  if (!m) return notManager(ctx);
  const { unit: q, period } = splitPeriod(args, ctx.now());
  if (!period || q === '') return void ctx.reply({ text: ctx.t('managers.reopen.usage') });
  const unit = await pickUnit(ctx, q, (code) => `/mokhoa ${code} ${formatPeriod(period)}`);
  if (!unit) return;
  const schedule = await ctx.services.schedule.get();
  let r: { until: Date; notified: number };
  try {
    // Reporters are told in Vietnamese, the province's language.
    r = await reopenAndNotify(ctx.services, (locale) => ctx.tFor(locale ?? 'vi'), {
      actor: m.actor,
      unitCode: unit.code,
      period,
      now: ctx.now(),
      schedule,
    });
  } catch (err) {
    return refuse(ctx, err);
  }
  ctx.reply({
    text: ctx.t('managers.reopen.done', {
      unit: unit.name,
      period: periodLabel(ctx, period),
      until: formatDateTimeVi(r.until),
      count: r.notified,
    }),
  });
}

const DIGEST_WORDS = ['tuan', 'tong hop tuan', 'weekly', 'digest'];

/** `/tatnhac [kỳ|tuan]` and `/batnhac [kỳ|tuan]`. */
export async function setReminders(ctx: Ctx, args: string, muted: boolean): Promise<void> {
  const sender = await ctx.services.people.sender();
  const personId = sender.identity?.person.id;
  if (!personId || sender.identity?.memberships.length === 0)
    return void ctx.reply({ text: ctx.t('managers.mute.notLinked') });
  if (DIGEST_WORDS.includes(fold(args.trim()))) {
    await ctx.services.managers.setMuted(personId, ['digest'], muted);
    return void ctx.reply({
      text: ctx.t(muted ? 'managers.mute.digestOff' : 'managers.mute.digestOn'),
    });
  }
  const a = await periodsOrExplain(ctx, args);
  if (!a) return;
  await ctx.services.managers.setMuted(personId, a.periods.map(formatPeriod), muted);
  ctx.reply({
    text: ctx.t(muted ? 'managers.mute.off' : 'managers.mute.on', {
      periods: a.periods.map((p) => periodLabel(ctx, p)).join(', '),
    }),
  });
}
