/**
 * Vietnamese text helpers. Every inbound text is NFC-normalised first; matching uses the
 * folded key (no diacritics, đ→d, lower case, single spaces). Display always uses the
 * official spelling.
 */

// Control characters except tab and newline.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200B-\u200F\u2028-\u202E\uFEFF]/g;

/** NFC-normalise and drop control characters; keeps newlines. */
export function normalizeInput(text: string): string {
  return text.normalize('NFC').replace(CONTROL, ' ');
}

/** Fold for matching: NFD, strip U+0300–U+036F, đ→d, lower case, collapse spaces. */
export function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

const collator = new Intl.Collator('vi');
/** Sort names the Vietnamese way. */
export function compareVi(a: string, b: string): number {
  return collator.compare(a, b);
}
