/**
 * Vietnamese numbers written in words: "mười", "mười một", "hai mươi lăm", "bảy mươi",
 * "một trăm linh năm", "hai nghìn không trăm hai mươi sáu", "một triệu hai trăm nghìn".
 *
 * Words are given twice: folded (no marks, for matching text typed without diacritics) and as
 * typed (lower case, NFC). When the person typed diacritics we trust them, so "làm" (to do) is
 * never "lăm" (five) and "sau" (after) is "sáu" (six) only when written "sáu" or typed with no
 * marks at all. Values are BigInt, so a figure written in words can be checked against the
 * storage limits exactly, like one written in digits.
 */

/** One word of the message. */
export interface NumberWord {
  /** Folded: no marks, đ→d, lower case. */
  folded: string;
  /** As typed, lower case NFC (equal to `folded` when typed without diacritics). */
  typed: string;
}

type Role =
  | { kind: 'digit'; value: number }
  /** "mốt", "lăm", "nhăm", "tư": only as the unit after a ten ("hai mươi mốt"). */
  | { kind: 'unit'; value: number }
  | { kind: 'ten' }
  | { kind: 'hundred' }
  /** "linh", "lẻ": "một trăm linh năm". */
  | { kind: 'zeroTen' }
  | { kind: 'scale'; value: bigint }
  | { kind: 'zero' };

const TYPED: Record<string, Role> = {
  không: { kind: 'zero' },
  một: { kind: 'digit', value: 1 },
  mốt: { kind: 'unit', value: 1 },
  hai: { kind: 'digit', value: 2 },
  ba: { kind: 'digit', value: 3 },
  bốn: { kind: 'digit', value: 4 },
  tư: { kind: 'unit', value: 4 },
  năm: { kind: 'digit', value: 5 },
  lăm: { kind: 'unit', value: 5 },
  nhăm: { kind: 'unit', value: 5 },
  sáu: { kind: 'digit', value: 6 },
  bảy: { kind: 'digit', value: 7 },
  bẩy: { kind: 'digit', value: 7 },
  tám: { kind: 'digit', value: 8 },
  chín: { kind: 'digit', value: 9 },
  mười: { kind: 'ten' },
  mươi: { kind: 'ten' },
  trăm: { kind: 'hundred' },
  linh: { kind: 'zeroTen' },
  lẻ: { kind: 'zeroTen' },
  nghìn: { kind: 'scale', value: 1000n },
  ngàn: { kind: 'scale', value: 1000n },
  triệu: { kind: 'scale', value: 1_000_000n },
  tỷ: { kind: 'scale', value: 1_000_000_000n },
  tỉ: { kind: 'scale', value: 1_000_000_000n },
};

/** Folded spelling → role, for words typed without any diacritics. */
const FOLDED = new Map<string, Role>();
for (const [typed, role] of Object.entries(TYPED)) {
  const f = typed
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd');
  // "mot" is "một" (a digit) more often than "mốt"; "nam" is "năm" (five), never "lăm".
  if (!FOLDED.has(f) || role.kind === 'digit') FOLDED.set(f, role);
}
FOLDED.set('lam', { kind: 'unit', value: 5 });

function roleOf(w: NumberWord | undefined): Role | undefined {
  if (!w) return undefined;
  if (w.typed === w.folded) return FOLDED.get(w.folded);
  return TYPED[w.typed];
}

/** The digit value of a word that may stand after "mươi": 1–9, with mốt/tư/lăm. */
function unitAfterTen(w: NumberWord | undefined): number | undefined {
  const r = roleOf(w);
  if (r?.kind === 'digit' || r?.kind === 'unit') return r.value;
  return undefined;
}

