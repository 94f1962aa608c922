/**
 * Folding with an offset map, and the tokens the report parser works on. Folding (no marks,
 * đ→d, lower case) changes lengths, so every folded character remembers where it came from
 * and errors can quote exactly what the user typed.
 */

/** Folded text plus, for each folded char, its offset in the original (one extra at the end). */
export interface FoldedText {
  text: string;
  origin: number[];
}

const MARKS = /[\u0300-\u036f]/g;

/** Fold like `fold()` from src/text/vietnamese.ts, char by char, keeping offsets. */
export function foldWithOffsets(s: string): FoldedText {
  let text = '';
  const origin: number[] = [];
  let i = 0;
  for (const ch of s) {
    const code = ch.charCodeAt(0);
    let f: string;
    if (code < 128) {
      f = code >= 65 && code <= 90 ? String.fromCharCode(code + 32) : ch;
    } else if (ch === 'đ' || ch === 'Đ') {
      f = 'd';
    } else {
      f = ch.normalize('NFD').replace(MARKS, '').toLowerCase();
      if (/^\s$/u.test(f)) f = ' ';
    }
    for (const c of f) {
      text += c;
      origin.push(i);
    }
    i += ch.length;
  }
  origin.push(s.length);
  return { text, origin };
}

export type TokenType = 'word' | 'num' | 'slash' | 'pct' | 'sep';

export interface Token {
  type: TokenType;
  /** Folded text of the token (a separator's own character; '\n' for a line break). */
  text: string;
  /** Offsets in the folded text. */
  start: number;
  end: number;
  /** Whitespace right before it. */
  spaceBefore: boolean;
}

const NUM = /\d+(?:[.,]\d+)*/y;
const WORD = /[\p{L}\p{N}]+/uy;
const LETTER = /\p{L}/u;

/** Letters: ASCII fast path, Unicode property test for the rest. */
function isLetter(ch: string): boolean {
  if (ch === '') return false;
  const c = ch.charCodeAt(0);
  if (c < 128) return c >= 97 && c <= 122;
  return LETTER.test(ch);
}

function isSpace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\r' || ch === '\f' || ch === '\v' || ch === '\u00a0';
}

/**
 * Split folded text into words, numbers (`1.234,5`), `/`, `%` and separators. A number glued to
 * letters (`5g`, `6t`) is a word. A word made of a known code and digits (`hscv65`) is split.
 */
export function tokenize(text: string, codes?: ReadonlySet<string>): Token[] {
  const out: Token[] = [];
  let i = 0;
  let space = false;
  while (i < text.length) {
    const ch = text[i] ?? '';
    if (isSpace(ch)) {
      space = true;
      i++;
      continue;
    }
    let tok: Token;
    if (ch >= '0' && ch <= '9') {
      NUM.lastIndex = i;
      const m = NUM.exec(text);
      const end = i + (m?.[0].length ?? 1);
      if (isLetter(text[end] ?? '')) {
        WORD.lastIndex = i;
        const w = WORD.exec(text);
        tok = word(text, i, i + (w?.[0].length ?? 1), space);
      } else {
        tok = { type: 'num', text: text.slice(i, end), start: i, end, spaceBefore: space };
      }
    } else if (isLetter(ch)) {
      WORD.lastIndex = i;
      const w = WORD.exec(text);
      tok = word(text, i, i + (w?.[0].length ?? 1), space);
      const glued =
        codes && !codes.has(tok.text) ? /^(\p{L}[\p{L}\p{N}]*?)(\d+)$/u.exec(tok.text) : null;
      if (glued && codes?.has(glued[1] ?? '')) {
        const cut = i + (glued[1] ?? '').length;
        out.push(word(text, i, cut, space));
        NUM.lastIndex = cut;
        const end = cut + (NUM.exec(text)?.[0].length ?? 0);
        tok = { type: 'num', text: text.slice(cut, end), start: cut, end, spaceBefore: false };
      }
    } else {
      const type: TokenType = ch === '/' ? 'slash' : ch === '%' ? 'pct' : 'sep';
      tok = { type, text: ch, start: i, end: i + ch.length, spaceBefore: space };
    }
    out.push(tok);
    i = tok.end;
    space = false;
  }
  return out;
}

function word(text: string, start: number, end: number, spaceBefore: boolean): Token {
  return { type: 'word', text: text.slice(start, end), start, end, spaceBefore };
}
