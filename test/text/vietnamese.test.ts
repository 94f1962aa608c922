import { describe, expect, it } from 'vitest';
import { fold, normalizeInput } from '../../src/text/vietnamese.js';

describe('Vietnamese text', () => {
  it('normalises combining forms to NFC', () => {
    const nfd = 'Hà Tĩnh'.normalize('NFD');
    expect(normalizeInput(nfd)).toBe('Hà Tĩnh'.normalize('NFC'));
  });

  it('replaces control characters but keeps newlines', () => {
    expect(normalizeInput('a\u0000b\nc\u200Bd')).toBe('a b\nc d');
  });

  it('folds diacritics, đ and case, including ỹ ỷ ỵ', () => {
    expect(fold('Đăng ký  Khai sinh')).toBe('dang ky khai sinh');
    expect(fold('Kỹ thuật, Thủy, Quỵ')).toBe('ky thuat, thuy, quy');
    expect(fold('Yên Hòa')).toBe(fold('Yên Hoà'));
  });
});
