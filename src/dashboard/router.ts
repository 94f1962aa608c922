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
import type { Locale, Translate } from '../core/handler.js';
import { DomainError, type Actor } from '../domain/access.js';
import { formatDateTimeVi } from '../text/numbers.js';
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
import { html, page, raw, type Html } from './html.js';

export const SESSION_COOKIE = 'cds_dash';

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
  /** Texts in a recipient's language (reminders); default: `t` for everyone. */
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

type Req = Request & { viewer?: Viewer; nonce?: string };

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

function matrixTable(m: Matrix): Html {
  const head = html`<tr>
    <th class="unit" scope="col">Đơn vị</th>
    ${m.indicators.map((i) => html`<th scope="col"><abbr title="${i.name}">${i.code}</abbr></th>`)}
    <th scope="col">Đã nộp</th>
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
    <th class="unit" scope="row">Đã nộp</th>
    ${m.columns.map((c) => html`<td>${c.reported}/${c.due}</td>`)}
    <td>${m.rows.reduce((s, r) => s + r.reported, 0)}/${m.rows.reduce((s, r) => s + r.due, 0)}</td>
  </tr>`;
  return html`<div class="scroll" role="region" aria-label="Bảng tình hình báo cáo" tabindex="0">
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

const LEGEND = html`<ul class="legend" aria-label="Chú giải">
  <li><span class="ok">✓</span> nộp đúng hạn</li>
  <li><span class="late">⏱</span> nộp muộn</li>
  <li><span class="missing">✗</span> chưa nộp, đã quá hạn</li>
  <li><span class="pending">…</span> chưa nộp, chưa đến hạn</li>
  <li><span>▲</span> đạt chỉ tiêu</li>
  <li><span class="below">▼</span> chưa đạt chỉ tiêu</li>
  <li><span class="na">—</span> không phải báo cáo</li>
</ul>`;

/** The dashboard routes, to mount at /dashboard. */
export function createDashboardRouter(deps: DashboardDeps): Router {
  const now = deps.now ?? (() => new Date());
  const router = Router();
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
    next();
  });

  const setCookie = (res: Response, value: string, maxAgeS: number) => {
    res.setHeader(
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
        page({
          title,
          nonce: req.nonce ?? '',
          body: html`<h1>${title}</h1>
            ${text}`,
        }),
      );
  };

  // Outside the viewer's scope reads exactly like an unknown unit.
  const notFound = (req: Req, res: Response) =>
    message(
      req,
      res,
      404,
      'Không có đơn vị này',
      html`<p>Hoặc đơn vị không thuộc phạm vi quản lý của anh/chị.</p>`,
    );

  const signInHint = html`<p>
    Xin gõ <b>/dashboard</b> trong khung chat với trợ lý để nhận đường dẫn đăng nhập (dùng một lần,
    trong 10 phút).
  </p>`;

  router.get('/login', async (req: Req, res) => {
    const t = typeof req.query.t === 'string' ? req.query.t : '';
    const s = t ? await redeemLoginLink(deps.db, t, now(), deps.sessionTtlMs) : null;
    if (!s) {
      message(
        req,
        res,
        401,
        'Đường dẫn không còn dùng được',
        html`<p>Đường dẫn đăng nhập đã được dùng, đã hết hạn hoặc không đúng.</p>
          ${signInHint}`,
      );
      return;
    }
    setCookie(res, s.sessionId, Math.floor((s.expiresAt.getTime() - now().getTime()) / 1000));
    res.redirect(303, '/dashboard');
  });

  // Operators: ADMIN_TOKEN, from the machine itself only.
  router.get('/signin', (req: Req, res) => {
    if (!isLoopback(req) || !deps.adminToken()) {
      message(req, res, 403, 'Không đăng nhập được', signInHint);
      return;
    }
    res.type('html').send(
      page({
        title: 'Đăng nhập quản trị',
        nonce: req.nonce ?? '',
        body: html`<h1>Đăng nhập quản trị</h1>
          <form method="post" action="/dashboard/signin">
            <label
              >ADMIN_TOKEN <input type="password" name="token" autocomplete="off" required
            /></label>
            <button type="submit">Đăng nhập</button>
          </form>`,
      }),
    );
  });

  router.post('/signin', form, async (req: Req, res) => {
    const token = typeof req.body?.token === 'string' ? (req.body.token as string) : '';
    const expected = deps.adminToken();
    if (!isLoopback(req) || !expected || !safeEqual(token, expected)) {
      message(req, res, 401, 'Không đăng nhập được', signInHint);
      return;
    }
    const s = await openOperatorSession(deps.db, now(), deps.sessionTtlMs);
    setCookie(res, s.sessionId, Math.floor((s.expiresAt.getTime() - now().getTime()) / 1000));
    res.redirect(303, '/dashboard');
  });

  router.get('/signed-out', (req: Req, res) => {
    res.type('html').send(
      page({
        title: 'Đã đăng xuất',
        nonce: req.nonce ?? '',
        body: html`<h1>Đã đăng xuất</h1>
          <p>Gõ <b>/dashboard</b> trong chat để đăng nhập lại.</p>`,
      }),
    );
  });

  // Everything below needs a session.
  router.use(async (req: Req, res: Response, next: NextFunction) => {
    try {
      const sessionId = cookieOf(req, SESSION_COOKIE);
      const session = sessionId ? await findSession(deps.db, sessionId, now()) : null;
      if (!session || !sessionId) {
        message(req, res, 401, 'Cần đăng nhập', signInHint);
        return;
      }
      let roots: Viewer['roots'];
      let label = 'Quản trị hệ thống';
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
        const person = await deps.db.person.findUnique({ where: { id: personId } });
        label = person?.displayName ?? 'Lãnh đạo';
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
      const schedule = await deps.schedule();
      const period = periodParam(req, schedule);
      const root = await rootParam(req, v);
      if (!period) {
        const ex = examplePeriods(now(), schedule);
        message(
          req,
          res,
          400,
          'Kỳ không hợp lệ',
          html`<p>Ví dụ: ${ex.month}, ${ex.quarter}, ${ex.year}.</p>`,
        );
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
        ...(indicator ? { indicator } : {}),
      });
      const periodText = formatPeriod(period);
      const choices = periodChoices(now(), schedule).map(formatPeriod);
      if (!choices.includes(periodText)) choices.unshift(periodText);
      const allIndicators = [...new Set(rows.map((r) => r.indicator.code))].sort();
      const exportQs = new URLSearchParams({ period: periodText, unit: root.code }).toString();
      const body = html`<h1>Tình hình báo cáo ${root.name} — kỳ ${periodText}</h1>
        <form class="filters" method="get" action="/dashboard">
          <label
            >Kỳ
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
            >Đơn vị
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
            >Chỉ tiêu
            <select name="indicator">
              <option value="">Tất cả</option>
              ${allIndicators.map(
                (c) =>
                  html`<option value="${c}" ${raw(c === indicator ? ' selected' : '')}>
                    ${c}
                  </option>`,
              )}
            </select></label
          >
          <label
            >Thứ tự
            <select name="order">
              <option value="name">Theo tên đơn vị</option>
              <option value="problems" ${raw(problemsFirst ? ' selected' : '')}>
                Thiếu, muộn lên đầu
              </option>
            </select></label
          >
          <button type="submit">Xem</button>
        </form>
        ${LEGEND}
        ${m.rows.length > 0 ? matrixTable(m) : html`<p>Không có chỉ tiêu nào phải báo cáo kỳ ${periodText}.</p>`}
        <p>
          <a href="/dashboard/export.xlsx?${exportQs}">Tải Excel (XLSX)</a> ·
          <a href="/dashboard/export.xlsx?${exportQs}&amp;layout=wide"
            >Excel, mỗi đơn vị một dòng</a
          >
          · <a href="/dashboard/export.csv?${exportQs}">Tải CSV</a> ·
          <a href="/dashboard/export.csv?${exportQs}&amp;dialect=excel">CSV cho Excel</a>
        </p>
        <p>
          <a href="/dashboard/province?unit=${encodeURIComponent(root.code)}">Tổng hợp theo kỳ</a> ·
          <a
            href="/dashboard/reminders?unit=${encodeURIComponent(root.code)}&amp;period=${encodeURIComponent(periodText)}"
            >Lịch nhắc kỳ này</a
          >
          · <a href="/dashboard/broadcast?unit=${encodeURIComponent(root.code)}">Gửi thông báo</a>
        </p>`;
      res.type('html').send(
        page({
          title: `Tình hình báo cáo ${periodText}`,
          nonce: v.nonce,
          body,
          csrf: v.session.csrf,
          who: v.label,
        }),
      );
    } catch (err) {
      next(err);
    }
  });

  router.get('/unit/:code', async (req: Req, res, next) => {
    try {
      const v = req.viewer!;
      const code = String(req.params.code ?? '');
      const unit = /^[0-9A-Za-z_-]{1,20}$/.test(code)
        ? await deps.db.unit.findFirst({ where: { code, effectiveTo: null } })
        : null;
      // Outside the viewer's scope reads exactly like an unknown unit.
      if (!unit || !(await mayOpen(v, unit.id))) {
        notFound(req, res);
        return;
      }
      const subs = await deps.db.submission.findMany({
        where: { unitId: unit.id, status: 'active' },
        orderBy: [{ indicatorCode: 'asc' }, { periodStart: 'desc' }],
        take: 400,
        include: { indicator: { select: { nameVi: true, unit: true } } },
      });
      const versions = await deps.db.submissionVersion.findMany({
        where: { submission: { unitId: unit.id } },
        orderBy: { at: 'desc' },
        take: 30,
        include: { submission: { select: { indicatorCode: true, period: true } } },
      });
      const personIds = [...new Set(versions.flatMap((x) => (x.personId ? [x.personId] : [])))];
      const people = new Map(
        (await deps.db.person.findMany({ where: { id: { in: personIds } } })).map((p) => [
          p.id,
          p.displayName ?? '(không tên)',
        ]),
      );
      const fig = (d: unknown): string => {
        if (!d || typeof d !== 'object') return '—';
        const o = d as {
          numerator?: number | null;
          denominator?: number | null;
          value?: number | null;
        };
        if (o.numerator != null && o.denominator != null) return `${o.numerator}/${o.denominator}`;
        return o.value != null ? String(o.value) : '—';
      };
      const [charts, trail] = await Promise.all([
        unitHistoryCharts(deps.db, unit, subs),
        unitAuditTrail(deps.db, unit.id),
      ]);
      const choices = periodChoices(now(), await deps.schedule()).map(formatPeriod);
      const actionForm = (action: string, label: string, hint: string) =>
        html`<form
          class="filters"
          method="post"
          action="/dashboard/unit/${encodeURIComponent(unit.code)}/${action}"
        >
          <input type="hidden" name="csrf" value="${v.session.csrf}" />
          <label
            >Kỳ
            <select name="period">
              ${choices.map((p) => html`<option value="${p}">${p}</option>`)}
            </select></label
          >
          <button type="submit">${label}</button>
          <span class="muted">${hint}</span>
        </form>`;
      const body = html`<h1>${unit.name} (${unit.code})</h1>
        <p>
          <a href="/dashboard?unit=${encodeURIComponent(unit.code)}"
            >Tình hình báo cáo của đơn vị</a
          >
          · <a href="/dashboard/province?unit=${encodeURIComponent(unit.code)}">Tổng hợp theo kỳ</a>
        </p>
        <h2>Thao tác</h2>
        ${actionForm('reopen', 'Mở khóa kỳ', 'Cán bộ báo cáo của đơn vị được báo thời hạn mới (như /mokhoa).')}
        ${actionForm('remind', 'Nhắc ngay', 'Nhắc cán bộ báo cáo các chỉ tiêu còn thiếu (như /nhac; mỗi giờ một lần).')}
        <h2>Diễn biến số liệu so với chỉ tiêu</h2>
        ${charts.length === 0 ? html`<p>Chưa có số liệu.</p>` : html`<div class="charts">${charts}</div>`}
        <h2>Số liệu đã nộp</h2>
        ${
          subs.length === 0
            ? html`<p>Chưa có số liệu.</p>`
            : html`<div class="scroll" role="region" aria-label="Số liệu đã nộp" tabindex="0">
                <table class="list">
                  <thead>
                    <tr>
                      <th>Chỉ tiêu</th>
                      <th>Kỳ</th>
                      <th>Số liệu</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${subs.map(
                      (s) =>
                        html`<tr>
                          <td><abbr title="${s.indicator.nameVi}">${s.indicatorCode}</abbr></td>
                          <td>${s.period}</td>
                          <td>${figureText(s.indicator.unit as IndicatorUnitKind, figureOf(s))}</td>
                        </tr>`,
                    )}
                  </tbody>
                </table>
              </div>`
        }
        <h2>Lịch sử sửa đổi</h2>
        ${
          versions.length === 0
            ? html`<p>Chưa có.</p>`
            : html`<div class="scroll" role="region" aria-label="Lịch sử sửa đổi" tabindex="0">
                <table class="list">
                  <thead>
                    <tr>
                      <th>Lúc</th>
                      <th>Ai</th>
                      <th>Kênh</th>
                      <th>Chỉ tiêu, kỳ</th>
                      <th>Cũ → mới</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${versions.map(
                      (x) =>
                        html`<tr>
                          <td>${x.at.toISOString().slice(0, 16).replace('T', ' ')} UTC</td>
                          <td>${x.personId ? (people.get(x.personId) ?? '') : 'quản trị'}</td>
                          <td>${x.channel ?? ''}</td>
                          <td>${x.submission.indicatorCode} ${x.submission.period}</td>
                          <td>${fig(x.oldData)} → ${fig(x.newData)} (${x.action})</td>
                        </tr>`,
                    )}
                  </tbody>
                </table>
              </div>`
        }
        <h2>Nhật ký thay đổi</h2>
        ${
          trail.length === 0
            ? html`<p>Chưa có.</p>`
            : html`<div class="scroll" role="region" aria-label="Nhật ký thay đổi" tabindex="0">
                <table class="list">
                  <thead>
                    <tr>
                      <th>Lúc</th>
                      <th>Ai</th>
                      <th>Việc</th>
                      <th>Chi tiết</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${trail.map(
                      (x) =>
                        html`<tr>
                          <td>${formatDateTimeVi(x.at)}</td>
                          <td>${x.who}</td>
                          <td>${x.action}</td>
                          <td>${x.detail}</td>
                        </tr>`,
                    )}
                  </tbody>
                </table>
              </div>`
        }`;
      res
        .type('html')
        .send(page({ title: unit.name, nonce: v.nonce, body, csrf: v.session.csrf, who: v.label }));
    } catch (err) {
      next(err);
    }
  });

  const csrfOk = (req: Req, v: Viewer): boolean => {
    const csrf = typeof req.body?.csrf === 'string' ? (req.body.csrf as string) : '';
    return safeEqual(csrf, v.session.csrf);
  };
  const badCsrf = (req: Req, res: Response) =>
    message(req, res, 403, 'Yêu cầu không hợp lệ', html`<p>Xin tải lại trang rồi thử lại.</p>`);
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
      ) => Promise<Html>,
    ) =>
    async (req: Req, res: Response, next: NextFunction) => {
      try {
        const v = req.viewer!;
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
          <a href="/dashboard/unit/${encodeURIComponent(unit.code)}">Về trang ${unit.name}</a>
        </p>`;
        if (!period) {
          const ex = examplePeriods(now(), schedule);
          return message(
            req,
            res,
            400,
            'Kỳ không hợp lệ',
            html`<p>Ví dụ: ${ex.month}, ${ex.quarter}.</p>
              ${back}`,
          );
        }
        let result: Html;
        try {
          result = await run(v, unit, period, schedule);
        } catch (err) {
          if (!(err instanceof DomainError)) throw err;
          return message(
            req,
            res,
            400,
            'Không thực hiện được',
            html`<p>${deps.t(err.key, err.vars)}</p>
              ${back}`,
          );
        }
        res.type('html').send(
          page({
            title: unit.name,
            nonce: v.nonce,
            body: html`<h1>${unit.name}</h1>
              <p role="status">${result}</p>
              ${back}`,
            csrf: v.session.csrf,
            who: v.label,
          }),
        );
      } catch (err) {
        next(err);
      }
    };

  router.post(
    '/unit/:code/reopen',
    form,
    unitAction(async (v, unit, period, schedule) => {
      const r = await reopenAndNotify(deps.services(), deps.texts ?? (() => deps.t), {
        actor: actorOf(v),
        unitCode: unit.code,
        period,
        now: now(),
        schedule,
      });
      return html`${deps.t('managers.reopen.done', {
        unit: unit.name,
        period: formatPeriod(period),
        until: formatDateTimeVi(r.until),
        count: r.notified,
      })}`;
    }),
  );

  router.post(
    '/unit/:code/remind',
    form,
    unitAction(async (_v, unit, period, schedule) => {
      const plan = await remindNow(deps.services(), deps.texts ?? (() => deps.t), {
        scope: [unit.code],
        period,
        schedule,
        now: now(),
      });
      const lines = [
        plan.owing.length === 0
          ? deps.t('managers.nhac.nobody', { period: formatPeriod(period) })
          : deps.t('managers.nhac.sent', {
              period: formatPeriod(period),
              messages: plan.queued,
              units: plan.unitsReached,
            }),
        ...(plan.rateLimited > 0
          ? [deps.t('managers.nhac.rateLimited', { count: plan.rateLimited })]
          : []),
        ...(plan.noReporter > 0
          ? [deps.t('managers.nhac.noReporter', { count: plan.noReporter })]
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
      const charts = await provinceCharts(series);
      const body = html`<h1>Tổng hợp ${root.name} theo kỳ</h1>
        <p class="muted">
          Tỉ lệ: tổng tử số chia tổng mẫu số của các đơn vị đã nộp (như tệp xuất); đường đứt nét là
          chỉ tiêu 2025 và 2030.
        </p>
        <p>
          <a href="/dashboard?unit=${encodeURIComponent(root.code)}">Tình hình báo cáo kỳ này</a>
        </p>
        <div class="charts">${charts}</div>`;
      res.type('html').send(
        page({
          title: `Tổng hợp ${root.name}`,
          nonce: v.nonce,
          body,
          csrf: v.session.csrf,
          who: v.label,
        }),
      );
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
    const v = req.viewer!;
    res
      .type('html')
      .send(page({ title, nonce: v.nonce, body, csrf: v.session.csrf, who: v.label }));
  };
  const AUDIENCES: Record<Audience, string> = {
    reporter: 'Cán bộ báo cáo',
    manager: 'Lãnh đạo',
    all: 'Cả cán bộ báo cáo và lãnh đạo',
  };

  // The broadcast composer: audience within scope → preview with counts per channel → confirm.
  router.get('/broadcast', async (req: Req, res, next) => {
    try {
      const v = req.viewer!;
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
        'Gửi thông báo',
        html`<h1>Gửi thông báo</h1>
          <form method="post" action="/dashboard/broadcast">
            <input type="hidden" name="csrf" value="${v.session.csrf}" />
            <p>
              <label
                >Đơn vị (cả các đơn vị trực thuộc)
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
              <legend>Gửi tới</legend>
              ${(Object.keys(AUDIENCES) as Audience[]).map(
                (a, i) =>
                  html`<label
                      ><input
                        type="radio"
                        name="audience"
                        value="${a}"
                        ${raw(i === 0 ? ' checked' : '')}
                      />
                      ${AUDIENCES[a]}</label
                    ><br />`,
              )}
            </fieldset>
            <p>
              <label
                >Nội dung (tối đa ${MAX_BROADCAST} ký tự)<br />
                <textarea
                  name="text"
                  rows="5"
                  cols="40"
                  maxlength="${MAX_BROADCAST}"
                  required
                ></textarea>
              </label>
            </p>
            <button type="submit">Xem trước</button>
          </form>
          <h2>Thông báo đã gửi</h2>
          ${
            recent.length === 0
              ? html`<p>Chưa có.</p>`
              : html`<ul>
                  ${recent.map(
                    (b) =>
                      html`<li>
                        <a href="/dashboard/broadcast/${b.id}">${formatDateTimeVi(b.createdAt)}</a>
                        — ${b.text.length > 60 ? `${b.text.slice(0, 57)}…` : b.text}
                        (${b.recipients} người nhận)
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
      if (!csrfOk(req, v)) return badCsrf(req, res);
      const body = (req.body ?? {}) as Record<string, unknown>;
      const str = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : '');
      const unit = await unitByCode(v, str('unit').trim());
      if (!unit) return notFound(req, res);
      const audience: Audience =
        str('audience') === 'manager' ? 'manager' : str('audience') === 'all' ? 'all' : 'reporter';
      const text = str('text').trim();
      const back = html`<p><a href="/dashboard/broadcast?unit=${unit.code}">Soạn lại</a></p>`;
      if (text === '' || text.length > MAX_BROADCAST)
        return message(
          req,
          res,
          400,
          'Nội dung không hợp lệ',
          html`<p>Nội dung cần có, tối đa ${MAX_BROADCAST} ký tự (đang có ${text.length}).</p>
            ${back}`,
        );
      const mine = personOf(v);
      const r = await broadcastItems(deps.services(), {
        scope: [unit.code],
        audience,
        text,
        at: now(),
        ...(mine ? { except: mine } : {}),
      });
      if (str('confirm') !== '1') {
        send(
          req,
          res,
          'Xem trước thông báo',
          html`<h1>Xem trước thông báo</h1>
            <p>
              ${unit.name} — ${AUDIENCES[audience]}: <b>${r.items.length}</b> người nhận
              ${r.items.length > 0 || r.perChannel.unreachable ? html`(${channelCounts(r.perChannel)})` : ''}
            </p>
            <blockquote class="preview">${text}</blockquote>
            ${
              r.items.length === 0
                ? html`<p>Không có người nhận nào trong phạm vi đã chọn.</p>
                    ${back}`
                : html`<form method="post" action="/dashboard/broadcast">
                      <input type="hidden" name="csrf" value="${v.session.csrf}" />
                      <input type="hidden" name="unit" value="${unit.code}" />
                      <input type="hidden" name="audience" value="${audience}" />
                      <input type="hidden" name="text" value="${text}" />
                      <input type="hidden" name="confirm" value="1" />
                      <button type="submit">Gửi ${r.items.length} tin</button>
                    </form>
                    ${back}`
            }`,
        );
        return;
      }
      const { id } = await sendBroadcast(deps.services(), {
        createdBy: mine,
        unitId: unit.id,
        audience,
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
      send(
        req,
        res,
        'Kết quả gửi thông báo',
        html`<h1>Kết quả gửi thông báo</h1>
          <p class="muted">${formatDateTimeVi(b.createdAt)} — ${AUDIENCES[b.audience]}</p>
          <blockquote class="preview">${b.text}</blockquote>
          <table class="list">
            <tbody>
              <tr>
                <th scope="row">Tổng số tin</th>
                <td>${r.total}</td>
              </tr>
              <tr>
                <th scope="row">Đã gửi</th>
                <td>${r.sent}</td>
              </tr>
              <tr>
                <th scope="row">Đang chờ gửi</th>
                <td>${r.queued}</td>
              </tr>
              <tr>
                <th scope="row">Không gửi được</th>
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
            <a href="/dashboard/broadcast/${b.id}">Cập nhật</a> ·
            <a href="/dashboard/broadcast">Soạn thông báo khác</a>
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
      if (!period)
        return message(req, res, 400, 'Kỳ không hợp lệ', html`<p>Ví dụ: T11/2026, Q4/2026.</p>`);
      const lines: Html[] = [];
      for (const offset of schedule.reminders.filter((o) => offsetMs(o) < 0)) {
        const plan = await planReminders(deps.services(), deps.texts ?? (() => deps.t), {
          scope: [root.code],
          period,
          schedule,
          now: now(),
          mode: { kind: 'scheduled', offset },
        });
        lines.push(
          html`<tr>
            <td>${offset}</td>
            <td>${formatDateTimeVi(offsetInstant(period, schedule, offset))}</td>
            <td>Nhắc cán bộ báo cáo</td>
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
            <td>${formatDateTimeVi(offsetInstant(period, schedule, offset))}</td>
            <td>Báo lãnh đạo đơn vị chậm (bậc ${step + 1})</td>
            <td colspan="4">theo các đơn vị còn chậm lúc đó</td>
          </tr>`,
        ),
      );
      send(
        req,
        res,
        `Lịch nhắc ${formatPeriod(period)}`,
        html`<h1>Lịch nhắc kỳ ${formatPeriod(period)} — ${root.name}</h1>
          <p class="muted">
            Hạn nộp ${formatDateTimeVi(deadlineOf(period, schedule))}. Số người nhận tính theo tình
            hình lúc này (${formatDateTimeVi(now())}).
          </p>
          <form class="filters" method="get" action="/dashboard/reminders">
            <input type="hidden" name="unit" value="${root.code}" />
            <label>Kỳ <input name="period" value="${formatPeriod(period)}" size="10" /></label>
            <button type="submit">Xem</button>
          </form>
          <div class="scroll" role="region" aria-label="Lịch nhắc" tabindex="0">
            <table class="list">
              <thead>
                <tr>
                  <th>Mốc</th>
                  <th>Lúc</th>
                  <th>Việc</th>
                  <th>Người nhận</th>
                  <th>Đơn vị còn thiếu</th>
                  <th>Tắt nhắc</th>
                  <th>Chưa có cán bộ</th>
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
