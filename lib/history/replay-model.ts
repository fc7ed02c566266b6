/**
 * Replay (回放) of a past period on the wall, as pure functions: the period and its URL form, the replay clock,
 * which keyframes to fetch, and the incidents as they stood at an instant. No React, no fetch, no clock
 * reads: the wall's replay hook (components/wall/replay/) drives these with the real time.
 */
import { INCIDENT_CATEGORIES, INCIDENT_SOURCES, INCIDENT_STATES } from '../domain/enums';
import { AssigneeKindSchema, type IncidentView } from '../domain/incident';
import { CLEARS_ASSIGNEE } from '../domain/incident-lifecycle';
import { clockParts, offsetMinutes, startOfDay } from '../time/display-time';
import type { HistoryIncident, HistoryIncidentEvent } from './contract';

/** Replay speeds offered (replayed seconds per real second). */
export const REPLAY_SPEEDS = [1, 2, 5, 10, 30, 60, 120] as const;
export type ReplaySpeed = (typeof REPLAY_SPEEDS)[number];
export const DEFAULT_REPLAY_SPEED: ReplaySpeed = 10;
/** The longest period one replay covers: what `/api/history/incidents` answers in one go. */
export const REPLAY_MAX_SPAN_MS = 31 * 86_400_000;
/** The shortest period worth a timeline (a from–to typed the wrong way round is refused, not clamped). */
export const REPLAY_MIN_SPAN_MS = 60_000;
/**
 * Keyframes are fetched at least this far apart (replayed ms): units report every 1–30 s, and a frame per
 * 10 s of replay at 1× is one small request every 10 real seconds.
 */
export const KEYFRAME_MIN_STEP_MS = 10_000;
/** …and at most this often in real time: at 120× a keyframe per 4 replayed minutes, one every 2 real s. */
export const KEYFRAME_REAL_INTERVAL_MS = 2_000;
/** Keyframes fetched ahead of the clock, so playing never waits on the network. */
export const KEYFRAME_PREFETCH = 3;

const ENDED_STATES: ReadonlySet<string> = new Set(['resolved', 'closed', 'cancelled']);

export interface ReplayPeriod {
  from: number;
  to: number;
}

export interface ReplayUrlState extends ReplayPeriod {
  at: number;
  speed: ReplaySpeed;
}

export function isReplaySpeed(v: number): v is ReplaySpeed {
  return (REPLAY_SPEEDS as readonly number[]).includes(v);
}

function parseTime(raw: string | null | undefined): number | null {
  if (raw === null || raw === undefined || raw === '') return null;
  const t = /^\d{1,16}$/.test(raw) ? Number(raw) : Date.parse(raw);
  return Number.isFinite(t) ? t : null;
}

/**
 * Why a period cannot be replayed, or null when it can. `now` bounds it: the future has no history.
 */
export function periodProblem(p: ReplayPeriod, now: number): 'order' | 'span' | 'future' | null {
  if (!(p.to - p.from >= REPLAY_MIN_SPAN_MS)) return 'order';
  if (p.to - p.from > REPLAY_MAX_SPAN_MS) return 'span';
  if (p.from >= now) return 'future';
  return null;
}

/**
 * `?replay=from,to&at=&speed=` (epoch ms or ISO-8601) → the replay to open, or null when the query asks for
 * none or for one that cannot be (a reopened briefing link that is malformed opens the live wall). `to` past
 * `now` is cut to `now`; `at` is clamped into the period; an unknown speed falls back to the default.
 */
export function parseReplayQuery(q: URLSearchParams, now: number): ReplayUrlState | null {
  const raw = q.get('replay');
  if (!raw) return null;
  const [a, b] = raw.split(',');
  const from = parseTime(a);
  const toRaw = parseTime(b);
  if (from === null || toRaw === null) return null;
  const to = Math.min(toRaw, now);
  if (periodProblem({ from, to }, now) !== null) return null;
  const at = parseTime(q.get('at')) ?? from;
  const speed = Number(q.get('speed'));
  return {
    from,
    to,
    at: Math.min(to, Math.max(from, at)),
    speed: isReplaySpeed(speed) ? speed : DEFAULT_REPLAY_SPEED,
  };
}

