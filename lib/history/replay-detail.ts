/**
 * What the details drawer shows while replaying: a unit or an incident as it stood at the replay instant, not
 * as it is now. Pure functions over the replay's own data (the frame in the wall's client columns, the live
 * detail's timeline cut at the instant), so nothing from after the instant leaks into a briefing.
 */
import {
  CAMERA_STATUSES,
  INCIDENT_STATES,
  VEHICLE_STATUSES,
  WORKER_STATUSES,
  type IncidentState,
} from '../domain/enums';
import { AssigneeKindSchema, type AssigneeKind, type IncidentView } from '../domain/incident';
import { CLEARS_ASSIGNEE } from '../domain/incident-lifecycle';
import { timeLimitStatus, type TimeLimitConfig } from '../domain/time-limits';
import type { IncidentResponse } from '../dispatch/api-types';
import type { Lang } from '../names/unit-label';
import type { KindColumns } from '../realtime/client-store';
import { formatTime } from '../time/display-time';
import type { EntityKind } from '../realtime/position-codec';
import type { HistoryIncident } from './contract';
import { arriveMs, type IncidentPlaybackResponse } from './playback';
import { incidentsAt } from './replay-model';
import { trackDistanceM } from './track-summary';

/** Status names by the byte the frame carries (the order the server packs them in: server/history). */
const STATUS_NAMES: Record<EntityKind, readonly string[]> = {
  vehicle: VEHICLE_STATUSES,
  worker: WORKER_STATUSES,
  camera: CAMERA_STATUSES,
};

/** How far either side of the replay instant the 轨迹 button asks for (ms): the drive there and what came next. */
export const TRACK_AROUND_MS = 30 * 60_000;

export interface UnitAt {
  lng: number;
  lat: number;
  /** By name (`patrol`, `online`…); null when the byte is one this page does not know. */
  status: string | null;
  /** km/h as the frame carries it (whole km/h); null for kinds that never move. */
  speedKmh: number | null;
  /** Its last report before the instant (epoch ms), or null when too old for the frame to say. */
  reportedAt: number | null;
}

/** The unit at `idx` in the replayed frame, or null when the frame holds none there (not yet reporting). */
export function unitAt(c: KindColumns, idx: number): UnitAt | null {
  if (!Number.isInteger(idx) || idx < 0 || idx >= c.count || c.present[idx] !== 1) return null;
  const ts = c.ts[idx]!;
  return {
    lng: c.position[2 * idx]!,
    lat: c.position[2 * idx + 1]!,
    status: STATUS_NAMES[c.kind][c.status[idx]!] ?? null,
    speedKmh: c.kind === 'camera' ? null : c.speed[idx]!,
    reportedAt: Number.isFinite(ts) && ts > 0 ? ts : null,
  };
}

/**
 * The incident a unit was handling at `t` (dispatched to it or on scene), newest first when several: from the
 * period's incidents as replay holds them, each with the unit it was assigned to at `t` (a unit relieved
 * mid-case held it until then; the unit that relieved it holds it only from then).
 */
export function handlingAt(
  list: readonly HistoryIncident[],
  kind: 'vehicle' | 'worker',
  id: string,
  t: number,
): IncidentView[] {
  return incidentsAt(list, t)
    .filter((i) => i.assigneeKind === kind && i.assigneeId === id)
    .sort((a, b) => b.reportedAt - a.reportedAt);
}

const MINUTE_MS = 60_000;

/**
 * [from, to] of a track around the instant, on whole minutes (the period picker's own steps) and never past
 * the minute after `now` (the future has no history): an instant in the current minute stays inside.
 */
export function trackAround(at: number, now: number): [number, number] {
  const to = Math.ceil(Math.min(now, at + TRACK_AROUND_MS) / MINUTE_MS) * MINUTE_MS;
  return [Math.floor((at - TRACK_AROUND_MS) / MINUTE_MS) * MINUTE_MS, to];
}

const ENDED: ReadonlySet<IncidentState> = new Set(['resolved', 'closed', 'cancelled']);

/**
 * Nobody held the case at the instant though a unit had: the step that left it so (the latest, so a 退单 then
 * 上报上级 reads as 上报上级) and when the last unit's holding ended (the first such step after it). Not
 * "未派单": the case was sent, and its earlier unit's steps are part of what happened.
 */
export interface Unheld {
  state: IncidentState;
  at: number;
  heldUntil: number;
}

/** incidentAsOf's answer: the detail as it stood, and whether the case was left with nobody since a 退单. */
export interface IncidentAsOf extends IncidentResponse {
  unheld: Unheld | null;
}

/**
 * An incident's details as they stood at `t`: the timeline up to `t`, the state its last step there left,
 * the unit it was assigned to by then, its supervision and time limits at `t`. Facts that do not change
 * (title, place, reporter) stay; what came later (closing time, the citizen's rating) is dropped.
 */
