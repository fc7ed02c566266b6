/**
 * Paging for the wall's lists: a wall is not touched, so a list that holds more than fits shows whole rows
 * only (never a half-cut one) and turns its page by itself. Pure: the panel measures, these decide.
 */

/** Whole rows that fit a list body of `heightPx` (at least one, so a tiny panel still shows something). */
export function rowsThatFit(heightPx: number, rowPx: number): number {
  if (!(heightPx > 0) || !(rowPx > 0)) return 1;
  return Math.max(1, Math.floor((heightPx + 0.5) / rowPx));
}

/**
 * How a list body of `heightPx` is cut into rows: as many as fit at `minRowPx`, each then grown to share the
 * height (never past `maxRowPx`), so a page fills its panel instead of leaving a band under the last row.
 * `rowPx` is whole pixels: the rows' sum never exceeds the body, so no row is cut.
 */
export function rowLayout(
  heightPx: number,
  minRowPx: number,
  maxRowPx: number,
): { perPage: number; rowPx: number } {
  const perPage = rowsThatFit(heightPx, minRowPx);
  const share = heightPx > 0 ? Math.floor((heightPx + 0.5) / perPage) : minRowPx;
  return { perPage, rowPx: Math.max(minRowPx, Math.min(maxRowPx, share)) };
}

export function pageCount(total: number, perPage: number): number {
  return total <= 0 ? 1 : Math.ceil(total / Math.max(1, perPage));
}

/** The page to show: the same one while it still exists, else the first. */
export function clampPage(page: number, total: number, perPage: number): number {
  return page >= 0 && page < pageCount(total, perPage) ? page : 0;
}

/** The next page, wrapping to the first. */
export function nextPage(page: number, total: number, perPage: number): number {
  return (clampPage(page, total, perPage) + 1) % pageCount(total, perPage);
}

export function pageItems<T>(items: readonly T[], page: number, perPage: number): T[] {
  const p = clampPage(page, items.length, perPage);
  return items.slice(p * perPage, (p + 1) * perPage);
}

/** "2/9"; empty when everything fits on one page. */
export function pageIndicator(page: number, total: number, perPage: number): string {
  const n = pageCount(total, perPage);
  return n > 1 ? `${clampPage(page, total, perPage) + 1}/${n}` : '';
}
