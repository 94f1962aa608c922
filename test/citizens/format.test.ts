import { describe, expect, it } from 'vitest';
import { createI18n } from '../../src/core/i18n.js';
import {
  formatDateVi,
  formatDetails,
  formatFee,
  formatHits,
  formatIsoDate,
  formatNotFound,
  formatProcedureList,
  formatProcessingTime,
  paginate,
  procedureBlock,
  shorten,
} from '../../src/citizens/format.js';
import { loadProceduresCsv } from '../../src/citizens/catalog-csv.js';
import type { ProcedureRecord } from '../../src/citizens/types.js';

const t = createI18n({ defaultLocale: 'vi' }).translator('vi');
const en = createI18n({ defaultLocale: 'vi' }).translator('en');

const base: ProcedureRecord = {
  code: '1.001193',
  name: 'Thủ tục đăng ký khai sinh',
  field: 'Hộ tịch',
  levelSource: 'Cấp xã',
  level: 'cấp xã',
  onlineLevel: 'toàn trình',
  onlineLevelDetail: null,
  processingTime:
    '1 ngày làm việc (bản ghi DVCQG: executionMethods ghi 1, đơn vị OTHER; mục cases ghi 1 WORKING_DAY)',
  fee: 'Miễn phí',
  portalUrl: 'https://dichvucong.gov.vn/thu-tuc-hanh-chinh/019d2bfd-3fe0-70ac-b9d6-5e9e20d6eef7',
  source: null,
};

describe('formatFee', () => {
  it('writes amounts the Vietnamese way with the unit from the note', () => {
    expect(formatFee('50,000 Việt Nam Đồng (ghi chú: /di chúc)')).toBe('50.000 đồng/di chúc');
    expect(formatFee('8,000 VNĐ')).toBe('8.000 đồng');
  });

  it('prefers the online fee when the catalogue lists several channels', () => {
    expect(
      formatFee(
        'Trực tiếp: 10,000 Việt Nam Đồng (ghi chú: x) | Trực tuyến: 5,000 Việt Nam Đồng (ghi chú: y)',
      ),
    ).toBe('5.000 đồng (nộp trực tuyến)');
  });

  it('shows the note instead of a figure the note contradicts', () => {
    expect(formatFee('135 VNĐ (ghi chú: Lệ phí cấp giấy phép lái xe: 135.000 đồng/lần.)')).toBe(
      'Lệ phí cấp giấy phép lái xe: 135.000 đồng/lần.',
    );
    expect(
      formatFee(
        'Miễn phí (ghi chú: Lệ phí cấp mới 40.000đồng/lần; lệ phí cấp lại 20.000 đồng/lần.)',
      ),
    ).toContain('40.000');
  });

  it('keeps "Miễn phí" when the note only cites the law', () => {
    expect(formatFee('Miễn phí (ghi chú: Theo quy định của Hội đồng nhân dân cấp tỉnh.)')).toBe(
      'Miễn phí',
    );
  });

  it('leaves out unknown fees rather than guessing', () => {
    expect(formatFee('Không có thông tin')).toBeUndefined();
    expect(formatFee('không ghi')).toBeUndefined();
    expect(formatFee(null)).toBeUndefined();
  });
});

describe('formatProcessingTime', () => {
  it('drops crawler remarks, and a figure without its unit never reaches citizens', () => {
    expect(formatProcessingTime(base.processingTime)).toBe('1 ngày làm việc');
    expect(formatProcessingTime('3 (đơn vị không ghi trên cổng)')).toBeUndefined();
    expect(formatProcessingTime('3 (đơn vị không ghi trên cổng)', true)).toBeUndefined();
    expect(
      formatProcessingTime('Trực tuyến: 3 (đơn vị không ghi trên cổng); Trực tiếp: 5 Ngày'),
    ).toBe('5 ngày');
  });

  it('prefers the online channel', () => {
    expect(
      formatProcessingTime('Trực tuyến: 20 Ngày; Dịch vụ bưu chính: 20 Ngày; Trực tiếp: 15 Ngày'),
    ).toBe('20 ngày (nộp trực tuyến)');
  });

  it('leaves out an unknown time', () => {
    expect(formatProcessingTime('không ghi')).toBeUndefined();
  });
});

describe('procedureBlock', () => {
  it('explains toàn trình in plain words with code, level, time, indicative fee and link', () => {
    const text = procedureBlock(base, t);
    expect(text).toContain('Thủ tục đăng ký khai sinh');
    expect(text).toContain('(mã 1.001193)');
    expect(text).toContain('toàn trình – làm hoàn toàn trên mạng');
    expect(text).toContain('Nơi giải quyết: cấp xã');
    expect(text).toContain('Thời hạn: 1 ngày làm việc');
    expect(text).toContain('Lệ phí (tham khảo): Miễn phí');
    expect(text).toContain('https://dichvucong.gov.vn/');
  });

  it('for an unknown online level says so in one line with where to check, never a guess', () => {
    const text = procedureBlock({ ...base, onlineLevel: 'unknown' }, t);
    const line = text.split('\n').find((l) => l.includes('Trực tuyến:'));
    expect(line).toBe(
      `• Trực tuyến: chưa có thông tin ở địa phương – xem mức độ trên trang thủ tục: ${base.portalUrl}`,
    );
    expect(text).not.toMatch(/toàn trình|một phần/);
    // The link is in that line; not repeated.
    expect(text.split(base.portalUrl ?? '').length).toBe(2);
    expect(procedureBlock({ ...base, onlineLevel: 'unknown', portalUrl: null }, t)).toContain(
      'trang thủ tục: https://dichvucong.gov.vn',
    );
  });

  it('gives the per-agency detail for "tùy cơ quan"', () => {
    const text = procedureBlock(
      {
        ...base,
        onlineLevel: 'tùy cơ quan',
        onlineLevelDetail: 'một phần (VPĐKĐĐ) / toàn trình (Sở)',
      },
      t,
    );
    expect(text).toContain('tùy cơ quan giải quyết – một phần (VPĐKĐĐ) / toàn trình (Sở)');
  });

  it('explains một phần as applying online but going in for originals or the result', () => {
    expect(procedureBlock({ ...base, onlineLevel: 'một phần' }, t)).toContain(
      'nộp hồ sơ online được, nhưng phải đến',
    );
  });

  it('has an English version', () => {
    expect(procedureBlock(base, en)).toContain('(code 1.001193)');
  });
});

