import { describe, expect, it } from 'vitest';
import {
  editDistance,
  parseStopwords,
  parseSynonyms,
  QueryNormalizer,
  questionSpellings,
  spellingKey,
  tokenize,
  tokenizeWritten,
} from '../../src/citizens/lexicon.js';

const SYN = `# comment
bằng lái | bang lai xe => giấy phép lái xe
khai sinh => đăng ký khai sinh
khai sinh cho con => đăng ký khai sinh
sổ đỏ => giấy chứng nhận quyền sử dụng đất
mất rồi => đăng ký khai tử
`;
const STOP = `cho tôi hỏi\nonline được không\nlàm\nở đâu\n`;

/** A normaliser with these synonym rules and the stop words above. */
const rulesOf = (synonymsText: string) =>
  new QueryNormalizer({ synonymsText, stopwordsText: STOP });

function normalizer(): QueryNormalizer {
  const n = new QueryNormalizer({ synonymsText: SYN, stopwordsText: STOP });
  n.addDocument(tokenize('Đăng ký khai sinh'));
  n.addDocument(tokenize('Đổi giấy phép lái xe'));
  n.addDocument(tokenize('Cấp lại Giấy chứng nhận do bị mất'));
  return n;
}

describe('spelling keys', () => {
  it('tell words apart that fold the same, and ignore where the tone mark sits and i/y', () => {
    expect(spellingKey('mật')).not.toBe(spellingKey('mất'));
    expect(spellingKey('hoà')).toBe(spellingKey('hòa'));
    expect(spellingKey('kí')).toBe(spellingKey('ký'));
    expect(spellingKey('hằng')).toBe(spellingKey('hàng'));
    expect(spellingKey('hằng')).not.toBe(spellingKey('hạng'));
    expect(spellingKey('đõ')).toBe(spellingKey('đỏ'));
    expect(spellingKey('đõ')).not.toBe(spellingKey('đó'));
    expect(spellingKey('Mất'.normalize('NFD'))).toBe(spellingKey('mất'));
  });

  it('spell every word of a diacritised text, only the marked words of a mostly bare one', () => {
    const { tokens, written } = tokenizeWritten('Ông mất, ong bay');
    expect(tokens).toEqual(['ong', 'mat', 'ong', 'bay']);
    expect(questionSpellings(written).map((k) => k !== undefined)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(
      questionSpellings(tokenizeWritten('ong mất ong bay nha').written).map((k) => k !== undefined),
    ).toEqual([false, true, false, false, false]);
  });

  it('keeps a synonym rule from matching a differently spelt question', () => {
    const n = normalizer();
    // "số đỏ" (a lucky number) folds like "sổ đỏ" (the land-use certificate).
    expect(n.normalize('sổ đỏ').tokens).toContain('quyen');
    expect(n.normalize('so do').tokens).toContain('quyen');
    expect(n.normalize('số đỏ may mắn').tokens).not.toContain('quyen');
  });
});

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
    expect(rules[0]).toMatchObject({ from: ['bang', 'lai'], to: ['giay', 'phep', 'lai', 'xe'] });
    expect(rules[1]).toMatchObject({
      from: ['bang', 'lai', 'xe'],
      to: ['giay', 'phep', 'lai', 'xe'],
    });
    // A variant written with diacritics records its spelling; a bare one records none.
    expect(rules[0]?.spelt).toEqual([spellingKey('bằng'), spellingKey('lái')]);
    expect(rules[1]?.spelt).toEqual([undefined, undefined, undefined]);
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

  it('marks background rules (~>) and reports the phrases only they produced', () => {
    const syn = `bố mất ~> đăng ký khai tử\ngiám hộ => đăng ký giám hộ\nkhai tử => đăng ký khai tử\n`;
    expect(parseSynonyms(syn).map((r) => r.background)).toEqual([true, false, false]);
    const n = new QueryNormalizer({ synonymsText: syn, stopwordsText: STOP });
    const guardian = n.normalize('bố mất, làm giám hộ');
    expect(guardian.phrases).toEqual(['dang ky khai tu', 'dang ky giam ho']);
    expect([...guardian.background]).toEqual(['dang ky khai tu']);
    // Asked for in so many words as well: not only the situation.
    expect([...n.normalize('bố mất rồi, khai tử ở đâu').background]).toEqual([]);
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
  it('spells out the abbreviations a rule keeps and expands, and nothing else', () => {
    const n = new QueryNormalizer({
      synonymsText: 'bhxh => bhxh bảo hiểm xã hội\nbằng lái => giấy phép lái xe\n',
      stopwordsText: '',
    });
    expect(n.spellOut(tokenize('Ủy quyền lĩnh thay chế độ BHXH'))).toEqual([
      'bao',
      'hiem',
      'xa',
      'hoi',
    ]);
    // A rule that replaces words is a synonym, not an abbreviation.
    expect(n.spellOut(tokenize('bằng lái'))).toEqual([]);
  });

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

  it('applies no rule to what follows "thôi" (stopping is the opposite of the rule\'s procedure)', () => {
    const n = rulesOf('làm giám hộ | người giám hộ => đăng ký giám hộ\n');
    expect(n.normalize('làm người giám hộ').phrases).toEqual(['dang ky giam ho']);
    expect(n.normalize('thôi làm người giám hộ').phrases).toEqual([]);
    expect(n.normalize('thôi làm người giám hộ').tokens).toEqual(['thoi', 'nguoi', 'giam', 'ho']);
  });

  it('lets a "thôi …" rule skip up to two words ("thôi làm người giám hộ" is "thôi giám hộ")', () => {
    const n = rulesOf('giám hộ => đăng ký giám hộ\nthôi giám hộ => đăng ký chấm dứt giám hộ\n');
    for (const q of ['thôi giám hộ', 'thôi làm người giám hộ'])
      expect(n.normalize(q).phrases).toEqual(['dang ky cham dut giam ho']);
    expect(n.normalize('thôi không muốn làm người giám hộ').phrases).not.toContain(
      'dang ky cham dut giam ho',
    );
  });

  it('reads a lost paper said object first ("sổ đỏ bị mất", "sổ đỏ thất lạc") as "mất sổ đỏ"', () => {
    const n = rulesOf('mất sổ đỏ => cấp lại giấy chứng nhận\nmất rồi => đăng ký khai tử\n');
    for (const q of ['mất sổ đỏ', 'sổ đỏ bị mất', 'sổ đỏ thất lạc'])
      expect(n.normalize(q).phrases).toEqual(['cap lai giay chung nhan']);
    // A one-word object is left alone: "rồi mất" is no death.
    expect(n.normalize('rồi mất').phrases).toEqual([]);
  });

  it('reads a paper said gone object first ("sổ gốc không còn") as "không còn sổ gốc"', () => {
    const n = rulesOf('sổ gốc => cấp bản sao từ sổ gốc\nkhông còn sổ gốc => đăng ký lại\n');
    for (const q of ['không còn sổ gốc', 'sổ gốc không còn'])
      expect(n.normalize(q).phrases).toEqual(['dang ky lai']);
    expect(n.normalize('xin bản sao từ sổ gốc').phrases).toEqual(['cap ban sao tu so goc']);
  });

  it('composes rules: a variant in catalogue words matches after another rule made them', () => {
    const n = new QueryNormalizer({
      synonymsText:
        'đất vườn => đất nông nghiệp\nđất nông nghiệp sang đất ở => chuyển mục đích sử dụng đất\n',
      stopwordsText: STOP,
    });
    expect(n.normalize('chuyển đất vườn sang đất ở').tokens).toEqual(
      'chuyen muc dich su dung dat'.split(' '),
    );
    // A rule is not composed from part of another's output.
    expect(n.normalize('đất vườn').tokens).toEqual(['dat', 'nong', 'nghiep']);
  });

  it('reports the catalogue phrases its rules produced', () => {
    expect(normalizer().normalize('mất sổ đỏ').phrases).toEqual([
      'giay chung nhan quyen su dung dat',
    ]);
  });
});
