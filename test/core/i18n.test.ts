import { describe, expect, it } from 'vitest';
import { createI18n } from '../../src/core/i18n.js';

describe('translations', () => {
  const i18n = createI18n({ defaultLocale: 'vi', texts: ['basics'] });
  const vi = i18n.translator('vi');
  const en = i18n.translator('en');

  it('give the same constant text every time, in each language', () => {
    expect(vi('basics.help.title')).toBe('Hướng dẫn sử dụng:');
    expect(vi('basics.help.title')).toBe('Hướng dẫn sử dụng:');
    expect(en('basics.help.title')).not.toBe('Hướng dẫn sử dụng:');
    expect(en('basics.help.title')).toBe(en('basics.help.title'));
  });

  it('interpolate variables afresh on every call', () => {
    expect(vi('common.tooLong', { length: 5000, max: 4000 })).toContain('5000');
    expect(vi('common.tooLong', { length: 4100, max: 4000 })).toContain('4100');
    expect(en('common.tooLong', { length: 4100, max: 4000 })).toContain('4100');
  });

  it('answer a missing text with the default value given with it', () => {
    expect(vi('basics.nothing.here', { defaultValue: '' })).toBe('');
    expect(vi('basics.nothing.here', { defaultValue: 'x' })).toBe('x');
    expect(vi('basics.nothing.here', { defaultValue: '' })).toBe('');
  });

  it('fill in the configured form of address in constant texts', () => {
    const formal = createI18n({ defaultLocale: 'vi', addressForm: 'ông/bà', texts: ['dashboard'] });
    const plain = createI18n({ defaultLocale: 'vi', texts: ['dashboard'] });
    const key = 'dashboard.privateOnly';
    expect(formal.translator('vi')(key)).toContain('Xin ông/bà nhắn');
    expect(plain.translator('vi')(key)).toContain('Xin anh/chị nhắn');
    expect(formal.translator('vi')(key)).toContain('Xin ông/bà nhắn');
  });
});
