import { describe, expect, it } from 'vitest';
import {
  editDistance,
  parseStopwords,
  parseSynonyms,
  QueryNormalizer,
  tokenize,
} from '../../src/citizens/lexicon.js';

const SYN = `# comment
bằng lái | bang lai xe => giấy phép lái xe
khai sinh => đăng ký khai sinh
khai sinh cho con => đăng ký khai sinh
sổ đỏ => giấy chứng nhận quyền sử dụng đất
mất rồi => đăng ký khai tử
`;
const STOP = `cho tôi hỏi\nonline được không\nlàm\nở đâu\n`;

function normalizer(): QueryNormalizer {
  const n = new QueryNormalizer({ synonymsText: SYN, stopwordsText: STOP });
  n.addDocument(tokenize('Đăng ký khai sinh'));
  n.addDocument(tokenize('Đổi giấy phép lái xe'));
  n.addDocument(tokenize('Cấp lại Giấy chứng nhận do bị mất'));
  return n;
}

describe('tokenize', () => {
  it('folds diacritics, đ and case, and splits on anything that is not a letter or digit', () => {
    expect(tokenize('Đăng ký KHAI SINH, online?')).toEqual([
      'dang',
      'ky',
      'khai',
      'sinh',
      'online',
    ]);
  });

  it('treats precomposed and combining input the same', () => {
    expect(tokenize('Hoà'.normalize('NFD'))).toEqual(tokenize('Hoà'.normalize('NFC')));
  });
});

describe('rule files', () => {
  it('parses synonyms with several variants per line and ignores comments', () => {
    const rules = parseSynonyms(SYN);
    expect(rules[0]).toEqual({ from: ['bang', 'lai'], to: ['giay', 'phep', 'lai', 'xe'] });
    expect(rules[1]).toEqual({ from: ['bang', 'lai', 'xe'], to: ['giay', 'phep', 'lai', 'xe'] });
  });

  it('drops glue words from variants but never shrinks a phrase to one word', () => {
    const rules = parseSynonyms(SYN);
    expect(rules.find((r) => r.to.includes('sinh') && r.from.includes('con'))?.from).toEqual([
      'khai',
      'sinh',
      'con',
    ]);
    expect(rules.find((r) => r.to.includes('tu'))?.from).toEqual(['mat', 'roi']);
  });

  it('parses stop phrases one per line', () => {
    expect(parseStopwords(STOP)).toContainEqual(['online', 'duoc', 'khong']);
    expect(parseStopwords(STOP)).toContainEqual(['toi', 'hoi']);
  });
});

describe('editDistance', () => {
  it('counts a transposition as one edit', () => {
    expect(editDistance('sinh', 'snih', 2)).toBe(1);
    expect(editDistance('khai', 'khai', 1)).toBe(0);
  });

  it('stops early beyond the bound', () => {
    expect(editDistance('abcdef', 'uvwxyz', 1)).toBe(2);
  });
});

describe('QueryNormalizer', () => {
  it('replaces everyday words with catalogue words and drops everyday filler', () => {
    expect(normalizer().normalize('cho tôi hỏi đổi bằng lái ở đâu').tokens).toEqual([
      'doi',
      'giay',
      'phep',
      'lai',
      'xe',
    ]);
  });

  it('does not repeat words the rule adds in front when they were typed already', () => {
    expect(normalizer().normalize('đăng ký khai sinh').tokens).toEqual([
      'dang',
      'ky',
      'khai',
      'sinh',
    ]);
  });

  it('keeps filler words that are part of a synonym', () => {
    expect(normalizer().normalize('làm khai sinh cho con online được không').tokens).toEqual([
      'dang',
      'ky',
      'khai',
      'sinh',
    ]);
  });

  it('corrects a long misspelt word to the closest known one', () => {
    const r = normalizer().normalize('đổi giấy phépp lái xe');
    expect(r.tokens).toContain('phep');
    expect(r.corrected.has('phep')).toBe(true);
  });

  it('corrects a short syllable only when the result forms a known pair with a neighbour', () => {
    expect(normalizer().normalize('khai sih').tokens).toEqual(['dang', 'ky', 'khai', 'sinh']);
    expect(normalizer().normalize('sih').tokens).toEqual(['sih']);
  });

  it('reports the catalogue phrases its rules produced', () => {
    expect(normalizer().normalize('mất sổ đỏ').phrases).toEqual([
      'giay chung nhan quyen su dung dat',
    ]);
  });
});
