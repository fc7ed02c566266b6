import { describe, expect, it } from 'vitest';
import { chineseNumeral } from './names';

describe('chineseNumeral', () => {
  it('writes numbers the way grid names do', () => {
    expect([1, 10, 12, 20, 21, 100, 105, 110, 999].map(chineseNumeral)).toEqual([
      '一',
      '十',
      '十二',
      '二十',
      '二十一',
      '一百',
      '一百零五',
      '一百一十',
      '九百九十九',
    ]);
  });
});
