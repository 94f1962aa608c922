import { describe, expect, it } from 'vitest';
import { meetsTarget, targetInForce } from '../../../src/domain/indicators/indicators.js';

const targets = [
  { year: 2025, level: 'commune', value: 60 },
  { year: 2030, level: 'commune', value: 85 },
  { year: 2025, level: 'province', value: 90 },
];

describe('targets', () => {
  it('uses the latest milestone at or before the year', () => {
    expect(targetInForce(targets, 2025, 'commune')?.value).toBe(60);
    expect(targetInForce(targets, 2028, 'commune')?.value).toBe(60);
    expect(targetInForce(targets, 2030, 'commune')?.value).toBe(85);
    expect(targetInForce(targets, 2031, 'province')?.value).toBe(90);
  });
  it('has no target before the first milestone or for a level without one', () => {
    expect(targetInForce(targets, 2024, 'commune')).toBeUndefined();
    expect(targetInForce(targets, 2026, 'district')).toBeUndefined();
  });
  it('compares with the indicator operator', () => {
    expect(meetsTarget(50, '>', 50)).toBe(false);
    expect(meetsTarget(50, '>=', 50)).toBe(true);
    expect(meetsTarget(50.1, '>', 50)).toBe(true);
  });
});
