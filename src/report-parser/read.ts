/**
 * The one entry point for a linked reporter's free text: what kind of message is it, and what
 * can be read from it?
 *
 * - `complete`: every indicator, value and period read; the handler echoes it with Xác nhận.
 * - `partial`: a report attempt not read completely: what was understood, what was not (as
 *   parse errors), and the likely full reading when one exists (a slip in a code or name, two
 *   counts without "trong đó"), which the person confirms with a button — never read silently.
 * - `ambiguous`: a short form several indicators share ("hồ sơ 98/120", "tài khoản 80%"):
 *   every candidate, each with its reading, to be asked back as buttons.
 * - `status`: a question about figures without a figure ("xã Thạch Hà báo cáo chưa",
 *   "HSTT tháng 10 của xã mình là bao nhiêu"): never a report attempt.
 * - `notReport`: anything else (a citizen's question, even with numbers: "cấp căn cước cho trẻ
 *   14 tuổi"), for the citizens' search.
 *
 * Pure: nothing is saved; whether a period is locked is the handler's to say.
 */
import type { Period } from '../domain/periods.js';
import type { Schedule } from '../domain/schedule.js';
import { normalizeInput } from '../text/vietnamese.js';
import type { SenderUnits } from './canonical.js';
import { analyseReport, type Analysis } from './parser.js';
import type { IndicatorDef, ParseError, ParsedItem } from './types.js';

/** What {@link readMessage} needs besides the text. */
export interface ReadInput {
  catalogue: readonly IndicatorDef[];
  now: Date;
  schedule: Schedule;
  /** The sender's units and the unit names a message may contain. */
  sender?: SenderUnits;
}

/** A full reading of a message (or of its likely correction). */
export interface FullReading {
  /** The text that reads this way (the message, or the corrected one). */
  text: string;
  items: ParsedItem[];
  /** The period named in the text, if any. */
  period?: Period;
  /** One of the sender's own units named in the text (it picks the unit when they have several). */
  unitCode?: string;
}

export type Reading =
  | ({ kind: 'complete' } & FullReading)
  | {
      kind: 'partial';
      /** Items read without error. */
      understood: ParsedItem[];
      /** What was not understood, as message keys with variables (parse.error.*). */
      errors: ParseError[];
      /** The likely full reading, to offer behind a button. */
      likely?: FullReading;
      unitCode?: string;
    }
  | {
      kind: 'ambiguous';
      /** The short form as typed ("hồ sơ"). */
      part: string;
      /** Each indicator it may mean, with the reading if it were that one. */
      candidates: { code: string; reading: FullReading }[];
      understood: ParsedItem[];
      unitCode?: string;
    }
  | { kind: 'status'; period?: Period; codes: string[] }
  | { kind: 'notReport' };

// Questions that ask about a figure or a report, not for a public service.
const STATUS_ASK =
  /\b(?:bao nhieu|con thieu|chua (?:bao cao|bc|nop|gui|nhap)|(?:bc|bao cao|nop|gui|xong|du|dat|co|nhap|cap nhat) chua|(?:da|co) bao cao\b.*\bchua)\b|\bda\b.*\bchua(?: a| vay| nhi| ha)?\s*\??\s*$/;
// "… chưa" at the end: a status question when there is no figure ("CNTT chưa" is a figure).
const TRAILING_CHUA = /\bchua(?: a| vay| nhi| ha)?\s*\??\s*$/;
// Questions a citizen asks: "là gì", "ở đâu", "thế nào", "được không", "mất bao lâu".
const INFO_ASK =
  /\b(?:la gi|o dau|the nao|nhu nao|ra sao|lam sao|duoc khong|bao lau|cach nao|huong dan|lam the nao|can gi|giay to gi)\b/;

function ownUnitCode(a: Analysis): string | undefined {
  return a.marks.find((m) => m.kind === 'ownUnit')?.code;
}

function full(text: string, a: Analysis): FullReading | undefined {
  if (!a.result.ok) return undefined;
  const unitCode = ownUnitCode(a);
  return {
    text,
    items: a.result.items,
    ...(a.result.period ? { period: a.result.period } : {}),
    ...(unitCode ? { unitCode } : {}),
  };
}

/** Replace spans of the NFC text (non-overlapping, any order). */
function applyFixes(
  src: string,
  fixes: readonly { span: readonly [number, number]; text: string }[],
): string {
  const sorted = [...fixes].sort((x, y) => y.span[0] - x.span[0]);
  let out = src;
  let limit = Infinity;
  for (const f of sorted) {
    if (f.span[1] > limit) continue;
    out = out.slice(0, f.span[0]) + f.text + out.slice(f.span[1]);
    limit = f.span[0];
  }
  return out;
}

