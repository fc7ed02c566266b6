/**
 * 处置回放 (incident playback, issue 17): the wire shape of `GET /api/history/incident/:id/playback` and the
 * pure derivation of its steps from an incident's timeline, shared by the server and the wall/console views.
 */
import type { TrackPoint } from './contract';

export const PLAYBACK_STEP_KINDS = [
  'reported',
  'accepted',
  'dispatched',
  'on_scene',
  'resolved',
  'closed',
] as const;
export type PlaybackStepKind = (typeof PLAYBACK_STEP_KINDS)[number];

export interface PlaybackStep {
  kind: PlaybackStepKind;
  at: number;
}

export interface PlaybackUnit {
  kind: 'vehicle' | 'worker' | 'department';
  id: string;
  name: string;
}

export interface IncidentPlaybackResponse {
  incident: {
    id: string;
    title: string;
    category: string;
    priority: number;
    state: string;
    lng: number;
    lat: number;
    reportedAt: number;
    closedAt: number | null;
  };
  /** The unit the playback follows (the incident's assignee); null when it was never dispatched. */
  unit: PlaybackUnit | null;
  /** Each step's first time, in time order (a step that never happened is absent). */
  steps: PlaybackStep[];
  /** The unit's track from its dispatch to its arrival (or the end of the window); null for a department or none. */
  route: { from: number; to: number; points: TrackPoint[]; distanceM: number; isTruncated: boolean } | null;
  /** Dispatch → on scene, ms; null when it has not arrived. */
  arriveMs: number | null;
  /**
   * Asked `at` an instant (replay): the span the unit (or nobody) held the case over, null at an open end.
   * The answer stands for every instant in it; a replay whose clock leaves it asks again.
   */
  holding?: { from: number | null; to: number | null };
}

/** The timeline columns the steps are read from (incident_events). */
export interface PlaybackEvent {
  at: number;
  type: string;
  toState: string | null;
  /** assign events: `{ assigneeKind, assigneeId }` as stored (JSON text or parsed). */
  data: unknown;
}

/** A route with no arrival yet is drawn at most this long after the dispatch (a unit may never have gone). */
export const PLAYBACK_OPEN_ROUTE_MS = 2 * 3_600_000;

/** The unit an assign event's stored data names, or null. */
export function assigneeOf(data: unknown): { kind: string; id: string } | null {
  let d = data;
  if (typeof d === 'string') {
    try {
      d = JSON.parse(d) as unknown;
    } catch {
      return null;
    }
  }
  if (!d || typeof d !== 'object') return null;
  const o = d as { assigneeKind?: unknown; assigneeId?: unknown };
  return typeof o.assigneeKind === 'string' && typeof o.assigneeId === 'string'
    ? { kind: o.assigneeKind, id: o.assigneeId }
    : null;
}

/**
 * The steps of the handling by `unit` (the final assignee): 受理 and 上报 as they came, 派单 as the last
 * dispatch to that unit (a reassigned incident is played for the unit that handled it), and 到场 / 办结 /
 * 结案 as the first of each after that dispatch. Events must be in time order.
 */
export function playbackSteps(
  reportedAt: number,
  events: readonly PlaybackEvent[],
  unit: { kind: string; id: string } | null,
): PlaybackStep[] {
  const steps: PlaybackStep[] = [{ kind: 'reported', at: reportedAt }];
  const accepted = events.find((e) => e.type === 'transition' && e.toState === 'accepted');
  if (accepted) steps.push({ kind: 'accepted', at: accepted.at });
  let dispatchAt: number | null = null;
  for (const e of events) {
    if (e.type !== 'assign') continue;
    const a = assigneeOf(e.data);
    if (!unit || !a || (a.kind === unit.kind && a.id === unit.id)) dispatchAt = e.at;
  }
  if (dispatchAt !== null) steps.push({ kind: 'dispatched', at: dispatchAt });
  const after = dispatchAt ?? reportedAt;
  for (const kind of ['on_scene', 'resolved', 'closed'] as const) {
    const e = events.find((x) => x.at >= after && x.toState === kind);
    if (e) steps.push({ kind, at: e.at });
  }
  return steps.sort((a, b) => a.at - b.at);
}

/**
 * The window of the route: dispatch → arrival (or, not yet arrived, 办结 / now, at most
 * PLAYBACK_OPEN_ROUTE_MS). Null without a dispatch.
 */
export function routeWindow(
  steps: readonly PlaybackStep[],
  now: number,
): { from: number; to: number } | null {
  const at = (k: PlaybackStepKind) => steps.find((s) => s.kind === k)?.at ?? null;
  const from = at('dispatched');
  if (from === null) return null;
  const end =
    at('on_scene') ?? at('resolved') ?? at('closed') ?? Math.min(now, from + PLAYBACK_OPEN_ROUTE_MS);
  return { from, to: Math.max(from, end) };
}

export function arriveMs(steps: readonly PlaybackStep[]): number | null {
  const d = steps.find((s) => s.kind === 'dispatched')?.at;
  const a = steps.find((s) => s.kind === 'on_scene')?.at;
  return d === undefined || a === undefined ? null : a - d;
}