describe('answers', () => {
  it('shows the best hit with its key facts and the others as one-line buttons with their codes', () => {
    const r = formatHits(
      [
        { kind: 'procedure', procedure: base, score: 2 },
        {
          kind: 'procedure',
          procedure: { ...base, code: '1.000689', name: 'Thủ tục khai sinh kết hợp nhận cha' },
          score: 1,
        },
      ],
      t,
      '2026-10-03',
    );
    expect(r.text).toContain('Thủ tục đăng ký khai sinh (mã 1.001193)');
    expect(r.text).toContain('Thời hạn: 1 ngày làm việc');
    expect(r.text).not.toContain('khai sinh kết hợp');
    // The catalogue's own date, written as given (no time-zone shift).
    expect(r.text).toContain('Nguồn: Cổng Dịch vụ công quốc gia, danh mục ngày 03/10/2026.');
    expect(r.buttons).toEqual([
      [{ label: 'Chi tiết 1.001193', data: 'svc:d:1.001193' }],
      [{ label: '1.000689 · khai sinh kết hợp nhận cha', data: 'svc:d:1.000689' }],
      [{ label: 'Không phải cái tôi cần', data: 'svc:no' }],
    ]);
  });

  it('still names the source when the catalogue date is unknown', () => {
    expect(formatHits([{ kind: 'procedure', procedure: base, score: 1 }], t, null).text).toContain(
      'Nguồn: Cổng Dịch vụ công quốc gia.',
    );
  });

  it('shows the full fee note in the details and says fees are indicative', () => {
    const r = formatDetails(
      { ...base, fee: 'Miễn phí (ghi chú: Mức lệ phí cụ thể do HĐND tỉnh quyết định.)' },
      t,
      null,
    );
    expect(r.text).toContain('HĐND tỉnh');
    expect(r.text).toContain('Lệ phí chỉ để tham khảo');
  });

  it('suggests fields and rephrasing when nothing is found', () => {
    const r = formatNotFound('giá vàng hôm nay', t);
    expect(r.text).toContain('chưa tìm thấy');
    expect(r.text).toContain('"giá vàng hôm nay"');
    expect(r.buttons?.flat().map((b) => b.data)).toContain('svc:fl:1');
  });

  it('pages a long list with previous/next buttons', () => {
    const list = Array.from({ length: 20 }, (_, i) => ({
      ...base,
      code: `9.${String(i).padStart(6, '0')}`,
    }));
    const r = formatProcedureList('Danh sách', list, 2, 'svc:tt:', t, null);
    expect(r.text).toContain('Trang 2/3');
    const data = r.buttons?.flat().map((b) => b.data) ?? [];
    expect(data).toContain('svc:tt:1');
    expect(data).toContain('svc:tt:3');
    expect(data.filter((d) => d.startsWith('svc:d:'))).toHaveLength(8);
  });
});

describe('first reply on a phone screen, over the whole seed catalogue', () => {
  it('fits in 700 characters with two other candidates, codes visible, no raw data notes', async () => {
    const all = await loadProceduresCsv();
    for (const [i, p] of all.entries()) {
      const others = [all[(i + 1) % all.length], all[(i + 2) % all.length]].map((o) => ({
        kind: 'procedure' as const,
        procedure: o ?? p,
        score: 1,
      }));
      const r = formatHits(
        [{ kind: 'procedure', procedure: p, score: 2 }, ...others],
        t,
        '2026-10-03',
      );
      expect(r.text.length, p.code).toBeLessThanOrEqual(700);
      expect(r.text).toContain(`mã ${p.code}`);
      expect(r.text).not.toMatch(/không ghi|bản ghi DVCQG|WORKING_DAY|cổng không ghi/);
      const labels = r.buttons?.flat().map((b) => b.label) ?? [];
      for (const o of others) expect(labels.some((l) => l.startsWith(o.procedure.code))).toBe(true);
      for (const l of labels) expect(l.length).toBeLessThanOrEqual(42);
      const details = formatDetails(p, t, '2026-10-03').text;
      expect(details).not.toMatch(/không ghi trên cổng|cổng không ghi|bản ghi DVCQG/);
    }
  });
});

describe('helpers', () => {
  it('formats dates as dd/mm/yyyy in Asia/Ho_Chi_Minh', () => {
    expect(formatDateVi(new Date('2025-12-31T17:00:00Z'))).toBe('01/01/2026');
    expect(formatIsoDate('2026-10-03')).toBe('03/10/2026');
  });

  it('clamps pages', () => {
    expect(paginate([1, 2, 3], 9, 2)).toEqual({ items: [3], page: 2, pages: 2 });
    expect(paginate([], 1, 8)).toEqual({ items: [], page: 1, pages: 1 });
  });

  it('shortens at a word boundary', () => {
    expect(shorten('một hai ba bốn năm sáu', 12)).toBe('một hai ba…');
  });
});
