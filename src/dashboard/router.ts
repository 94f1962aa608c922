/**
 * The managers' web dashboard, served by the bot's own process: sign-in by a one-time link
 * from chat (or ADMIN_TOKEN from loopback), the completeness matrix of a period, a unit page,
 * and the CSV export through the same code as the CLI. Server-rendered, every response under
 * a nonce-based Content-Security-Policy; nothing is reachable without a session, and every
 * query is scoped to the units the viewer manages.
 */
import { randomBytes } from 'node:crypto';
import express, { Router, type Request, type Response, type NextFunction } from 'express';
import type { Logger } from 'pino';
import { safeEqual } from '../core/safe-equal.js';
import type { DbClient } from '../db/client.js';
import { canManageUnit } from '../domain/access.js';
import {
  findSession,
  openOperatorSession,
  redeemLoginLink,
  revokeSession,
  type DashboardSessionInfo,
} from '../domain/dashboard/sessions.js';
import {
  PERIOD_KINDS,
  formatPeriod,
  parsePeriod,
  previousPeriod,
  type Period,
} from '../domain/periods.js';
import { exportDocument, periodRows, type ExportFormat } from '../domain/reports/index.js';
import {
  deadlineOf,
  defaultPeriodFor,
  escalationOffsets,
  examplePeriods,
  offsetInstant,
  offsetMs,
  type Schedule,
} from '../domain/schedule.js';
import { figureOf, type IndicatorUnitKind } from '../domain/submissions/figures.js';
import { LOCALES, type Locale, type Translate } from '../core/handler.js';
import { DomainError, type Actor } from '../domain/access.js';
import {
  broadcastItems,
  channelCounts,
  MAX_BROADCAST,
  planReminders,
  reopenAndNotify,
  remindNow,
  sendBroadcast,
  type Audience,
  type JobServices,
} from '../services/manager-actions.js';
import { buildMatrix, figureText, type Matrix } from './matrix.js';
import { provinceCharts, provinceSeries, unitAuditTrail, unitHistoryCharts } from './pages.js';
import { pageTexts, type PageTexts } from './format.js';
import { html, page, raw, type Html } from './html.js';

export const SESSION_COOKIE = 'cds_dash';
/** The language chosen on the page (`?lang=en`), kept a year; otherwise the person's /lang. */
export const LANG_COOKIE = 'cds_lang';

export interface DashboardDeps {
  db: DbClient;
  logger: Logger;
  /** The schedule in force (cached by the services). */
  schedule(): Promise<Schedule>;
  /** ADMIN_TOKEN (read at each sign-in: it may be generated at start). */
  adminToken(): string | undefined;
  /** Cookies get `Secure` when the public URL is https. */
  secureCookies: boolean;
  sessionTtlMs?: number;
  now?: () => Date;
  /** The services outside any update: the managers' actions (reopen, remind now) go through them. */
  services: () => JobServices;
  /** The bot's texts in Vietnamese (notices to reporters, refusals). */
  t: Translate;
  /**
   * Texts in a recipient's language (reminders) and in the viewer's (the pages); default: `t`
   * for everyone.
   */
  texts?: (locale?: Locale) => Translate;
}

interface Viewer {
  session: DashboardSessionInfo;
  sessionId: string;
  nonce: string;
  /** Units the viewer may open as the root of a matrix (managed units, or the province). */
  roots: { id: string; code: string; name: string }[];
  label: string;
}

type Req = Request & {
  viewer?: Viewer;
  nonce?: string;
  /** The page's texts; `langChosen`: the language was picked on the page (cookie or query). */
  texts?: PageTexts;
  langChosen?: boolean;
};

const isLocale = (l: unknown): l is Locale => LOCALES.includes(l as Locale);

function cookieOf(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name)
      return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}

function isLoopback(req: Request): boolean {
  const a = req.socket.remoteAddress ?? '';
  return a === '127.0.0.1' || a === '::1' || a === '::ffff:127.0.0.1';
}

/** Periods to choose from: the last six months, four quarters and two years. */
function periodChoices(now: Date, schedule: Schedule): Period[] {
  const out: Period[] = [];
  const counts: Record<string, number> = { month: 6, quarter: 4, half: 2, year: 2 };
  for (const kind of PERIOD_KINDS) {
    if (kind === 'half') continue;
    let p = defaultPeriodFor(kind, now, schedule);
    for (let i = 0; i < (counts[kind] ?? 0); i++) {
      out.push(p);
      p = previousPeriod(p);
    }
  }
  return out;
}

const SYMBOL: Record<string, string> = {
  ok: '✓',
  late: '⏱',
  missing: '✗',
  pending: '…',
  na: '—',
};