/**
 * Classify and read a linked reporter's message (see the module comment).
 * @param text the message as typed.
 */
export function readMessage(text: string, input: ReadInput): Reading {
  const { catalogue, now, schedule, sender } = input;
  const src = normalizeInput(text);
  const opts = sender ? { sender } : {};
  const strict = analyseReport(src, catalogue, now, schedule, opts);
  // The canonical words: "baos caos … chuwa" asks like "báo cáo … chưa".
  const f = strict.folded.replace(/\s+/g, ' ').trim();
  const info = INFO_ASK.test(f);
  const statusAsk = STATUS_ASK.test(f);
  const asked = info || statusAsk || f.includes('?');
  if (strict.result.ok && !asked) {
    const r = full(src, strict);
    if (r) return { kind: 'complete', ...r };
  }
  const a = analyseReport(src, catalogue, now, schedule, { ...opts, lenient: true });
  if (a.result.ok && !asked) {
    const r = full(src, a);
    if (r) return { kind: 'complete', ...r };
  }

  const mentions = a.mentioned.length + a.shared.length;
  const valueNearSlip = a.unknown.some((u) => u.suggestion) && a.loneValues > 0;
  // "đã báo cáo CNTT chưa", "HSCV quý 4 đạt bao nhiêu": the "chưa" / "đạt" ask; they are
  // no one's answer. Only yes/no words were read as values, and the message asks for status.
  const statusWords = statusAsk || TRAILING_CHUA.test(f);
  const hasFigure =
    (a.figures > 0 && !(a.boolOnly && statusWords)) || a.shared.length > 0 || valueNearSlip;
  const errors = a.result.ok ? [] : a.result.errors;
  // No figure, and asking: a status question when it is about reports or indicators.
  if (!hasFigure && (asked || TRAILING_CHUA.test(f))) {
    const aboutReports =
      mentions > 0 ||
      a.reportWord ||
      /\b(?:chi tieu|so lieu)\b/.test(f) ||
      a.marks.some((m) => m.kind !== 'date');
    if ((statusAsk || TRAILING_CHUA.test(f)) && aboutReports) {
      return { kind: 'status', ...(a.period ? { period: a.period } : {}), codes: a.mentioned };
    }
    return { kind: 'notReport' };
  }
  // A citizen's question that happens to name an indicator's words and a number.
  if (info && !a.prefixed && !a.mentioned.some((c) => f.includes(c.toLowerCase()))) {
    return { kind: 'notReport' };
  }
  const attempt = (mentions > 0 && (hasFigure || a.loneValues > 0)) || valueNearSlip || a.prefixed;
  if (!attempt) return { kind: 'notReport' };
  const unitCode = ownUnitCode(a);
  const unit = unitCode ? { unitCode } : {};

  const fixes = errors.flatMap((e) => (e.fix ? [e.fix] : []));
  const shared = errors.filter((e) => e.candidates && e.candidates.length > 0);
  const readFixed = (
    extra: { span: readonly [number, number]; text: string }[],
  ): FullReading | undefined => {
    const fixed = applyFixes(src, [...fixes, ...extra]);
    if (fixed === src && extra.length === 0 && !asked) return undefined;
    const r = analyseReport(fixed, catalogue, now, schedule, { ...opts, lenient: true });
    return full(fixed, r);
  };
  const [one] = shared;
  if (shared.length === 1 && one?.candidates) {
    const candidates = one.candidates.flatMap((code) => {
      const reading = readFixed([{ span: one.span, text: code }]);
      return reading ? [{ code, reading }] : [];
    });
    if (candidates.length > 0) {
      return {
        kind: 'ambiguous',
        part: one.vars.part ?? '',
        candidates,
        understood: a.understood,
        ...unit,
      };
    }
  }
  const likely = shared.length === 0 ? readFixed([]) : undefined;
  // A question mark on a clean reading: offer that reading, do not take it as said.
  const errorsOut =
    errors.length > 0
      ? errors
      : [
          {
            key: 'parse.error.question',
            vars: { part: src.trim() },
            span: [0, src.length] as const,
          },
        ];
  return {
    kind: 'partial',
    understood: a.understood,
    errors: errorsOut,
    ...(likely ? { likely } : {}),
    ...unit,
  };
}
