import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { writeXlsx } from '../../../src/domain/reports/xlsx-writer.js';

async function load(buf: Buffer) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ArrayBuffer);
  return wb;
}

describe('writeXlsx', () => {
  it('writes a workbook Excel readers open, with escaped text, numbers, dates and empty cells', async () => {
    const buf = writeXlsx(
      'Kỳ Q3/2025',
      [
        { header: 'Tên <đơn vị> & "mã"', width: 20 },
        { header: 'Giá trị', width: 10, numFmt: '#,##0.0#' },
        { header: 'Thời điểm', width: 18, numFmt: 'dd/mm/yyyy hh:mm' },
      ],
      [
        ['Xã Kỳ Anh & <Hà Tĩnh>', 65.5, new Date(Date.UTC(2025, 10, 3, 9, 15))],
        ['dòng\u0001 lỗi', null, null],
      ],
    );
    const wb = await load(buf);
    const ws = wb.worksheets[0]!;
    expect(ws.name).toBe('Kỳ Q3-2025');
    expect(ws.getCell('A1').value).toBe('Tên <đơn vị> & "mã"');
    expect(ws.getCell('A1').font?.bold).toBe(true);
    expect(ws.getCell('A2').value).toBe('Xã Kỳ Anh & <Hà Tĩnh>');
    expect(ws.getCell('B2').value).toBe(65.5);
    expect(ws.getCell('B2').numFmt).toBe('#,##0.0#');
    expect((ws.getCell('C2').value as Date).toISOString()).toBe('2025-11-03T09:15:00.000Z');
    expect(ws.getCell('A3').value).toBe('dòng lỗi');
    expect(ws.getCell('B3').value).toBeNull();
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(ws.getColumn(1).width).toBe(20);
  });

  it('names columns past Z correctly', async () => {
    const columns = Array.from({ length: 30 }, (_, i) => ({ header: `c${i}`, width: 5 }));
    const wb = await load(writeXlsx('x', columns, [columns.map((_, i) => i)]));
    expect(wb.worksheets[0]!.getCell('AD2').value).toBe(29);
    expect(wb.worksheets[0]!.getCell('AD1').value).toBe('c29');
  });
});
