import { describe, expect, it } from 'vitest';
import { clampPage, nextPage, pageCount, pageIndicator, pageItems, rowsThatFit } from './list-pages';

describe('list pages', () => {
  it('fits whole rows only', () => {
    expect(rowsThatFit(153, 34)).toBe(4); // 4.5 rows of room: 4, never a half row
    expect(rowsThatFit(136, 34)).toBe(4);
    expect(rowsThatFit(135.6, 34)).toBe(4); // sub-pixel layout rounding still fits the 4th
    expect(rowsThatFit(10, 34)).toBe(1);
    expect(rowsThatFit(0, 34)).toBe(1);
  });

  it('pages 20 items 4 at a time: 5 pages, wrapping, "2/5"', () => {
    const items = Array.from({ length: 20 }, (_, k) => k);
    expect(pageCount(20, 4)).toBe(5);
    expect(pageItems(items, 1, 4)).toEqual([4, 5, 6, 7]);
    expect(pageItems(items, 4, 4)).toEqual([16, 17, 18, 19]);
    expect(nextPage(4, 20, 4)).toBe(0);
    expect(nextPage(0, 20, 4)).toBe(1);
    expect(pageIndicator(1, 20, 4)).toBe('2/5');
    expect(pageIndicator(0, 3, 4)).toBe('');
  });

  it('falls back to the first page when the list shrinks under the current one', () => {
    expect(clampPage(4, 6, 4)).toBe(0);
    expect(pageItems([1, 2, 3], 7, 2)).toEqual([1, 2]);
    expect(pageCount(0, 4)).toBe(1);
  });
});