/** The replay's part of a URL query (no leading `?`): what a briefing link reopens. */
export function replayQuery(s: ReplayUrlState): string {
  return `replay=${s.from},${s.to}&at=${Math.round(s.at)}&speed=${s.speed}`;
}

/**
 * A URL's query with the replay's keys set (or removed when `s` is null), every other key kept (a display
 * token must survive).
 */
export function withReplayQuery(search: string, s: ReplayUrlState | null): string {
  const q = new URLSearchParams(search);
  for (const k of ['replay', 'at', 'speed']) q.delete(k);
  const rest = q.toString();
  const own = s ? replayQuery(s) : '';
  const all = [rest, own].filter(Boolean).join('&');
  return all ? `?${all}` : '';
}

/** 今日至今 and 昨日, in the display time zone (a centre's day, not the browser's). */
export function presetPeriod(kind: 'today' | 'yesterday', now: number, tz: string): ReplayPeriod {
  const today = startOfDay(now, tz);
  if (kind === 'today') return { from: today, to: now };
  // The day before: a DST-free zone has 24 h days, but take the zone's own midnight to be exact.
  return { from: startOfDay(today - 1, tz), to: today };
}

/** Replayed ms between two keyframes at this speed. */
export function keyframeStepMs(speed: number): number {
  return Math.max(KEYFRAME_MIN_STEP_MS, speed * KEYFRAME_REAL_INTERVAL_MS);
}

/**
 * The keyframe at or before `at` and the `ahead` after it (on a fixed grid per speed, so a cache keyed by
 * time hits), kept inside [from, to].
 */
export function keyframeTimes(
  at: number,
  p: ReplayPeriod,
  speed: number,
  ahead = KEYFRAME_PREFETCH,
): number[] {
  const step = keyframeStepMs(speed);
  const first = Math.max(p.from, Math.floor(at / step) * step);
  const out = [first];
  for (let k = 1; k <= ahead; k++) {
    const t = Math.floor(at / step) * step + k * step;
    if (t > p.to) {
      if (out[out.length - 1] !== p.to) out.push(p.to);
      break;
    }
    out.push(t);
  }
  return out;
}

/**
 * The replay clock: replayed time advances `speed` × real time while playing, from an anchor set at every
 * play, pause, seek or speed change, and stops at the period's end.
 */
export interface ReplayClock extends ReplayPeriod {
  /** Replayed time at `anchorWall`. */
  anchorAt: number;
  /** Real time (epoch ms) of the last play, pause, seek or speed change. */
  anchorWall: number;
  speed: ReplaySpeed;
  isPlaying: boolean;
}

export function startClock(s: ReplayUrlState, wallNow: number, isPlaying = false): ReplayClock {
  return { from: s.from, to: s.to, anchorAt: s.at, anchorWall: wallNow, speed: s.speed, isPlaying };
}

export function clockAt(c: ReplayClock, wallNow: number): number {
  const at = c.isPlaying ? c.anchorAt + (wallNow - c.anchorWall) * c.speed : c.anchorAt;
  return Math.min(c.to, Math.max(c.from, at));
}

/** Played to the end: the clock stands at `to` (the hook pauses it there). */
export function isAtEnd(c: ReplayClock, wallNow: number): boolean {
  return clockAt(c, wallNow) >= c.to;
}

export function setPlaying(c: ReplayClock, isPlaying: boolean, wallNow: number): ReplayClock {
  const at = clockAt(c, wallNow);
  // Play at the end starts over: a leader presses ▶ again to see the period again.
  const anchorAt = isPlaying && at >= c.to ? c.from : at;
  return { ...c, anchorAt, anchorWall: wallNow, isPlaying };
}

export function seek(c: ReplayClock, at: number, wallNow: number): ReplayClock {
  return { ...c, anchorAt: Math.min(c.to, Math.max(c.from, at)), anchorWall: wallNow };
}

