/**
 * "Did you mean" for indicator codes and aliases: optimal-string-alignment distance (edits
 * plus adjacent transpositions, the usual typing slips) on folded text.
 */

import { editDistance } from '../text/edit-distance.js';

export { editDistance };

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
