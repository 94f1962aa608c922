import { beforeAll, describe, expect, it } from 'vitest';
import { CitizenSearch } from '../../src/citizens/search.js';
import { hitId, seedSearch } from './helpers.js';

let search: CitizenSearch;
beforeAll(async () => {
  search = await seedSearch();
});

const ids = (q: string): string[] => search.search(q).hits.map(hitId);

describe('CitizenSearch over the seed catalogue', () => {
  it('answers the issue examples with the expected procedure first', () => {
    expect(ids('làm giấy khai sinh online được không')[0]).toBe('1.001193');
    expect(ids('dang ky tam tru')[0]).toBe('1.004194');
    expect(ids('cấp đổi bằng lái xe')[0]).toBe('3.000347');
  });

  it('returns at most three hits, best first', () => {
    const r = search.search('đăng ký kết hôn');
    expect(r.hits.length).toBeGreaterThan(0);
    expect(r.hits.length).toBeLessThanOrEqual(3);
    const scores = r.hits.map((h) => h.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });

  it('is insensitive to diacritics and to Unicode normalisation form', () => {
    const a = ids('đăng ký thường trú');
    expect(ids('dang ky thuong tru')).toEqual(a);
    expect(ids('đăng ký thường trú'.normalize('NFD'))).toEqual(a);
  });

  it('does not match a diacritised word through its fold when it is another word', () => {
    // "ong mật" (honey bee) folds to "ong mat", like "ông mất" (grandfather died).
    expect(ids('cấp phép nuôi ong mật thử nghiệm')).not.toContain('1.000656');
    // Without diacritics the question is ambiguous and still matches through the fold…
    expect(ids('ong mat')[0]).toBe('1.000656');
    // …and the same words spelt as the rule spells them keep matching.
    expect(ids('ông mất rồi')[0]).toBe('1.000656');
    // "Sở" (a department) is not "sổ" (a register); naming the department is about the level.
    expect(ids('xin bản sao văn bằng tốt nghiệp tại Sở Giáo dục')[0]).toBe('3.000465');
  });

  it('tolerates typos', () => {
    expect(ids('dang ky khai sih')[0]).toBe('1.001193');
    expect(ids('giấy phép lái xee quốc tế')[0]).toBe('3.000353');
  });

  it('maps everyday words through the synonyms file', () => {
    expect(ids('sổ đỏ bị mất')[0]).toBe('1.012786');
    expect(ids('làm cccd')[0]).toBe('1.014061');
    expect(ids('cưới')[0]).toBe('1.000894');
  });

  it('ranks the procedure whose name is the exact phrase above longer variants', () => {
    expect(ids('đăng ký khai tử')[0]).toBe('1.000656');
    expect(ids('đăng ký lại khai tử')[0]).toBe('1.005461');
  });

  it('answers a typed procedure code directly', () => {
    const r = search.search('cho hỏi thủ tục 1.004222');
    expect(r.hits.map(hitId)).toEqual(['1.004222']);
    expect(r.confidence).toBe(1);
  });

  it('prefers the commune-level variant when the question says "ở xã"', () => {
    expect(ids('báo mất hộ chiếu ở xã')[0]).toBe('1.010386');
  });

  it('finds FAQ entries the same way', () => {
    expect(ids('tạo tài khoản dịch vụ công')[0]).toBe('faq:tai-khoan-dvc');
    expect(ids('tra cuu ho so da nop')[0]).toBe('faq:tra-cuu-ho-so');
  });

  it('says nothing was found instead of guessing when confidence is low', () => {
    for (const q of ['thời tiết hôm nay', 'giá vàng hôm nay', 'tôi yêu em', 'xổ số miền bắc']) {
      const r = search.search(q);
      expect(r.hits, q).toEqual([]);
      expect(r.confidence, q).toBeLessThan(0.55);
    }
  });

  it('finds nothing for a question made only of filler words', () => {
    expect(search.search('cho tôi hỏi làm thế nào ạ').hits).toEqual([]);
  });
});
