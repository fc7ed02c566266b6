import { STALE_AFTER_MS } from './contract';
import type { EntityKind } from './position-codec';

/**
 * The report time a unit is moved back to when its latest report may have been lost at `at` (the pub/sub
 * subscription dropped): just past the staleness edge, so it reads as stale (数据延迟/离线) at once and its
 * next report, always newer, makes it live again. One rule for the server's columns and the walls' copies.
 */
export function lostReportTs(kind: EntityKind, at: number): number {
  return at - STALE_AFTER_MS[kind] - 1;
}

/**
 * Moves every report time in `ts[0..count)` newer than the lost edge back to it; `skip(i)` leaves a unit as
 * it is (the server's disabled units). Returns how many moved. Idempotent for one `at`.
 */
export function markLostReports(
  ts: Float64Array,
  count: number,
  kind: EntityKind,
  at: number,
  skip?: (i: number) => boolean,
): number {
  const edge = lostReportTs(kind, at);
  let moved = 0;
  for (let i = 0; i < count; i++) {
    if (!(ts[i]! > edge) || skip?.(i)) continue;
    ts[i] = edge;
    moved++;
  }
  return moved;
}
