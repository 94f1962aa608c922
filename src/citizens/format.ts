import type { Button, OutboundReply } from '../core/message.js';
import type { Translate } from '../core/handler.js';
import type { FaqEntry, OnlineLevel, ProcedureRecord, SearchHit } from './types.js';

/**
 * Turning catalogue records into short chat answers. The catalogue's raw strings are noisy
 * ("1 (đơn vị không ghi trên cổng)", fees with long legal notes), so they are cleaned for a
 * phone screen here; nothing is invented: unknown values are left out or said to be unknown.
 */

const MAX_NAME = 160;
const MAX_LIST_NAME = 90;

/** Cut a long text at a word boundary, with an ellipsis. */
export function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const sp = cut.lastIndexOf(' ');
  return `${(sp > max * 0.6 ? cut.slice(0, sp) : cut).replace(/[\s,;:(/-]+$/, '')}…`;
}

/** dd/mm/yyyy in Asia/Ho_Chi_Minh. */
export function formatDateVi(d: Date): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Asia/Ho_Chi_Minh',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
  }).formatToParts(d);
  const get = (t: string): string => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('day')}/${get('month')}/${get('year')}`;
}

const UNKNOWN_VALUES = /^(không ghi|không có thông tin( phí)?|chưa có thông tin|unknown|n\/a|-)$/i;

/** Vietnamese number style: "50,000 Việt Nam Đồng" -> "50.000 đồng", "8,000 VNĐ" -> "8.000 đồng". */
function money(text: string): string {
  return text
    .replace(/(\d{1,3}(?:,\d{3})+)(?=\s*(?:Việt Nam Đồng|VNĐ|đồng|USD))/g, (m) =>
      m.replace(/,/g, '.'),
    )
    .replace(/\s*(Việt Nam Đồng|VNĐ)/g, ' đồng');
}

interface Segment {
  channel?: string;
  amount: string;
  note?: string;
}

/** Split "Trực tuyến: X (ghi chú: …) | Trực tiếp: Y" into segments. */
function segments(raw: string, sep: RegExp): Segment[] {
  return raw
    .split(sep)
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      const ch = /^(Trực tuyến|Trực tiếp|Dịch vụ bưu chính)\s*:\s*/i.exec(s);
      const body = ch ? s.slice(ch[0].length) : s;
      const noteAt = body.indexOf('(ghi chú:');
      const amount = (noteAt >= 0 ? body.slice(0, noteAt) : body).trim();
      const note =
        noteAt >= 0
          ? body
              .slice(noteAt + 9)
              .replace(/\)?\s*$/, '')
              .trim()
          : undefined;
      return { ...(ch?.[1] ? { channel: ch[1] } : {}), amount, ...(note ? { note } : {}) };
    });
}

/**
 * The fee for a phone screen, or undefined when the catalogue has none. Prefers the online
 * channel's fee. When the note states an amount (the catalogue sometimes says "Miễn phí" or
 * "135 VNĐ" with the real "135.000 đồng" in the note), the note is shown instead of the
 * misleading figure.
 */
export function formatFee(raw: string | null): string | undefined {
  if (!raw || UNKNOWN_VALUES.test(raw.trim())) return undefined;
  const segs = segments(raw, /\s*\|\s*(?=(?:Trực tuyến|Trực tiếp|Dịch vụ bưu chính)\s*:)/i);
  const seg = segs.find((s) => /trực tuyến/i.test(s.channel ?? '')) ?? segs[0];
  if (!seg) return undefined;
  let out = money(seg.amount).replace(/\s*\/\s*10 USD.*$/, '');
  if (UNKNOWN_VALUES.test(out)) return undefined;
  const note = seg.note?.replace(/^[-+\s]+/, '').replace(/\s+/g, ' ');
  if (note?.startsWith('/')) out = `${out}${note.split(/[;.]/)[0]}`;
  else if (note && /\d[\d.]*\s*(đồng|đ\b|đ\/)/i.test(note)) {
    // The sentence that states the amount, not the whole legal note.
    const sentence = note
      .split(/(?<=\.)\s+(?:-\s*)?(?=\p{Lu})/u)
      .find((x) => /\d[\d.]*\s*(đồng|đ\b|đ\/)/i.test(x));
    out = shorten(sentence ?? note, 110);
  }
  if (seg.channel && /trực tuyến/i.test(seg.channel) && segs.length > 1)
    out = `${out} (nộp trực tuyến)`;
  return out;
}

/** Drop crawler remarks, lower-case units. */
function cleanTime(raw: string): string {
  return raw
    .replace(/\s*\(bản ghi DVCQG:[^)]*\)/g, '')
    .replace(/Ngày/g, 'ngày')
    .replace(/Giờ/g, 'giờ');
}

/** A figure the portal gives without its unit ("3 (đơn vị không ghi trên cổng)"): unusable. */
const NO_UNIT = /\(đơn vị không ghi trên cổng\)|\(cổng không ghi đơn vị\)/;

/**
 * The processing time for a phone screen, or undefined when unknown. A figure without its unit
 * is unknown too: "3" could be days or working days, and data notes never reach citizens.
 * `full` keeps every channel (details view).
 */
export function formatProcessingTime(raw: string | null, full = false): string | undefined {
  if (!raw || UNKNOWN_VALUES.test(raw.trim())) return undefined;
  const clean = cleanTime(raw);
  const segs = segments(clean, /\s*;\s*(?=(?:Trực tuyến|Trực tiếp|Dịch vụ bưu chính)\s*:)/i).filter(
    (s) => !NO_UNIT.test(s.amount) && s.amount !== '',
  );
  if (segs.length === 0) return undefined;
  if (full) return segs.map((s) => (s.channel ? `${s.channel}: ${s.amount}` : s.amount)).join('; ');
  const online = segs.find((s) => /trực tuyến/i.test(s.channel ?? ''));
  if (online && segs.length > 1) return `${online.amount} (nộp trực tuyến)`;
  const first = segs[0];
  return first ? shorten(first.amount, 100) : undefined;
}

/** "cấp xã; cấp tỉnh; trung ương" -> "cấp xã, cấp tỉnh, trung ương". */
export function formatLevel(level: string | null): string | undefined {
  if (!level) return undefined;
  return level
    .split(/\s*;\s*/)
    .filter((s) => s !== '')
    .join(', ');
}

const LEVEL_KEY: Record<OnlineLevel, string> = {
  'toàn trình': 'citizen.online.full',
  'một phần': 'citizen.online.partial',
  'tùy cơ quan': 'citizen.online.depends',
  'chưa trực tuyến': 'citizen.online.offline',
  unknown: 'citizen.online.unknown',
};

const LEVEL_SHORT_KEY: Record<OnlineLevel, string> = {
  'toàn trình': 'citizen.onlineShort.full',
  'một phần': 'citizen.onlineShort.partial',
  'tùy cơ quan': 'citizen.onlineShort.depends',
  'chưa trực tuyến': 'citizen.onlineShort.offline',
  unknown: 'citizen.onlineShort.unknown',
};

/**
 * The online level in one plain line. Unknown: how to check it (the procedure's portal page,
 * or the national portal).
 */
export function explainOnlineLevel(p: ProcedureRecord, t: Translate): string {
  return t(LEVEL_KEY[p.onlineLevel], {
    detail: p.onlineLevelDetail ?? t('citizen.online.noDetail'),
    url: p.portalUrl ?? NATIONAL_PORTAL,
  });
}

/** One word or two for lists. */
export function shortOnlineLevel(p: ProcedureRecord, t: Translate): string {
  return t(LEVEL_SHORT_KEY[p.onlineLevel]);
}

/** The national public-service portal (where every procedure can be looked up). */
export const NATIONAL_PORTAL = 'https://dichvucong.gov.vn';

/** Lines describing one procedure (numbered when n is given). */
export function procedureBlock(
  p: ProcedureRecord,
  t: Translate,
  opts: { n?: number; full?: boolean; maxName?: number } = {},
): string {
  const name = opts.full ? p.name : shorten(p.name, opts.maxName ?? MAX_NAME);
  const lines = [
    opts.n !== undefined
      ? t('citizen.hit.titleN', { n: opts.n, name, code: p.code })
      : t('citizen.hit.title', { name, code: p.code }),
    t('citizen.hit.online', { text: explainOnlineLevel(p, t) }),
  ];
  const level = formatLevel(p.level);
  if (level) lines.push(t('citizen.hit.where', { level }));
  const time = formatProcessingTime(p.processingTime, opts.full === true);
  if (time) lines.push(t('citizen.hit.time', { time }));
  const fee = opts.full
    ? p.fee && !UNKNOWN_VALUES.test(p.fee)
      ? shorten(money(p.fee), 600)
      : undefined
    : formatFee(p.fee);
  if (fee) lines.push(t('citizen.hit.fee', { fee }));
  // The unknown-level line already points to the page.
  if (p.portalUrl && p.onlineLevel !== 'unknown')
    lines.push(t('citizen.hit.link', { url: p.portalUrl }));
  return lines.join('\n');
}

/** "dd/mm/yyyy" from an ISO date ("2026-10-03"), as written, without time zones. */
export function formatIsoDate(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : iso;
}

/**
 * "Nguồn: Cổng Dịch vụ công quốc gia, danh mục ngày dd/mm/yyyy." The date is the catalogue's
 * own as-of date (ISO, from the catalogue or `import services --as-of`), not when we imported it.
 */
export function sourceLine(t: Translate, asOf: string | null): string {
  return asOf ? t('citizen.source', { date: formatIsoDate(asOf) }) : t('citizen.sourceNoDate');
}

/** Button to a procedure's details: label "Chi tiết 1.001193". */
export function detailsButton(code: string, t: Translate): Button {
  return { label: t('citizen.buttons.details', { code }), data: `svc:d:${code}` };
}

/** A one-line button for another candidate, its official code visible: "1.000689 · Đăng ký…". */
export function procedureButton(p: ProcedureRecord): Button {
  return {
    label: `${p.code} · ${shorten(p.name.replace(/^Thủ tục /, ''), 30)}`,
    data: `svc:d:${p.code}`,
  };
}

/** The first reply may fill one phone screen, no more. */
export const FIRST_REPLY_MAX = 700;

/**
 * The answer to a search with hits: the best one with its key facts, the others as one-line
 * buttons (details on tap), the catalogue's date, and "not what I need".
 */
export function formatHits(
  hits: readonly SearchHit[],
  t: Translate,
  asOf: string | null,
): OutboundReply {
  const [best, ...others] = hits;
  const buttons: Button[][] = [];
  const build = (maxName: number, faqMax: number): string => {
    const blocks: string[] = [];
    if (best?.kind === 'procedure') {
      blocks.push(t('citizen.foundOne'));
      blocks.push(procedureBlock(best.procedure, t, { maxName }));
    } else if (best) {
      blocks.push(faqBlock({ ...best.faq, body: shorten(best.faq.body, faqMax) }, undefined, t));
    }
    if (others.length > 0) blocks.push(t('citizen.others'));
    if (hits.some((h) => h.kind === 'procedure')) blocks.push(sourceLine(t, asOf));
    return blocks.join('\n\n');
  };
  let text = build(MAX_NAME, 420);
  // Long names or notes: tighten until it fits one screen.
  for (const [maxName, faqMax] of [
    [110, 320],
    [80, 240],
  ] as const)
    if (text.length > FIRST_REPLY_MAX) text = build(maxName, faqMax);
  if (text.length > FIRST_REPLY_MAX) text = shorten(text, FIRST_REPLY_MAX);
  if (best?.kind === 'procedure') buttons.push([detailsButton(best.procedure.code, t)]);
  for (const h of others)
    buttons.push([
      h.kind === 'procedure'
        ? procedureButton(h.procedure)
        : { label: shorten(h.faq.title, 40), data: `svc:q:${h.faq.id}` },
    ]);
  buttons.push([{ label: t('citizen.buttons.notMine'), data: 'svc:no' }]);
  return { text, buttons };
}

function faqBlock(f: FaqEntry, n: number | undefined, t: Translate): string {
  const title =
    n !== undefined
      ? t('citizen.faqTitleN', { n, title: f.title })
      : t('citizen.faqTitle', { title: f.title });
  return `${title}\n${f.body}`;
}

/** A FAQ entry on its own. */
export function formatFaq(f: FaqEntry, t: Translate): OutboundReply {
  return {
    text: faqBlock(f, undefined, t),
    buttons: [[{ label: t('citizen.buttons.fields'), data: 'svc:fl:1' }]],
  };
}

/** Full details of one procedure (button `svc:d:<code>`). */
export function formatDetails(
  p: ProcedureRecord,
  t: Translate,
  asOf: string | null,
): OutboundReply {
  const lines = [procedureBlock(p, t, { full: true }), t('citizen.hit.field', { field: p.field })];
  if (p.fee) lines.push(t('citizen.feeNote'));
  lines.push(sourceLine(t, asOf));
  return {
    text: lines.join('\n'),
    buttons: [[{ label: t('citizen.buttons.fields'), data: 'svc:fl:1' }]],
  };
}

/** A procedure outside our catalogue: say so, and where to look it up (the national portal). */
export function formatNotInList(query: string, t: Translate): OutboundReply {
  return {
    text: t('citizen.notInList', { query: shorten(query.trim(), 60), url: NATIONAL_PORTAL }),
    buttons: [[{ label: t('citizen.buttons.fields'), data: 'svc:fl:1' }]],
  };
}

/** "Not found": suggest rephrasing and browsing by field instead of guessing. */
export function formatNotFound(query: string, t: Translate): OutboundReply {
  return {
    text: t('citizen.notFound', { query: shorten(query.trim(), 60) }),
    buttons: [
      [{ label: t('citizen.buttons.fields'), data: 'svc:fl:1' }],
      [{ label: t('citizen.buttons.fullyOnline'), data: 'svc:tt:1' }],
    ],
  };
}

export interface Page<T> {
  items: T[];
  page: number;
  pages: number;
}

/** Slice a list into pages (1-based; out-of-range pages clamp). */
export function paginate<T>(all: readonly T[], page: number, size: number): Page<T> {
  const pages = Math.max(1, Math.ceil(all.length / size));
  const p = Math.min(Math.max(1, Math.trunc(page) || 1), pages);
  return { items: all.slice((p - 1) * size, p * size), page: p, pages };
}

function navRow(prefix: string, page: Page<unknown>, t: Translate): Button[] {
  const row: Button[] = [];
  if (page.page > 1)
    row.push({ label: t('citizen.buttons.prev'), data: `${prefix}${page.page - 1}` });
  if (page.page < page.pages)
    row.push({ label: t('citizen.buttons.next'), data: `${prefix}${page.page + 1}` });
  return row;
}

export interface FieldInfo {
  field: string;
  /** Short stable key for button data (hash of the folded name). */
  key: string;
  count: number;
}

/** The list of fields, as buttons (`svc:f:<key>:1`), paged. */
export function formatFields(
  fields: readonly FieldInfo[],
  pageNo: number,
  t: Translate,
  intro?: string,
): OutboundReply {
  const page = paginate(fields, pageNo, 8);
  const buttons: Button[][] = page.items.map((f) => [
    { label: `${shorten(f.field, 36)} (${f.count})`, data: `svc:f:${f.key}:1` },
  ]);
  const nav = navRow('svc:fl:', page, t);
  if (nav.length) buttons.push(nav);
  buttons.push([{ label: t('citizen.buttons.fullyOnline'), data: 'svc:tt:1' }]);
  const head = t('citizen.fields.title', { page: page.page, pages: page.pages });
  return { text: intro ? `${intro}\n\n${head}` : head, buttons };
}

/** A paged list of procedures with a details button each. */
export function formatProcedureList(
  title: string,
  list: readonly ProcedureRecord[],
  pageNo: number,
  prefix: string,
  t: Translate,
  asOf: string | null,
): OutboundReply {
  const page = paginate(list, pageNo, 8);
  const lines = page.items.map((p) =>
    t('citizen.listItem', {
      name: shorten(p.name, MAX_LIST_NAME),
      code: p.code,
      level: shortOnlineLevel(p, t),
    }),
  );
  const buttons: Button[][] = page.items.map((p) => [procedureButton(p)]);
  const nav = navRow(prefix, page, t);
  if (nav.length) buttons.push(nav);
  buttons.push([{ label: t('citizen.buttons.fields'), data: 'svc:fl:1' }]);
  const head = `${title}\n${t('citizen.pageOf', { page: page.page, pages: page.pages })}`;
  return { text: [head, lines.join('\n'), sourceLine(t, asOf)].join('\n\n'), buttons };
}
