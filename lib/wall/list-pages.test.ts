import { describe, expect, it } from 'vitest';
import {
  clampPage,
  nextPage,
  pageCount,
  pageIndicator,
  pageItems,
  rowLayout,
  rowsThatFit,
} from './list-pages';

describe('list pages', () => {
  it('fits whole rows only', () => {
    expect(rowsThatFit(153, 34)).toBe(4); // 4.5 rows of room: 4, never a half row
    expect(rowsThatFit(136, 34)).toBe(4);
    expect(rowsThatFit(135.6, 34)).toBe(4); // sub-pixel layout rounding still fits the 4th
    expect(rowsThatFit(10, 34)).toBe(1);
    expect(rowsThatFit(0, 34)).toBe(1);
  });

  it('fills the body: as many rows as fit at the minimum height, grown to share what is left', () => {
    // 超时督办 in briefing (89 px of body): 2 rows of 32 left 25 px empty; at 28 three fit, 29 px each.
    expect(rowLayout(89, 28, 40)).toEqual({ perPage: 3, rowPx: 29 });
    expect(rowLayout(130, 28, 40)).toEqual({ perPage: 4, rowPx: 32 });
    // Never cut: the rows' sum stays within the body, whatever the fraction.
    for (const h of [28, 55.5, 83.9, 111.99, 196, 500.4]) {
      const { perPage, rowPx } = rowLayout(h, 28, 40);
      expect(perPage * rowPx, `${h}`).toBeLessThanOrEqual(h + 0.5);
      expect(h - perPage * rowPx, `${h}`).toBeLessThan(28 + perPage);
    }
    // A body under one row still shows one, at the minimum; a tall single row is capped.
    expect(rowLayout(10, 28, 40)).toEqual({ perPage: 1, rowPx: 28 });
    expect(rowLayout(0, 28, 40)).toEqual({ perPage: 1, rowPx: 28 });
    expect(rowLayout(55, 28, 40)).toEqual({ perPage: 1, rowPx: 40 });
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