export function incidentAsOf(r: IncidentResponse, t: number, limits?: TimeLimitConfig): IncidentAsOf {
  const timeline = r.timeline.filter((e) => e.at <= t);
  let state: IncidentState = 'reported';
  let assignee: { kind: AssigneeKind | null; id: string | null; name: string | null } = {
    kind: null,
    id: null,
    name: null,
  };
  let unheld: Unheld | null = null;
  let supervision = 0;
  let satisfaction: number | null = null;
  for (const e of timeline) {
    const to = e.toState && isState(e.toState) ? e.toState : null;
    if (to) state = to;
    if (e.type === 'assign') {
      const kind = AssigneeKindSchema.safeParse(e.data?.assigneeKind);
      const id = typeof e.data?.assigneeId === 'string' ? e.data.assigneeId : null;
      assignee = { kind: kind.success ? kind.data : null, id, name: e.assigneeName ?? id };
      unheld = null;
    } else if (e.type === 'transition' && to && CLEARS_ASSIGNEE.has(to)) {
      // 退单, 上报上级, 作废: the desk holds it again. Said so only when a unit had held it.
      const heldUntil: number | null = unheld ? unheld.heldUntil : assignee.id !== null ? e.at : null;
      if (heldUntil !== null) unheld = { state: to, at: e.at, heldUntil };
      assignee = { kind: null, id: null, name: null };
    }
    if (e.type === 'supervise' && typeof e.data?.level === 'number') supervision = e.data.level;
    if (e.type === 'follow_up' && typeof e.data?.satisfaction === 'number')
      satisfaction = e.data.satisfaction;
  }
  const i = r.incident;
  const closedAt = i.closedAt !== null && i.closedAt <= t && ENDED.has(state) ? i.closedAt : null;
  const incident = {
    ...i,
    state,
    updatedAt: timeline.at(-1)?.at ?? i.receivedAt,
    assigneeKind: assignee.kind,
    assigneeId: assignee.id,
    assigneeName: assignee.name,
    supervision,
    satisfaction,
    closedAt,
  };
  return {
    incident,
    timeLimits: limits ? timeLimitStatus(incident, t, limits) : timeLimitStatus(incident, t),
    timeline,
    unheld,
  };
}

const UNHELD_WORDS: Partial<Record<IncidentState, { zh: string; en: string }>> = {
  returned: { zh: '退单后待重新派单', en: 'Returned, awaiting a new unit' },
  escalated: { zh: '上报上级后待重新派单', en: 'Escalated, awaiting a new unit' },
  cancelled: { zh: '已作废', en: 'Cancelled' },
};

/** Who holds the case, in words, when nobody does since a 退单: "退单后待重新派单 (14:32:05)". */
export function unheldLine(u: Unheld, tz: string, lang: Lang): string {
  const words = UNHELD_WORDS[u.state] ?? UNHELD_WORDS.returned!;
  return `${words[lang]} (${formatTime(u.at, tz, true)})`;
}

/**
 * The instant whose holder 处置回放 follows at `t`: after a 退单, the unit that held the case until then (its
 * dispatch, 到场 and way there stay part of the case), not nobody; otherwise `t` itself. In whole ms, as the
 * playback's `at=` takes it: a replay clock that was played or sought stands between two.
 */
export function playbackHoldAt(t: number, unheld: Unheld | null | undefined): number {
  return unheld && t >= unheld.heldUntil ? unheld.heldUntil - 1 : Math.floor(t);
}

function isState(s: string): s is IncidentState {
  return (INCIDENT_STATES as readonly string[]).includes(s);
}

/** The pictures attached by `t`: a replay shows none attached after its instant. */
export function attachmentsAsOf<A extends { addedAt: number }>(list: readonly A[], t: number): A[] {
  return list.filter((a) => a.addedAt <= t);
}

/**
 * 处置回放 as it stood at `t`: the steps taken by then, the route driven by then, and the unit only once it
 * was sent (the answer follows the final assignee; sent later, it was not yet this case's at `t`).
 */
export function playbackAsOf(r: IncidentPlaybackResponse, t: number): IncidentPlaybackResponse {
  const steps = r.steps.filter((s) => s.at <= t);
  const isSent = steps.some((s) => s.kind === 'dispatched');
  const route = r.route;
  let routeThen: IncidentPlaybackResponse['route'] = null;
  if (isSent && route) {
    const points = route.points.filter((p) => p.ts <= t);
    const to = Math.max(route.from, Math.min(route.to, t));
    const isCut = points.length < route.points.length;
    routeThen = { ...route, to, points, distanceM: isCut ? trackDistanceM(points) : route.distanceM };
  }
  const closedAt = r.incident.closedAt !== null && r.incident.closedAt <= t ? r.incident.closedAt : null;
  return {
    // Its state as far as the steps tell (a 退单 is not a step): the final one would be the future.
    incident: { ...r.incident, state: steps.at(-1)?.kind ?? 'reported', closedAt },
    unit: isSent ? r.unit : null,
    steps,
    route: routeThen,
    arriveMs: arriveMs(steps),
  };
}

/**
 * The latest time at or before `t` that playbackAsOf cuts on (a step, a route point, the close, the route's
 * end): it answers the same for every instant from there until the next, so a view re-cuts (and redraws the
 * route on the map) when the replay clock passes one, not on every tick.
 */
export function playbackCut(r: IncidentPlaybackResponse, t: number): number {
  let cut = Number.NEGATIVE_INFINITY;
  const see = (at: number | null | undefined) => {
    if (at !== null && at !== undefined && at <= t && at > cut) cut = at;
  };
  for (const s of r.steps) see(s.at);
  for (const p of r.route?.points ?? []) see(p.ts);
  see(r.incident.closedAt);
  see(r.route?.to);
  return cut;
}