function matrixTable(m: Matrix, { t }: PageTexts): Html {
  const head = html`<tr>
    <th class="unit" scope="col">${t('unit')}</th>
    ${m.indicators.map((i) => html`<th scope="col"><abbr title="${i.name}">${i.code}</abbr></th>`)}
    <th scope="col">${t('matrix.reported')}</th>
  </tr>`;
  const body = m.rows.map(
    (r) =>
      html`<tr>
        <th class="unit" scope="row">
          <a href="/dashboard/unit/${encodeURIComponent(r.unit.code)}">${r.unit.name}</a>
        </th>
        ${r.cells.map((c) => {
          const target = c.meets === true ? ' ▲' : c.meets === false ? ' ▼' : '';
          const cls = `${c.state}${c.meets === false ? ' below' : ''}`;
          return html`<td class="${cls}">
            ${SYMBOL[c.state] ?? ''}${target}${c.value ? html`<br />${c.value}` : ''}
          </td>`;
        })}
        <td>${r.reported}/${r.due}</td>
      </tr>`,
  );
  const foot = html`<tr>
    <th class="unit" scope="row">${t('matrix.reported')}</th>
    ${m.columns.map((c) => html`<td>${c.reported}/${c.due}</td>`)}
    <td>${m.rows.reduce((s, r) => s + r.reported, 0)}/${m.rows.reduce((s, r) => s + r.due, 0)}</td>
  </tr>`;
  return html`<div class="scroll" role="region" aria-label="${t('matrix.region')}" tabindex="0">
    <table class="matrix">
      <thead>
        ${head}
      </thead>
      <tbody>
        ${body}
      </tbody>
      <tfoot>
        ${foot}
      </tfoot>
    </table>
  </div>`;
}

/** A titled table in a scrollable region, or `empty` when it has no row. */
const listSection = (title: string, empty: string, heads: string[], rows: Html[]): Html =>
  html`<h2>${title}</h2>
    ${
      rows.length === 0
        ? html`<p>${empty}</p>`
        : html`<div class="scroll" role="region" aria-label="${title}" tabindex="0">
            <table class="list">
              <thead>
                <tr>
                  ${heads.map((h) => html`<th>${h}</th>`)}
                </tr>
              </thead>
              <tbody>
                ${rows}
              </tbody>
            </table>
          </div>`
    }`;

const legend = ({ t }: PageTexts): Html =>
  html`<ul class="legend" aria-label="${t('matrix.legend.label')}">
    <li><span class="ok">✓</span> ${t('matrix.legend.ok')}</li>
    <li><span class="late">⏱</span> ${t('matrix.legend.late')}</li>
    <li><span class="missing">✗</span> ${t('matrix.legend.missing')}</li>
    <li><span class="pending">…</span> ${t('matrix.legend.pending')}</li>
    <li><span>▲</span> ${t('matrix.legend.meets')}</li>
    <li><span class="below">▼</span> ${t('matrix.legend.below')}</li>
    <li><span class="na">—</span> ${t('matrix.legend.na')}</li>
  </ul>`;

