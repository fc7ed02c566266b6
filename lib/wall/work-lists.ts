/**
 * Which incidents the wall's lists and counts take, in one place: the server counts 超时 and 督办 with the
 * same predicates it fills the 超时督办 list with, and the 实时事件 list shows open work only. Pure, so both
 * sides (and the tests) share one definition.
 */
import type { IncidentState } from '../domain/enums';
import type { Lamp } from '../domain/time-limits';

/** States that are no longer work for anyone: done (办结/结案) or voided (作废). */
const DONE_STATES: ReadonlySet<IncidentState> = new Set(['resolved', 'closed', 'cancelled']);

/** Open work: still to be accepted, dispatched, handled, re-assigned or decided above. */
export function isOpenWork(state: IncidentState): boolean {
  return !DONE_STATES.has(state);
}

/** 超时: past a time limit still owed (red lamp). A yellow lamp is 预警, never overdue. */
export function isOverdue(lamp: Lamp): boolean {
  return lamp === 'red';
}

/** 督办: flagged by a leader at any level (普通, 黄牌, 红牌); it stays listed until closed (DESIGN §2). */
export function isSupervised(supervision: number): boolean {
  return supervision > 0;
}

/** 预警: near a limit (yellow lamp). Counted apart from 超时. */
export function isWarning(lamp: Lamp): boolean {
  return lamp === 'yellow';
}

/** The 超时督办 list: exactly what the 超时 count and the 督办 count count (an item in both is listed once). */
export function isOnOverdueList(lamp: Lamp, supervision: number): boolean {
  return isOverdue(lamp) || isSupervised(supervision);
}

export interface OverdueOrderItem {
  lamp: Lamp;
  supervision: number;
  priority: number;
  receivedAt: number;
}

/** Worst first: overdue before merely supervised, then the higher card, the higher priority, the older. */
export function compareOverdueItems(a: OverdueOrderItem, b: OverdueOrderItem): number {
  const ra = isOverdue(a.lamp) ? 0 : 1;
  const rb = isOverdue(b.lamp) ? 0 : 1;
  return ra - rb || b.supervision - a.supervision || a.priority - b.priority || a.receivedAt - b.receivedAt;
}

/** The 实时事件 list: open work only, newest first, at most `max`. */
export function openFeed<T extends { state: IncidentState; receivedAt: number }>(
  incidents: readonly T[],
  max: number,
): T[] {
  return incidents
    .filter((i) => isOpenWork(i.state))
    .sort((a, b) => b.receivedAt - a.receivedAt)
    .slice(0, max);
}
