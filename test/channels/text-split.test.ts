import { describe, expect, it } from 'vitest';
import { splitText } from '../../src/channels/text-split.js';

describe('splitText', () => {
  it('returns a short text unchanged', () => {
    expect(splitText('Xin chào', 10)).toEqual(['Xin chào']);
  });

  it('cuts at line boundaries and keeps every line whole', () => {
    const lines = Array.from({ length: 10 }, (_, i) => `dòng ${i}`);
    const parts = splitText(lines.join('\n'), 20);
    expect(parts.every((p) => p.length <= 20)).toBe(true);
    expect(parts.join('\n').split('\n')).toEqual(lines);
  });

  it('cuts an over-long line at spaces before cutting inside a word', () => {
    const parts = splitText('một hai ba bốn năm sáu bảy tám', 10);
    expect(parts.every((p) => p.length <= 10)).toBe(true);
    expect(parts.join(' ')).toBe('một hai ba bốn năm sáu bảy tám');
    expect(parts.every((p) => !p.startsWith(' ') && !p.endsWith(' '))).toBe(true);
  });

  it('hard-cuts a word longer than the limit without breaking a surrogate pair', () => {
    const text = 'a'.repeat(9) + '😀' + 'b'.repeat(5);
    const parts = splitText(text, 10);
    expect(parts.every((p) => p.length <= 10)).toBe(true);
    expect(parts.join('')).toBe(text);
    expect(parts[0]).toBe('a'.repeat(9));
  });

  it('drops empty parts made only of blank lines', () => {
    const parts = splitText(`${'a'.repeat(8)}\n\n\n\n${'b'.repeat(8)}`, 9);
    expect(parts).toEqual(['a'.repeat(8), 'b'.repeat(8)]);
  });

  it('keeps the 4096 limit on a real-size text', () => {
    const text = Array.from({ length: 500 }, (_, i) => `${i + 1}. Xã Cẩm Xuyên — 65,5% (đạt)`).join(
      '\n',
    );
    const parts = splitText(text, 4096);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.every((p) => p.length <= 4096)).toBe(true);
    expect(parts.join('\n')).toBe(text);
  });

  it('rejects a nonsensical limit', () => {
    expect(() => splitText('abc', 0)).toThrow(RangeError);
  });
});