export function setSpeed(c: ReplayClock, speed: ReplaySpeed, wallNow: number): ReplayClock {
  return { ...c, anchorAt: clockAt(c, wallNow), anchorWall: wallNow, speed };
}

function oneOf<T extends string>(list: readonly T[], v: string | null, fallback: T): T {
  return v !== null && (list as readonly string[]).includes(v) ? (v as T) : fallback;
}

/** An incident's state at `t` from its timeline (the last transition at or before `t`), 上报 before any. */
export function stateAt(i: HistoryIncident, t: number): string {
  let state = 'reported';
  for (const e of i.timeline) {
    if (e.at > t) break;
    if (e.toState) state = e.toState;
  }
  return state;
}

/** What the assignment rule reads of an incident: the final assignee and the steps (a history answer's). */
export interface AssignmentHistory {
  assigneeKind: string | null;
  assigneeId: string | null;
  timeline: readonly Pick<HistoryIncidentEvent, 'at' | 'type' | 'toState' | 'assigneeKind' | 'assigneeId'>[];
}

export interface Holding {
  unit: { kind: string; id: string } | null;
  /** The step that began this holding (null: since the start) and the next that changed it (null: none yet). */
  from: number | null;
  to: number | null;
}

/**
 * Whom the incident was assigned to at `t`, and from when until when: the last assign step by then (a
 * reassignment replaces the unit, a 退单, 上报上级 or 作废 clears it). A step that does not say whom (an answer
 * from before steps named their unit) stands for the final assignee, the only one the answer names. Every
 * assign step starts a new holding, even to the same unit: its dispatch time is the new one.
 */
export function holdingAt(i: AssignmentHistory, t: number): Holding {
  const final = i.assigneeKind && i.assigneeId ? { kind: i.assigneeKind, id: i.assigneeId } : null;
  let held: Holding['unit'] = null;
  let from: number | null = null;
  for (const e of i.timeline) {
    let next: Holding['unit'] | undefined;
    if (e.type === 'assign')
      next = e.assigneeKind && e.assigneeId ? { kind: e.assigneeKind, id: e.assigneeId } : final;
    else if (e.type === 'transition' && (CLEARS_ASSIGNEE as ReadonlySet<string | null>).has(e.toState))
      next = held === null ? undefined : null;
    else if (e.toState === 'dispatched' && held === null) next = final ?? undefined;
    if (next === undefined) continue;
    if (e.at > t) return { unit: held, from, to: e.at };
    held = next;
    from = e.at;
  }
  return { unit: held, from, to: null };
}

export function assigneeAt(i: AssignmentHistory, t: number): { kind: string; id: string } | null {
  return holdingAt(i, t).unit;
}

/**
 * The incidents open at `t` as the live wall would have held them: reported by then and not yet ended, each in
 * its state of that moment, with the unit it was assigned to then (not the one that ended up with it).
 */
export function incidentsAt(list: readonly HistoryIncident[], t: number): IncidentView[] {
  const out: IncidentView[] = [];
  for (const i of list) {
    if (i.reportedAt > t) continue;
    const state = oneOf(INCIDENT_STATES, stateAt(i, t), 'reported');
    if (ENDED_STATES.has(state)) continue;
    let updatedAt = i.reportedAt;
    let supervision = 0;
    for (const e of i.timeline) {
      if (e.at > t) break;
      updatedAt = e.at;
      if (e.type === 'supervise') supervision = Math.max(supervision, 1);
    }
    const held = state === 'dispatched' || state === 'on_scene' ? assigneeAt(i, t) : null;
    out.push({
      id: i.id,
      category: oneOf(INCIDENT_CATEGORIES, i.category, 'other'),
      title: i.title,
      priority: Math.min(4, Math.max(1, Math.round(i.priority) || 3)),
      source: oneOf(INCIDENT_SOURCES, i.source, 'grid_worker'),
      state,
      lng: i.lng,
      lat: i.lat,
      address: null,
      gridCode: i.gridCode,
      reportedAt: i.reportedAt,
      receivedAt: i.timeline[0]?.at ?? i.reportedAt,
      updatedAt,
      assigneeKind: held ? oneOf(AssigneeKindSchema.options, held.kind, 'vehicle') : null,
      assigneeId: held?.id ?? null,
      supervision,
    });
  }
  return out;
}