/** The dashboard routes, to mount at /dashboard. */
export function createDashboardRouter(deps: DashboardDeps): Router {
  const now = deps.now ?? (() => new Date());
  const router = Router();
  const botTexts = deps.texts ?? (() => deps.t);
  const pageTextsOf = new Map<Locale, PageTexts>();
  const textsIn = (lang: Locale): PageTexts => {
    let x = pageTextsOf.get(lang);
    if (!x) pageTextsOf.set(lang, (x = pageTexts(lang, botTexts(lang))));
    return x;
  };
  /** The same page in the other language (a POST's result: the matrix). */
  const switchHref = (req: Req): string => {
    const other = req.texts?.lang === 'en' ? 'vi' : 'en';
    if (req.method !== 'GET') return `/dashboard?lang=${other}`;
    const url = new URL(req.originalUrl, 'http://x');
    url.searchParams.set('lang', other);
    return `${url.pathname}${url.search}`;
  };
  /** A page in the request's language, with the viewer's header when signed in. */
  const render = (req: Req, title: string, body: Html): string =>
    page({
      title,
      nonce: req.nonce ?? '',
      body,
      texts: req.texts!,
      switchHref: switchHref(req),
      ...(req.viewer ? { csrf: req.viewer.session.csrf, who: req.viewer.label } : {}),
    });
  const form = express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 20 });

  // Every dashboard response: a fresh nonce and a strict policy (no script, no remote asset).
  router.use((req: Req, res, next) => {
    const nonce = randomBytes(16).toString('base64');
    req.nonce = nonce;
    res.setHeader(
      'Content-Security-Policy',
      `default-src 'none'; style-src 'nonce-${nonce}'; img-src 'self' data:; form-action 'self'; ` +
        `frame-ancestors 'none'; base-uri 'none'`,
    );
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    // The page's language: `?lang=` (kept in a cookie), the cookie, else Vietnamese until the
    // session tells the person's own choice.
    const asked = req.query.lang;
    const kept = cookieOf(req, LANG_COOKIE);
    const chosen = isLocale(asked) ? asked : isLocale(kept) ? kept : undefined;
    if (isLocale(asked) && asked !== kept)
      res.append(
        'Set-Cookie',
        `${LANG_COOKIE}=${asked}; Path=/dashboard; SameSite=Strict; Max-Age=31536000` +
          `${deps.secureCookies ? '; Secure' : ''}`,
      );
    req.langChosen = chosen !== undefined;
    req.texts = textsIn(chosen ?? 'vi');
    next();
  });

  const setCookie = (res: Response, value: string, maxAgeS: number) => {
    res.append(
      'Set-Cookie',
      `${SESSION_COOKIE}=${encodeURIComponent(value)}; Path=/dashboard; HttpOnly; SameSite=Strict; ` +
        `Max-Age=${maxAgeS}${deps.secureCookies ? '; Secure' : ''}`,
    );
  };

  const message = (req: Req, res: Response, status: number, title: string, text: Html) => {
    res
      .status(status)
      .type('html')
      .send(
        render(
          req,
          title,
          html`<h1>${title}</h1>
            ${text}`,
        ),
      );
  };

  /** 400: the period does not parse; examples of periods that do. */
  const badPeriod = (req: Req, res: Response, examples: string[], after?: Html) =>
    message(
      req,
      res,
      400,
      req.texts!.t('errors.badPeriodTitle'),
      html`<p>${req.texts!.t('errors.examples', { examples: examples.join(', ') })}</p>
        ${after}`,
    );

  // Outside the viewer's scope reads exactly like an unknown unit.
  /** A message page of a title and a one-paragraph text (`dashboard.web.errors.*`). */
  const refuse = (req: Req, res: Response, status: number, key: string) =>
    message(
      req,
      res,
      status,
      req.texts!.t(`errors.${key}Title`),
      html`<p>${req.texts!.t(`errors.${key}`)}</p>`,
    );
  const notFound = (req: Req, res: Response) => refuse(req, res, 404, 'notFound');

  const signInHint = (req: Req) => html`<p>${raw(req.texts!.t('errors.signInHint'))}</p>`;

  router.get('/login', async (req: Req, res) => {
    const t = typeof req.query.t === 'string' ? req.query.t : '';
    const s = t ? await redeemLoginLink(deps.db, t, now(), deps.sessionTtlMs) : null;
    if (!s) {
      message(
        req,
        res,
        401,
        req.texts!.t('errors.linkDeadTitle'),
        html`<p>${req.texts!.t('errors.linkDead')}</p>
          ${signInHint(req)}`,
      );
      return;
    }
    setCookie(res, s.sessionId, Math.floor((s.expiresAt.getTime() - now().getTime()) / 1000));
    res.redirect(303, '/dashboard');
  });

  // Operators: ADMIN_TOKEN, from the machine itself only.
  router.get('/signin', (req: Req, res) => {
    if (!isLoopback(req) || !deps.adminToken()) {
      message(req, res, 403, req.texts!.t('errors.cannotSignIn'), signInHint(req));
      return;
    }
    const { t } = req.texts!;
    res.type('html').send(
      render(
        req,
        t('signin.title'),
        html`<h1>${t('signin.title')}</h1>
          <form method="post" action="/dashboard/signin">
            <label
              >ADMIN_TOKEN <input type="password" name="token" autocomplete="off" required
            /></label>
            <button type="submit">${t('signin.submit')}</button>
          </form>`,
      ),
    );
  });

  router.post('/signin', form, async (req: Req, res) => {
    const token = typeof req.body?.token === 'string' ? (req.body.token as string) : '';
    const expected = deps.adminToken();
    if (!isLoopback(req) || !expected || !safeEqual(token, expected)) {
      message(req, res, 401, req.texts!.t('errors.cannotSignIn'), signInHint(req));
      return;
    }
    const s = await openOperatorSession(deps.db, now(), deps.sessionTtlMs);
    setCookie(res, s.sessionId, Math.floor((s.expiresAt.getTime() - now().getTime()) / 1000));
    res.redirect(303, '/dashboard');
  });

  router.get('/signed-out', (req: Req, res) => {
    const { t } = req.texts!;
    res.type('html').send(
      render(
        req,
        t('signin.signedOutTitle'),
        html`<h1>${t('signin.signedOutTitle')}</h1>
          <p>${raw(t('signin.signedOut'))}</p>`,
      ),
    );
  });

  // Everything below needs a session.
  router.use(async (req: Req, res: Response, next: NextFunction) => {
    try {
      const sessionId = cookieOf(req, SESSION_COOKIE);
      const session = sessionId ? await findSession(deps.db, sessionId, now()) : null;
      if (!session || !sessionId) {
        message(req, res, 401, req.texts!.t('errors.needSignIn'), signInHint(req));
        return;
      }
      let roots: Viewer['roots'];
      // A person's own language (/lang in chat), unless one was picked on the page.
      const person =
        session.viewer.kind === 'person'
          ? await deps.db.person.findUnique({ where: { id: session.viewer.personId } })
          : null;
      if (!req.langChosen && isLocale(person?.locale)) req.texts = textsIn(person.locale);
      let label = req.texts!.t('operatorLabel');
      const admin =
        session.viewer.kind === 'operator' ||
        (await deps.db.membership.findFirst({
          where: { personId: session.viewer.personId, role: 'admin', removedAt: null },
          select: { id: true },
        })) !== null;
      if (admin) {
        roots = await deps.db.unit.findMany({
          where: { parentId: null, effectiveTo: null },
          select: { id: true, code: true, name: true },
          orderBy: { code: 'asc' },
        });
      } else {
        const personId = session.viewer.kind === 'person' ? session.viewer.personId : '';
        const ms = await deps.db.membership.findMany({
          where: { personId, role: 'manager', removedAt: null },
          select: { unit: { select: { id: true, code: true, name: true } } },
        });
        roots = ms.map((m) => m.unit);
        label = person?.displayName ?? req.texts!.t('managerLabel');
      }
      req.viewer = { session, sessionId, nonce: req.nonce ?? '', roots, label };
      next();
    } catch (err) {
      next(err);
    }
  });

  const mayOpen = async (v: Viewer, unitId: string): Promise<boolean> =>
    v.session.viewer.kind === 'operator' ||
    canManageUnit(deps.db, { personId: v.session.viewer.personId }, unitId);

  /** The period asked for, or the default monthly one; undefined when it does not parse. */
  const periodParam = (req: Request, schedule: Schedule): Period | undefined => {
    const p = typeof req.query.period === 'string' ? req.query.period : '';
    return p ? parsePeriod(p, now()) : defaultPeriodFor('month', now(), schedule);
  };

  /** The root unit asked for, when the viewer manages it; the first root otherwise. */
  const rootParam = async (req: Req, v: Viewer) => {
    const code = typeof req.query.unit === 'string' ? req.query.unit.trim() : '';
    if (!code) return v.roots[0];
    if (!/^[0-9A-Za-z_-]{1,20}$/.test(code)) return undefined;
    const unit = await deps.db.unit.findFirst({
      where: { code, effectiveTo: null },
      select: { id: true, code: true, name: true },
    });
    return unit && (await mayOpen(v, unit.id)) ? unit : undefined;
  };

  router.get('/', async (req: Req, res, next) => {
    try {
      const v = req.viewer!;
      const x = req.texts!;
      const { t } = x;
      const schedule = await deps.schedule();
      const period = periodParam(req, schedule);
      const root = await rootParam(req, v);
      if (!period) {
        const ex = examplePeriods(now(), schedule);
        badPeriod(req, res, [ex.month, ex.quarter, ex.year]);
        return;
      }
      if (!root) {
        notFound(req, res);
        return;
      }
      const indicator =
        typeof req.query.indicator === 'string' && /^[A-Z0-9]{1,20}$/.test(req.query.indicator)
          ? req.query.indicator
          : undefined;
      const problemsFirst = req.query.order === 'problems';
      const rows = await periodRows(deps.db, { period, schedule, rootUnitCode: root.code });
      const m = buildMatrix(rows, {
        deadlinePassed: now().getTime() > deadlineOf(period, schedule).getTime(),
        problemsFirst,
        texts: x,
        ...(indicator ? { indicator } : {}),
      });
      const periodText = formatPeriod(period);
      const choices = periodChoices(now(), schedule).map(formatPeriod);
      if (!choices.includes(periodText)) choices.unshift(periodText);
      const allIndicators = [...new Set(rows.map((r) => r.indicator.code))].sort();
      const exportQs = new URLSearchParams({ period: periodText, unit: root.code }).toString();
      const body = html`<h1>${t('matrix.heading', { unit: root.name, period: periodText })}</h1>
        <form class="filters" method="get" action="/dashboard">
          <label
            >${t('period')}
            <select name="period">
              ${choices.map(
                (p) =>
                  html`<option value="${p}" ${raw(p === periodText ? ' selected' : '')}>
                    ${p}
                  </option>`,
              )}
            </select></label
          >
          <label
            >${t('unit')}
            <select name="unit">
              ${v.roots.map(
                (u) =>
                  html`<option value="${u.code}" ${raw(u.code === root.code ? ' selected' : '')}>
                    ${u.name}
                  </option>`,
              )}${v.roots.some((u) => u.code === root.code) ? '' : html`<option value="${root.code}" selected>${root.name}</option>`}
            </select></label
          >
          <label
            >${t('matrix.indicator')}
            <select name="indicator">
              <option value="">${t('matrix.all')}</option>
              ${allIndicators.map(
                (c) =>
                  html`<option value="${c}" ${raw(c === indicator ? ' selected' : '')}>
                    ${c}
                  </option>`,
              )}
            </select></label
          >
          <label
            >${t('matrix.order')}
            <select name="order">
              <option value="name">${t('matrix.byName')}</option>
              <option value="problems" ${raw(problemsFirst ? ' selected' : '')}>
                ${t('matrix.problemsFirst')}
              </option>
            </select></label
          >
          <button type="submit">${t('view')}</button>
        </form>
        ${legend(x)}
        ${m.rows.length > 0 ? matrixTable(m, x) : html`<p>${t('matrix.nothingDue', { period: periodText })}</p>`}
        <p>
          <a href="/dashboard/export.xlsx?${exportQs}">${t('matrix.xlsx')}</a> ·
          <a href="/dashboard/export.xlsx?${exportQs}&amp;layout=wide">${t('matrix.xlsxWide')}</a>
          · <a href="/dashboard/export.csv?${exportQs}">${t('matrix.csv')}</a> ·
          <a href="/dashboard/export.csv?${exportQs}&amp;dialect=excel">${t('matrix.csvExcel')}</a>
        </p>
        <p>
          <a href="/dashboard/province?unit=${encodeURIComponent(root.code)}"
            >${t('matrix.province')}</a
          >
          ·
          <a
            href="/dashboard/reminders?unit=${encodeURIComponent(root.code)}&amp;period=${encodeURIComponent(periodText)}"
            >${t('matrix.reminders')}</a
          >
          ·
          <a href="/dashboard/broadcast?unit=${encodeURIComponent(root.code)}"
            >${t('matrix.broadcast')}</a
          >
        </p>`;
      res.type('html').send(render(req, t('matrix.title', { period: periodText }), body));
    } catch (err) {
      next(err);
    }
  });

  router.get('/unit/:code', async (req: Req, res, next) => {
    try {
      const v = req.viewer!;
      const x = req.texts!;
      const { t } = x;
      const code = String(req.params.code ?? '');
      const unit = /^[0-9A-Za-z_-]{1,20}$/.test(code)
        ? await deps.db.unit.findFirst({ where: { code, effectiveTo: null } })
        : null;
      // Outside the viewer's scope reads exactly like an unknown unit.
      if (!unit || !(await mayOpen(v, unit.id))) {
        notFound(req, res);
        return;
      }
      // The page's reads at once: figures, their versions, the audit trail, the schedule.
      const [subs, versions, trail, schedule] = await Promise.all([
        deps.db.submission.findMany({
          where: { unitId: unit.id, status: 'active' },
          orderBy: [{ indicatorCode: 'asc' }, { periodStart: 'desc' }],
          take: 400,
          include: { indicator: { select: { nameVi: true, nameEn: true, unit: true } } },
        }),
        deps.db.submissionVersion.findMany({
          where: { submission: { unitId: unit.id } },
          orderBy: { at: 'desc' },
          take: 30,
          include: { submission: { select: { indicatorCode: true, period: true } } },
        }),
        unitAuditTrail(deps.db, unit.id, x),
        deps.schedule(),
      ]);
      const personIds = [...new Set(versions.flatMap((r) => (r.personId ? [r.personId] : [])))];
      const [charts, names] = await Promise.all([
        unitHistoryCharts(deps.db, unit, subs, x),
        deps.db.person.findMany({ where: { id: { in: personIds } } }),
      ]);
      const people = new Map(names.map((p) => [p.id, p.displayName ?? t('noName')]));
      const fig = (d: unknown): string => {
        if (!d || typeof d !== 'object') return '—';
        const o = d as {
          numerator?: number | null;
          denominator?: number | null;
          value?: number | null;
        };
        if (o.numerator != null && o.denominator != null)
          return `${x.num(o.numerator)}/${x.num(o.denominator)}`;
        return o.value != null ? x.num(o.value) : '—';
      };
      const choices = periodChoices(now(), schedule).map(formatPeriod);
      const actionForm = (action: string, label: string, hint: string) =>
        html`<form
          class="filters"
          method="post"
          action="/dashboard/unit/${encodeURIComponent(unit.code)}/${action}"
        >
          <input type="hidden" name="csrf" value="${v.session.csrf}" />
          <label
            >${t('period')}
            <select name="period">
              ${choices.map((p) => html`<option value="${p}">${p}</option>`)}
            </select></label
          >
          <button type="submit">${label}</button>
          <span class="muted">${hint}</span>
        </form>`;
      const body = html`<h1>${unit.name} (${unit.code})</h1>
        <p>
          <a href="/dashboard?unit=${encodeURIComponent(unit.code)}">${t('unit.matrix')}</a>
          ·
          <a href="/dashboard/province?unit=${encodeURIComponent(unit.code)}"
            >${t('matrix.province')}</a
          >
        </p>
        <h2>${t('unit.actions')}</h2>
        ${actionForm('reopen', t('unit.reopen'), t('unit.reopenHint'))}
        ${actionForm('remind', t('unit.remind'), t('unit.remindHint'))}
        <h2>${t('unit.chartsHeading')}</h2>
        ${charts.length === 0 ? html`<p>${t('noFigures')}</p>` : html`<div class="charts">${charts}</div>`}
        ${listSection(
          t('unit.submitted'),
          t('noFigures'),
          [t('unit.indicator'), t('period'), t('unit.figure')],
          subs.map(
            (s) =>
              html`<tr>
                <td><abbr title="${x.name(s.indicator)}">${s.indicatorCode}</abbr></td>
                <td>${s.period}</td>
                <td>${figureText(s.indicator.unit as IndicatorUnitKind, figureOf(s), x)}</td>
              </tr>`,
          ),
        )}
        ${listSection(
          t('unit.versions'),
          t('none'),
          [t('at'), t('who'), t('unit.channel'), t('unit.indicatorPeriod'), t('unit.oldNew')],
          versions.map(
            (r) =>
              html`<tr>
                <td>${x.dateTime(r.at)}</td>
                <td>${r.personId ? (people.get(r.personId) ?? '') : t('operator')}</td>
                <td>${r.channel ?? ''}</td>
                <td>${r.submission.indicatorCode} ${r.submission.period}</td>
                <td>${fig(r.oldData)} → ${fig(r.newData)} (${r.action})</td>
              </tr>`,
          ),
        )}
        ${listSection(
          t('unit.trail'),
          t('none'),
          [t('at'), t('who'), t('unit.action'), t('unit.detail')],
          trail.map(
            (r) =>
              html`<tr>
                <td>${x.dateTime(r.at)}</td>
                <td>${r.who}</td>
                <td>${r.action}</td>
                <td>${r.detail}</td>
              </tr>`,
          ),
        )}`;
      res.type('html').send(render(req, unit.name, body));
    } catch (err) {
      next(err);
    }
  });

  const csrfOk = (req: Req, v: Viewer): boolean => {
    const csrf = typeof req.body?.csrf === 'string' ? (req.body.csrf as string) : '';
    return safeEqual(csrf, v.session.csrf);
  };
  const badCsrf = (req: Req, res: Response) => refuse(req, res, 403, 'badRequest');
  const actorOf = (v: Viewer): Actor =>
    v.session.viewer.kind === 'operator' ? 'cli' : { personId: v.session.viewer.personId };

  /** A unit action (reopen, remind now): checks session, CSRF, scope and period first. */
  const unitAction =
    (
      run: (
        v: Viewer,
        unit: { id: string; code: string; name: string },
        period: Period,
        schedule: Schedule,
        texts: PageTexts,
      ) => Promise<Html>,
    ) =>
    async (req: Req, res: Response, next: NextFunction) => {
      try {
        const v = req.viewer!;
        const x = req.texts!;
        const { t } = x;
        if (!csrfOk(req, v)) return badCsrf(req, res);
        const code = String(req.params.code ?? '');
        const unit = /^[0-9A-Za-z_-]{1,20}$/.test(code)
          ? await deps.db.unit.findFirst({ where: { code, effectiveTo: null } })
          : null;
        if (!unit || !(await mayOpen(v, unit.id))) return notFound(req, res);
        const schedule = await deps.schedule();
        const text = typeof req.body?.period === 'string' ? (req.body.period as string) : '';
        const period = parsePeriod(text, now());
        const back = html`<p>
          <a href="/dashboard/unit/${encodeURIComponent(unit.code)}"
            >${t('unit.back', { unit: unit.name })}</a
          >
        </p>`;
        if (!period) {
          const ex = examplePeriods(now(), schedule);
          return badPeriod(req, res, [ex.month, ex.quarter], back);
        }
        let result: Html;
        try {
          result = await run(v, unit, period, schedule, x);
        } catch (err) {
          if (!(err instanceof DomainError)) throw err;
          return message(
            req,
            res,
            400,
            t('errors.failedTitle'),
            html`<p>${x.bot(err.key, err.vars)}</p>
              ${back}`,
          );
        }
        res.type('html').send(
          render(
            req,
            unit.name,
            html`<h1>${unit.name}</h1>
              <p role="status">${result}</p>
              ${back}`,
          ),
        );
      } catch (err) {
        next(err);
      }
    };

  router.post(
    '/unit/:code/reopen',
    form,
    unitAction(async (v, unit, period, schedule, x) => {
      const r = await reopenAndNotify(deps.services(), botTexts, {
        actor: actorOf(v),
        unitCode: unit.code,
        period,
        now: now(),
        schedule,
      });
      return html`${x.bot('managers.reopen.done', {
        unit: unit.name,
        period: formatPeriod(period),
        until: x.dateTime(r.until),
        count: r.notified,
      })}`;
    }),
  );

  router.post(
    '/unit/:code/remind',
    form,
    unitAction(async (_v, unit, period, schedule, x) => {
      const plan = await remindNow(deps.services(), botTexts, {
        scope: [unit.code],
        period,
        schedule,
        now: now(),
      });
      const lines = [
        plan.owing.length === 0
          ? x.bot('managers.nhac.nobody', { period: formatPeriod(period) })
          : x.bot('managers.nhac.sent', {
              period: formatPeriod(period),
              messages: plan.queued,
              units: plan.unitsReached,
            }),
        ...(plan.rateLimited > 0
          ? [x.bot('managers.nhac.rateLimited', { count: plan.rateLimited })]
          : []),
        ...(plan.noReporter > 0
          ? [x.bot('managers.nhac.noReporter', { count: plan.noReporter })]
          : []),
      ];
      return html`${lines.map((l, i) => html`${i > 0 ? html`<br />` : ''}${l}`)}`;
    }),
  );

  router.get('/province', async (req: Req, res, next) => {
    try {
      const v = req.viewer!;
      const root = await rootParam(req, v);
      if (!root) return notFound(req, res);
      const schedule = await deps.schedule();
      const series = await provinceSeries(deps.db, root.code, schedule, now());
      const x = req.texts!;
      const { t } = x;
      const charts = await provinceCharts(series, x);
      const body = html`<h1>${t('province.heading', { unit: root.name })}</h1>
        <p class="muted">${t('province.note')}</p>
        <p>
          <a href="/dashboard?unit=${encodeURIComponent(root.code)}">${t('province.matrix')}</a>
        </p>
        <div class="charts">${charts}</div>`;
      res.type('html').send(render(req, t('province.title', { unit: root.name }), body));
    } catch (err) {
      next(err);
    }
  });

  // Downloads through the CLI's own exportDocument (same rows, same files).
  const download =
    (format: ExportFormat) => async (req: Req, res: Response, next: NextFunction) => {
      try {
        const v = req.viewer!;
        const schedule = await deps.schedule();
        const period = periodParam(req, schedule);
        const root = await rootParam(req, v);
        if (!period || !root) {
          res
            .status(!period ? 400 : 404)
            .type('text')
            .send(!period ? 'bad period' : 'unknown unit');
          return;
        }
        const doc = await exportDocument(deps.db, {
          period,
          schedule,
          format,
          layout: req.query.layout === 'wide' ? 'wide' : 'long',
          dialect: req.query.dialect === 'excel' ? 'excel' : 'standard',
          rootUnitCode: root.code,
          exportedAt: now(),
        });
        res
          .type(doc.contentType)
          .setHeader('Content-Disposition', `attachment; filename="${doc.fileName}"`)
          .send(doc.data);
      } catch (err) {
        next(err);
      }
    };
  router.get('/export.csv', download('csv'));
  router.get('/export.xlsx', download('xlsx'));

  router.post('/logout', form, async (req: Req, res, next) => {
    try {
      const v = req.viewer!;
      if (!csrfOk(req, v)) return badCsrf(req, res);
      await revokeSession(deps.db, v.sessionId, now());
      setCookie(res, '', 0);
      res.redirect(303, '/dashboard/signed-out');
    } catch (err) {
      next(err);
    }
  });

  const unitByCode = async (v: Viewer, code: string) => {
    if (!/^[0-9A-Za-z_-]{1,20}$/.test(code)) return undefined;
    const unit = await deps.db.unit.findFirst({
      where: { code, effectiveTo: null },
      select: { id: true, code: true, name: true },
    });
    return unit && (await mayOpen(v, unit.id)) ? unit : undefined;
  };
  const personOf = (v: Viewer): string | null =>
    v.session.viewer.kind === 'person' ? v.session.viewer.personId : null;
  const send = (req: Req, res: Response, title: string, body: Html) => {
    res.type('html').send(render(req, title, body));
  };
  const AUDIENCES: readonly Audience[] = ['reporter', 'manager', 'all'];
  const audience = ({ t }: PageTexts, a: Audience) => t(`broadcast.audience.${a}`);

  // The broadcast composer: audience within scope → preview with counts per channel → confirm.
  router.get('/broadcast', async (req: Req, res, next) => {
    try {
      const v = req.viewer!;
      const x = req.texts!;
      const { t } = x;
      const root = await rootParam(req, v);
      if (!root) return notFound(req, res);
      const mine = personOf(v);
      const recent = await deps.db.broadcast.findMany({
        where: mine ? { createdBy: mine } : {},
        orderBy: { createdAt: 'desc' },
        take: 10,
      });
      send(
        req,
        res,
        t('broadcast.title'),
        html`<h1>${t('broadcast.title')}</h1>
          <form method="post" action="/dashboard/broadcast">
            <input type="hidden" name="csrf" value="${v.session.csrf}" />
            <p>
              <label
                >${t('broadcast.unit')}
                <select name="unit">
                  ${v.roots.map(
                    (u) =>
                      html`<option
                        value="${u.code}"
                        ${raw(u.code === root.code ? ' selected' : '')}
                      >
                        ${u.name}
                      </option>`,
                  )}${v.roots.some((u) => u.code === root.code) ? '' : html`<option value="${root.code}" selected>${root.name}</option>`}
                </select></label
              >
            </p>
            <fieldset>
              <legend>${t('broadcast.to')}</legend>
              ${AUDIENCES.map(
                (a, i) =>
                  html`<label
                      ><input
                        type="radio"
                        name="audience"
                        value="${a}"
                        ${raw(i === 0 ? ' checked' : '')}
                      />
                      ${audience(x, a)}</label
                    ><br />`,
              )}
            </fieldset>
            <p>
              <label
                >${t('broadcast.text', { max: MAX_BROADCAST })}<br />
                <textarea
                  name="text"
                  rows="5"
                  cols="40"
                  maxlength="${MAX_BROADCAST}"
                  required
                ></textarea>
              </label>
            </p>
            <button type="submit">${t('broadcast.preview')}</button>
          </form>
          <h2>${t('broadcast.sent')}</h2>
          ${
            recent.length === 0
              ? html`<p>${t('none')}</p>`
              : html`<ul>
                  ${recent.map(
                    (b) =>
                      html`<li>
                        <a href="/dashboard/broadcast/${b.id}">${x.dateTime(b.createdAt)}</a>
                        — ${b.text.length > 60 ? `${b.text.slice(0, 57)}…` : b.text}
                        ${t('broadcast.recipients', { count: b.recipients })}
                      </li>`,
                  )}
                </ul>`
          }`,
      );
    } catch (err) {
      next(err);
    }
  });

  router.post('/broadcast', form, async (req: Req, res, next) => {
    try {
      const v = req.viewer!;
      const x = req.texts!;
      const { t } = x;
      if (!csrfOk(req, v)) return badCsrf(req, res);
      const body = (req.body ?? {}) as Record<string, unknown>;
      const str = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : '');
      const unit = await unitByCode(v, str('unit').trim());
      if (!unit) return notFound(req, res);
      const to: Audience =
        str('audience') === 'manager' ? 'manager' : str('audience') === 'all' ? 'all' : 'reporter';
      const text = str('text').trim();
      const back = html`<p>
        <a href="/dashboard/broadcast?unit=${unit.code}">${t('broadcast.again')}</a>
      </p>`;
      if (text === '' || text.length > MAX_BROADCAST)
        return message(
          req,
          res,
          400,
          t('broadcast.badTextTitle'),
          html`<p>${t('broadcast.badText', { max: MAX_BROADCAST, length: text.length })}</p>
            ${back}`,
        );
      const mine = personOf(v);
      const r = await broadcastItems(deps.services(), {
        scope: [unit.code],
        audience: to,
        text,
        at: now(),
        ...(mine ? { except: mine } : {}),
      });
      if (str('confirm') !== '1') {
        send(
          req,
          res,
          t('broadcast.previewTitle'),
          html`<h1>${t('broadcast.previewTitle')}</h1>
            <p>
              ${unit.name} — ${audience(x, to)}:
              ${raw(t('broadcast.previewCount', { count: `<b>${r.items.length}</b>` }))}
              ${r.items.length > 0 || r.perChannel.unreachable ? html`(${channelCounts(r.perChannel)})` : ''}
            </p>
            <blockquote class="preview">${text}</blockquote>
            ${
              r.items.length === 0
                ? html`<p>${t('broadcast.nobody')}</p>
                    ${back}`
                : html`<form method="post" action="/dashboard/broadcast">
                      <input type="hidden" name="csrf" value="${v.session.csrf}" />
                      <input type="hidden" name="unit" value="${unit.code}" />
                      <input type="hidden" name="audience" value="${to}" />
                      <input type="hidden" name="text" value="${text}" />
                      <input type="hidden" name="confirm" value="1" />
                      <button type="submit">
                        ${t('broadcast.send', { count: r.items.length })}
                      </button>
                    </form>
                    ${back}`
            }`,
        );
        return;
      }
      const { id } = await sendBroadcast(deps.services(), {
        createdBy: mine,
        unitId: unit.id,
        audience: to,
        text,
        items: r.items,
        at: now(),
      });
      res.redirect(303, `/dashboard/broadcast/${encodeURIComponent(id)}`);
    } catch (err) {
      next(err);
    }
  });

  // Delivery report of a broadcast (like /baocaogui): its unit must be in scope.
  router.get('/broadcast/:id', async (req: Req, res, next) => {
    try {
      const v = req.viewer!;
      const id = String(req.params.id ?? '');
      const b = /^[\w-]{1,40}$/.test(id)
        ? await deps.services().managers.findBroadcast({ id })
        : undefined;
      if (!b || !(await mayOpen(v, b.unitId))) return notFound(req, res);
      const r = await deps.services().managers.batchReport(b.id);
      const x = req.texts!;
      const { t } = x;
      send(
        req,
        res,
        t('broadcast.reportTitle'),
        html`<h1>${t('broadcast.reportTitle')}</h1>
          <p class="muted">${x.dateTime(b.createdAt)} — ${audience(x, b.audience)}</p>
          <blockquote class="preview">${b.text}</blockquote>
          <table class="list">
            <tbody>
              <tr>
                <th scope="row">${t('broadcast.total')}</th>
                <td>${r.total}</td>
              </tr>
              <tr>
                <th scope="row">${t('broadcast.delivered')}</th>
                <td>${r.sent}</td>
              </tr>
              <tr>
                <th scope="row">${t('broadcast.queued')}</th>
                <td>${r.queued}</td>
              </tr>
              <tr>
                <th scope="row">${t('broadcast.failed')}</th>
                <td>${r.total - r.sent - r.queued}</td>
              </tr>
              ${r.failed.map(
                (f) =>
                  html`<tr>
                    <th scope="row">— ${f.reason}</th>
                    <td>${f.count}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
          <p>
            <a href="/dashboard/broadcast/${b.id}">${t('broadcast.refresh')}</a> ·
            <a href="/dashboard/broadcast">${t('broadcast.another')}</a>
          </p>`,
      );
    } catch (err) {
      next(err);
    }
  });

  // The reminder plan of a period over a unit's subtree (like `admin reminders plan`).
  router.get('/reminders', async (req: Req, res, next) => {
    try {
      const v = req.viewer!;
      const schedule = await deps.schedule();
      const period = periodParam(req, schedule);
      const root = await rootParam(req, v);
      if (!root) return notFound(req, res);
      const x = req.texts!;
      const { t } = x;
      if (!period) {
        const ex = examplePeriods(now(), schedule);
        return badPeriod(req, res, [ex.month, ex.quarter]);
      }
      const lines: Html[] = [];
      for (const offset of schedule.reminders.filter((o) => offsetMs(o) < 0)) {
        const plan = await planReminders(deps.services(), botTexts, {
          scope: [root.code],
          period,
          schedule,
          now: now(),
          mode: { kind: 'scheduled', offset },
        });
        lines.push(
          html`<tr>
            <td>${offset}</td>
            <td>${x.dateTime(offsetInstant(period, schedule, offset))}</td>
            <td>${t('reminders.remind')}</td>
            <td>${plan.items.length}</td>
            <td>${plan.owing.length}</td>
            <td>${plan.muted}</td>
            <td>${plan.noReporter}</td>
          </tr>`,
        );
      }
      escalationOffsets(schedule).forEach((offset, step) =>
        lines.push(
          html`<tr>
            <td>${offset}</td>
            <td>${x.dateTime(offsetInstant(period, schedule, offset))}</td>
            <td>${t('reminders.escalate', { step: step + 1 })}</td>
            <td colspan="4">${t('reminders.escalateWho')}</td>
          </tr>`,
        ),
      );
      send(
        req,
        res,
        t('reminders.title', { period: formatPeriod(period) }),
        html`<h1>${t('reminders.heading', { period: formatPeriod(period), unit: root.name })}</h1>
          <p class="muted">
            ${t('reminders.note', {
              deadline: x.dateTime(deadlineOf(period, schedule)),
              now: x.dateTime(now()),
            })}
          </p>
          <form class="filters" method="get" action="/dashboard/reminders">
            <input type="hidden" name="unit" value="${root.code}" />
            <label
              >${t('period')} <input name="period" value="${formatPeriod(period)}" size="10"
            /></label>
            <button type="submit">${t('view')}</button>
          </form>
          <div class="scroll" role="region" aria-label="${t('reminders.region')}" tabindex="0">
            <table class="list">
              <thead>
                <tr>
                  <th>${t('reminders.offset')}</th>
                  <th>${t('at')}</th>
                  <th>${t('reminders.task')}</th>
                  <th>${t('reminders.recipients')}</th>
                  <th>${t('reminders.owing')}</th>
                  <th>${t('reminders.muted')}</th>
                  <th>${t('reminders.noReporter')}</th>
                </tr>
              </thead>
              <tbody>
                ${lines}
              </tbody>
            </table>
          </div>`,
      );
    } catch (err) {
      next(err);
    }
  });

  return router;
}
