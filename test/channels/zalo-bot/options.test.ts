import { describe, expect, it } from 'vitest';
import {
  flattenButtons,
  matchOption,
  optionsHintKey,
  renderWithOptions,
} from '../../../src/channels/zalo-bot/options.js';

const buttons = [
  [
    { label: 'Bỏ qua', data: 'skip' },
    { label: 'Quay lại', data: 'back' },
    { label: 'Hủy', data: 'cancel' },
  ],
];

describe('Zalo options for a reply that also takes a typed figure', () => {
  const options = flattenButtons({ text: 'Nhập số thành viên', buttons, freeText: true });

  it('shows the options as words, not numbers', () => {
    const text = renderWithOptions('Nhập số thành viên', options, 'hint');
    expect(text).toContain('• Bỏ qua');
    expect(text).not.toMatch(/^\d\. /m);
    expect(optionsHintKey(options)).toBe('channel.optionsHintWords');
  });

  it('leaves a typed number as the answer', () => {
    expect(matchOption('2', options)).toBeUndefined();
    expect(matchOption('25', options)).toBeUndefined();
  });

  it('still maps the option words', () => {
    expect(matchOption('quay lai', options)).toBe('back');
    expect(matchOption('Hủy', options)).toBe('cancel');
  });
});

describe('Zalo options for a plain choice', () => {
  const options = flattenButtons({ text: 'Chọn', buttons });

  it('numbers the options and maps a typed number', () => {
    expect(renderWithOptions('Chọn', options)).toContain('2. Quay lại');
    expect(matchOption('2', options)).toBe('back');
    expect(optionsHintKey(options)).toBe('channel.optionsHint');
  });
});
