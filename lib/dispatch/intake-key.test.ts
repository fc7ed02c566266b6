import { describe, expect, it } from 'vitest';
import { isSourceNumber, newIntakeKey } from './intake-key';

describe('intake keys', () => {
  it('tells 接警登记’s own keys from the numbers sources issue', () => {
    expect(isSourceNumber(newIntakeKey('d6ab8167-5aee-4b02-ab6e-d365e0d21912'))).toBe(false);
    expect(isSourceNumber('WO-20261202-77')).toBe(true);
    expect(isSourceNumber('110-2026-0001')).toBe(true);
  });
});