/** Below one thousand, starting at `i`: [value, next] or undefined. */
function group(
  ws: readonly NumberWord[],
  i: number,
  afterScale: boolean,
): [bigint, number] | undefined {
  let k = i;
  let value = 0;
  let any = false;
  const r0 = roleOf(ws[k]);
  // Hundreds: "ba trăm", "không trăm" (inside a larger number).
  if (
    (r0?.kind === 'digit' || (r0?.kind === 'zero' && afterScale)) &&
    roleOf(ws[k + 1])?.kind === 'hundred'
  ) {
    value = (r0.kind === 'digit' ? r0.value : 0) * 100;
    k += 2;
    any = true;
  }
  const r = roleOf(ws[k]);
  if ((any || afterScale) && r?.kind === 'zeroTen') {
    // "một trăm linh năm", "một nghìn lẻ năm"
    const u = roleOf(ws[k + 1]);
    if (u?.kind === 'digit') return [BigInt(value + u.value), k + 2];
    return any ? [BigInt(value), k] : undefined;
  }
  if (r?.kind === 'ten') {
    // "mười", "mười một", "mười lăm"
    value += 10;
    k++;
    const u = unitAfterTen(ws[k]);
    if (u !== undefined && roleOf(ws[k + 1])?.kind !== 'ten') {
      value += u;
      k++;
    }
    return [BigInt(value), k];
  }
  if (r?.kind === 'digit') {
    if (roleOf(ws[k + 1])?.kind === 'ten') {
      // "hai mươi", "hai mươi mốt", "bảy mươi lăm"
      value += r.value * 10;
      k += 2;
      const u = unitAfterTen(ws[k]);
      if (
        u !== undefined &&
        roleOf(ws[k + 1])?.kind !== 'ten' &&
        roleOf(ws[k + 1])?.kind !== 'hundred'
      ) {
        value += u;
        k++;
      }
      return [BigInt(value), k];
    }
    if (roleOf(ws[k + 1])?.kind === 'hundred') return any ? [BigInt(value), k] : undefined;
    return [BigInt(value + r.value), k + 1];
  }
  return any ? [BigInt(value), k] : undefined;
}

/** A number written in words starting at word `i`. */
export interface WordNumber {
  value: bigint;
  /** Index of the first word after it. */
  next: number;
}

/**
 * Read a number written in words starting at `ws[i]`, as long as it goes ("hai mươi lăm" →
 * 25, next after "lăm"). Undefined when no number starts there. Groups and scales combine as
 * spoken: "một triệu hai trăm nghìn" → 1 200 000, "một nghìn lẻ năm" → 1 005.
 */
export function readNumberWords(ws: readonly NumberWord[], i: number): WordNumber | undefined {
  let total = 0n;
  let k = i;
  let afterScale = false;
  let lastScale: bigint | undefined;
  for (;;) {
    const g = group(ws, k, afterScale);
    if (!g) break;
    let [v, next] = g;
    const s = roleOf(ws[next]);
    if (s?.kind === 'scale') {
      let mult = s.value;
      next++;
      // "nghìn tỷ" = 10^12
      const s2 = roleOf(ws[next]);
      if (s2?.kind === 'scale' && s2.value > mult) {
        mult *= s2.value;
        next++;
      }
      // Scales must fall: "hai nghìn ba trăm", not "hai nghìn ba nghìn".
      if (lastScale !== undefined && mult >= lastScale) break;
      v *= mult;
      lastScale = mult;
      total += v;
      k = next;
      afterScale = true;
      continue;
    }
    total += v;
    k = next;
    break;
  }
  if (k === i) return undefined;
  return { value: total, next: k };
}

/** True when a folded word may be a number word (a cheap first test before reading). */
export function mayBeNumberWord(folded: string): boolean {
  return FOLDED.has(folded);
}

/** True when the word can be part of a number written in words. */
export function isNumberWord(w: NumberWord): boolean {
  return roleOf(w) !== undefined;
}

/** Convenience for tests and callers with a plain phrase: the whole text must be one number. */
export function parseNumberWords(text: string): bigint | undefined {
  const typed = text.normalize('NFC').toLowerCase().trim().split(/\s+/).filter(Boolean);
  const ws = typed.map((t) => ({
    typed: t,
    folded: t
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/đ/g, 'd'),
  }));
  const r = readNumberWords(ws, 0);
  return r && r.next === ws.length ? r.value : undefined;
}
