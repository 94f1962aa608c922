/**
 * "Did you mean" for indicator codes and aliases: optimal-string-alignment distance (edits
 * plus adjacent transpositions, the usual typing slips) on folded text.
 */

/** Edit distance with adjacent transpositions; stops early once it exceeds `max`. */
/** Row buffers reused across calls (a hot path when every unknown word is checked). */
let rows: Int32Array[] = [new Int32Array(64), new Int32Array(64), new Int32Array(64)];

export function editDistance(a: string, b: string, max = Infinity): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const n = b.length;
  if ((rows[0]?.length ?? 0) < n + 1) rows = [0, 1, 2].map(() => new Int32Array(2 * (n + 1)));
  let [prev2, prev, cur] = rows as [Int32Array, Int32Array, Int32Array];
  for (let j = 0; j <= n; j++) {
    prev2[j] = 0;
    prev[j] = j;
    cur[j] = 0;
  }
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, (prev2[j - 2] ?? 0) + 1);
      }
      cur[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > max) return max + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[n] ?? 0;
}

/** How many edits still count as a slip for a key of this length. */
export function tolerance(length: number): number {
  if (length <= 2) return 0;
  if (length <= 5) return 1;
  if (length <= 10) return 2;
  return 3;
}

/** One suggestible spelling (folded) and the indicator code it stands for. */
export interface SuggestKey {
  key: string;
  code: string;
  /** `key` without spaces (computed when missing). */
  squeezed?: string;
}

/**
 * The code whose code or alias is closest to `folded` within {@link tolerance}; ties go to
 * the first key. Undefined when nothing is close enough.
 */
export function suggestCode(folded: string, keys: readonly SuggestKey[]): string | undefined {
  const squeezed = folded.replace(/\s+/g, '');
  let best: { code: string; d: number } | undefined;
  for (const k of keys) {
    const max = tolerance(Math.max(k.key.length, folded.length));
    const limit = Math.min(max, best ? best.d - 1 : max);
    if (limit < 0) continue;
    const d = Math.min(
      editDistance(folded, k.key, limit),
      editDistance(squeezed, k.squeezed ?? k.key.replace(/\s+/g, ''), limit),
    );
    if (d <= limit && (!best || d < best.d)) best = { code: k.code, d };
  }
  return best?.code;
}
