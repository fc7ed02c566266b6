import type { IncidentCategory, IncidentState } from '../domain/enums';
import type { IncidentView } from '../domain/incident';
import { isWithinRegion } from '../domain/region-code';
import { timeLimitStatus, type Lamp, type TimeLimitConfig } from '../domain/time-limits';
import type { WireBatch } from '../realtime/contract';

/** The console's live incident list, fed by WireBatch.incidents; pure so it is tested without a browser. */
export interface IncidentListState {
  seq: number;
  byId: ReadonlyMap<string, IncidentView>;
}

export const EMPTY_INCIDENT_LIST: IncidentListState = { seq: 0, byId: new Map() };

export type ApplyResult =
  { state: IncidentListState; isGap: false } | { state: IncidentListState; isGap: true };

/**
 * Applies one batch. A full batch replaces everything; a delta must follow the last seq by one, otherwise
 * the caller reports a gap (and the server answers with a full batch) and the state is left as it was.
 */
export function applyIncidentBatch(
  state: IncidentListState,
  batch: Pick<WireBatch, 'seq' | 'isFull' | 'incidents' | 'incidentsRemoved'>,
): ApplyResult {
  if (!batch.isFull && batch.seq !== state.seq + 1) return { state, isGap: true };
  const byId = new Map(batch.isFull ? [] : state.byId);
  for (const v of batch.incidents ?? []) byId.set(v.id, v);
  for (const id of batch.incidentsRemoved ?? []) byId.delete(id);
  return { state: { seq: batch.seq, byId }, isGap: false };
}

export interface QueueFilter {
  category: IncidentCategory | '';
  state: IncidentState | '';
  /** A region code (district … grid); matched by the incident's grid code prefix. */
  region: string;
  /** Only flagged (督办) or overdue. */
  isSupervisedOnly?: boolean;
  /** Also list finished work (已办结, 已结案, 作废); off by default, the queue is work waiting for action. */
  isDoneShown?: boolean;
}

export const EMPTY_FILTER: QueueFilter = { category: '', state: '', region: '' };

/**
 * Where an incident stands in the dispatcher's work, in queue order:
 * `waiting` needs the dispatcher now (上报 to accept, 受理 to dispatch, 退单 to re-dispatch, or any open
 * incident past a deadline); `in_progress` is with a unit or the level above; `done` needs nothing more.
 */
export type WorkTier = 'waiting' | 'in_progress' | 'done';
export const WORK_TIERS: readonly WorkTier[] = ['waiting', 'in_progress', 'done'];
export const WORK_TIER_LABELS: Record<WorkTier, { zh: string; en: string }> = {
  waiting: { zh: '待处置', en: 'Waiting for action' },
  in_progress: { zh: '处置中', en: 'In progress' },
  done: { zh: '已办结', en: 'Done' },
};

const WAITING_STATES: ReadonlySet<IncidentState> = new Set(['reported', 'accepted', 'returned']);
const DONE_STATES: ReadonlySet<IncidentState> = new Set(['resolved', 'closed', 'cancelled']);
const LAMP_ORDER: Record<Lamp, number> = { red: 0, yellow: 1, green: 2, none: 3 };

export function workTier(v: IncidentView, now: number, config?: TimeLimitConfig): WorkTier {
  if (DONE_STATES.has(v.state)) return 'done';
  if (WAITING_STATES.has(v.state)) return 'waiting';
  return timeLimitStatus(v, now, config).isOverdue ? 'waiting' : 'in_progress';
}

/**
 * The queue: filtered, then work waiting for action first, then in progress, then (only when asked for)
 * done; within each, priority, then the time-limit lamp (red first), then age (oldest first), then id so
 * the order never flickers. A state filter naming a done state shows it without the toggle.
 */
export function queueOf(
  list: Iterable<IncidentView>,
  filter: QueueFilter,
  now: number,
  config?: TimeLimitConfig,
): IncidentView[] {
  const rows: { v: IncidentView; tier: number; lamp: number }[] = [];
  for (const v of list) {
    if (filter.category && v.category !== filter.category) continue;
    if (filter.state && v.state !== filter.state) continue;
    if (filter.region && !isWithinRegion(v.gridCode, filter.region)) continue;
    const status = timeLimitStatus(v, now, config);
    if (filter.isSupervisedOnly && v.supervision === 0 && !status.isOverdue) continue;
    const tier = workTier(v, now, config);
    if (tier === 'done' && !filter.isDoneShown && !filter.state) continue;
    rows.push({ v, tier: WORK_TIERS.indexOf(tier), lamp: LAMP_ORDER[status.lamp] });
  }
  rows.sort(
    (a, b) =>
      a.tier - b.tier ||
      a.v.priority - b.v.priority ||
      a.lamp - b.lamp ||
      a.v.receivedAt - b.v.receivedAt ||
      (a.v.id < b.v.id ? -1 : a.v.id > b.v.id ? 1 : 0),
  );
  return rows.map((r) => r.v);
}

/** Keyboard navigation: the id after (or before) the current one, wrapping at neither end. */
export function neighbourId(
  queue: readonly IncidentView[],
  currentId: string | null,
  step: 1 | -1,
): string | null {
  if (queue.length === 0) return null;
  const i = currentId === null ? -1 : queue.findIndex((v) => v.id === currentId);
  if (i < 0) return queue[step === 1 ? 0 : queue.length - 1]!.id;
  return queue[Math.min(queue.length - 1, Math.max(0, i + step))]!.id;
}
