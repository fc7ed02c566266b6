import type { IncidentCategory, IncidentState } from '../domain/enums';
import type { IncidentView } from '../domain/incident';
import { isWithinRegion } from '../domain/region-code';
import { DEFAULT_TIME_LIMITS, compareUrgency, type TimeLimitConfig } from '../domain/time-limits';
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
}

export const EMPTY_FILTER: QueueFilter = { category: '', state: '', region: '' };

/** The queue: filtered, most urgent first (priority, then time left, then arrival). */
export function queueOf(
  list: Iterable<IncidentView>,
  filter: QueueFilter,
  now: number,
  config: TimeLimitConfig = DEFAULT_TIME_LIMITS,
): IncidentView[] {
  const out: IncidentView[] = [];
  for (const v of list) {
    if (filter.category && v.category !== filter.category) continue;
    if (filter.state && v.state !== filter.state) continue;
    if (filter.region && !isWithinRegion(v.gridCode, filter.region)) continue;
    out.push(v);
  }
  return out.sort((a, b) => compareUrgency(a, b, now, config));
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