/** Where each incident of the period sits on the timeline (0..1 of from→to), most urgent last (drawn on top). */
export function timelineMarks(
  list: readonly HistoryIncident[],
  p: ReplayPeriod,
): { id: string; f: number; priority: number }[] {
  const span = p.to - p.from;
  return list
    .filter((i) => i.reportedAt >= p.from && i.reportedAt <= p.to)
    .map((i) => ({ id: i.id, f: (i.reportedAt - p.from) / span, priority: i.priority }))
    .sort((a, b) => b.priority - a.priority);
}

export interface PeriodFigures {
  /** Reported within [from, t]. */
  reported: number;
  /** Of those, dispatched (派遣) by t. */
  dispatched: number;
  /** Of those, ended (办结, 结案 or 作废) by t. */
  resolved: number;
  /** Open at t, whenever reported. */
  open: number;
  byCategory: { category: string; count: number }[];
}

/** The replayed period's figures up to the replay clock: what the replay's side panel shows. */
export function periodFigures(list: readonly HistoryIncident[], from: number, t: number): PeriodFigures {
  let reported = 0;
  let dispatched = 0;
  let resolved = 0;
  let open = 0;
  const byCat = new Map<string, number>();
  for (const i of list) {
    if (i.reportedAt > t) continue;
    const state = stateAt(i, t);
    if (!ENDED_STATES.has(state)) open++;
    if (i.reportedAt < from) continue;
    reported++;
    byCat.set(i.category, (byCat.get(i.category) ?? 0) + 1);
    if (i.timeline.some((e) => e.at <= t && e.toState === 'dispatched')) dispatched++;
    if (ENDED_STATES.has(state)) resolved++;
  }
  const byCategory = [...byCat]
    .map(([category, count]) => ({ category, count }))
    .sort((a, b) => b.count - a.count || a.category.localeCompare(b.category));
  return { reported, dispatched, resolved, open, byCategory };
}

/** Tick steps offered on the timeline (ms): the first giving at most TIMELINE_MAX_TICKS ticks is used. */
const TICK_STEPS_MS = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440].map((m) => m * 60_000);
export const TIMELINE_MAX_TICKS = 12;

/**
 * Timeline ticks on whole hours (or quarter hours, or days) of the display zone: `offsetMs` is the zone's
 * offset from UTC (Asia/Shanghai: +8 h), so a tick reads "08:00" there, not "00:00 UTC".
 */
export function timelineTicks(p: ReplayPeriod, offsetMs: number): { at: number; f: number }[] {
  const span = p.to - p.from;
  const step = TICK_STEPS_MS.find((s) => span / s <= TIMELINE_MAX_TICKS) ?? TICK_STEPS_MS.at(-1)!;
  const out: { at: number; f: number }[] = [];
  let t = Math.ceil((p.from + offsetMs) / step) * step - offsetMs;
  for (; t <= p.to && out.length <= TIMELINE_MAX_TICKS * 2; t += step)
    out.push({ at: t, f: (t - p.from) / span });
  return out;
}

const p2 = (n: number) => String(n).padStart(2, '0');

/** An instant as a `<input type="datetime-local">` value in the display zone ("2026-12-01T08:00"). */
export function zonedInputValue(ms: number, tz: string): string {
  const c = clockParts(ms, tz);
  return `${c.year}-${p2(c.month)}-${p2(c.day)}T${p2(c.hour)}:${p2(c.minute)}`;
}

/** A `datetime-local` value read as the display zone's wall time (not the browser's), or null. */
export function parseZonedInput(v: string, tz: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(v);
  if (!m) return null;
  const asUtc = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!);
  // The zone's offset at that instant: first guess from the UTC reading, then at the corrected instant.
  const guess = asUtc - offsetMinutes(asUtc, tz) * 60_000;
  return asUtc - offsetMinutes(guess, tz) * 60_000;
}
