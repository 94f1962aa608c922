import { describe, expect, it } from 'vitest';
import { buildFieldPhrases, detectIntent } from '../../src/citizens/intents.js';

const fields = buildFieldPhrases([
  'Hộ tịch',
  'Đăng ký, quản lý cư trú',
  'Đất đai',
  'Cấp, quản lý căn cước',
]);

describe('detectIntent', () => {
  it('recognises the question for fully online procedures at commune level, in its variants', () => {
    for (const q of [
      'dịch vụ nào làm online hoàn toàn ở xã',
      'dich vu cong toan trinh cap xa',
      'những thủ tục nào làm trực tuyến toàn trình được',
      'Thủ tục nào làm online hoàn toàn?',
    ]) {
      expect(detectIntent(q, fields), q).toEqual({ kind: 'fullyOnlineCommune' });
    }
  });

  it('keeps a question about one procedure a search even when it says "toàn trình"', () => {
    expect(detectIntent('khai sinh có làm online hoàn toàn không', fields).kind).toBe('search');
    expect(detectIntent('toàn trình là gì', fields).kind).toBe('search');
  });

  it('recognises a bare field name, also by the meaningful part of a long field name', () => {
    expect(detectIntent('hộ tịch', fields)).toEqual({ kind: 'field', field: 'Hộ tịch' });
    expect(detectIntent('cu tru', fields)).toEqual({
      kind: 'field',
      field: 'Đăng ký, quản lý cư trú',
    });
    expect(detectIntent('lĩnh vực đất đai', fields)).toEqual({ kind: 'field', field: 'Đất đai' });
  });

  it('does not take a generic word of a field name for the field', () => {
    expect(detectIntent('đăng ký', fields).kind).toBe('search');
  });

  it('recognises a request for the list of fields', () => {
    expect(detectIntent('các lĩnh vực', fields)).toEqual({ kind: 'fields' });
  });
});
