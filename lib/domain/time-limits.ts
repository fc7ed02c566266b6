import { z } from 'zod';
import type { IncidentState, Priority } from './enums';

/**
 * Time limits (时限) per priority and the yellow/red lamps (DESIGN §2). Every limit is counted from the
 * moment the centre received the incident, so the lamp is a pure function of (priority, state, receivedAt,
 * now): the server, the console and the walls all compute the same lamp from an IncidentView without
 * extra timestamps on the wire.
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

export const MILESTONES = ['accept', 'onScene', 'resolve'] as const;
export type Milestone = (typeof MILESTONES)[number];
export const MILESTONE_LABELS: Record<Milestone, string> = {
  accept: '受理',
  onScene: '到场',
  resolve: '办结',
};

const LimitMs = z.number().int().positive().nullable();
export const PriorityLimitsSchema = z.object({ accept: LimitMs, onScene: LimitMs, resolve: LimitMs });
export type PriorityLimits = z.infer<typeof PriorityLimitsSchema>;

export const TimeLimitConfigSchema = z.object({
  /** Share of a limit used that lights the yellow lamp; platforms in use light it at 0.7–0.8. */
  yellowRatio: z.number().gt(0).lt(1),
  byPriority: z.object({
    1: PriorityLimitsSchema,
    2: PriorityLimitsSchema,
    3: PriorityLimitsSchema,
    4: PriorityLimitsSchema,
  }),
});
export type TimeLimitConfig = z.infer<typeof TimeLimitConfigSchema>;

/** Defaults after DESIGN §2 (特急 3 min / 15 min / 2 h … 较低 2 h / – / 7 days); a deployment overrides them. */
export const DEFAULT_TIME_LIMITS: TimeLimitConfig = {
  yellowRatio: 0.8,
  byPriority: {
    1: { accept: 3 * MINUTE_MS, onScene: 15 * MINUTE_MS, resolve: 2 * HOUR_MS },
    2: { accept: 10 * MINUTE_MS, onScene: 30 * MINUTE_MS, resolve: 8 * HOUR_MS },
    3: { accept: 30 * MINUTE_MS, onScene: 2 * HOUR_MS, resolve: 3 * DAY_MS },
    4: { accept: 2 * HOUR_MS, onScene: null, resolve: 7 * DAY_MS },
  },
};

/**
 * The deployment's limits in this process: the server sets them from its settings (the `meta` row
 * `time_limits`) when it starts and whenever an admin changes them; a browser sets them from
 * `/api/map/world.json`. Every lamp computed without an explicit config uses them, so the server's
 * overdue counts and the walls' lamps agree without each caller threading the config through.
 */
let active: TimeLimitConfig = DEFAULT_TIME_LIMITS;

export function activeTimeLimits(): TimeLimitConfig {
  return active;
}

export function setActiveTimeLimits(config: TimeLimitConfig): void {
  active = config;
}

/** Adopts `world.timeLimits` from `/api/map/world.json` when it is a valid config; false (nothing changed) otherwise. */
export function adoptTimeLimits(value: unknown): boolean {
  const parsed = TimeLimitConfigSchema.safeParse(value);
  if (parsed.success) active = parsed.data;
  return parsed.success;
}

/** Milestones still ahead of an incident in each state (terminal and resolved incidents owe nothing). */
const PENDING: Record<IncidentState, readonly Milestone[]> = {
  reported: ['accept', 'onScene', 'resolve'],
  accepted: ['onScene', 'resolve'],
  dispatched: ['onScene', 'resolve'],
  returned: ['onScene', 'resolve'],
  on_scene: ['resolve'],
  // Handed to a higher level: arriving on scene is now theirs to report, the resolve limit still runs.
  escalated: ['resolve'],
  resolved: [],
  closed: [],
  cancelled: [],
};

export type Lamp = 'none' | 'green' | 'yellow' | 'red';
const LAMP_RANK: Record<Lamp, number> = { none: 0, green: 1, yellow: 2, red: 3 };

export interface MilestoneStatus {
  milestone: Milestone;
  deadline: number;
  /** Negative when overdue. */
  remainingMs: number;
  lamp: Exclude<Lamp, 'none'>;
}

export interface TimeLimitStatus {
  /** The worst lamp over the pending milestones; `none` when nothing is owed. */
  lamp: Lamp;
  isOverdue: boolean;
  /** The nearest deadline still owed (the most overdue one when several are late); null when none. */
  next: MilestoneStatus | null;
  milestones: MilestoneStatus[];
}

export interface TimedIncident {
  priority: number;
  state: IncidentState;
  receivedAt: number;
}

function limitsFor(config: TimeLimitConfig, priority: number): PriorityLimits {
  const p = (priority >= 1 && priority <= 4 ? priority : 3) as Priority;
  return config.byPriority[p];
}

export function lampFor(usedMs: number, limitMs: number, yellowRatio: number): Exclude<Lamp, 'none'> {
  if (usedMs > limitMs) return 'red';
  if (usedMs >= limitMs * yellowRatio) return 'yellow';
  return 'green';
}

export function timeLimitStatus(
  incident: TimedIncident,
  now: number,
  config: TimeLimitConfig = active,
): TimeLimitStatus {
  const limits = limitsFor(config, incident.priority);
  const used = now - incident.receivedAt;
  const milestones: MilestoneStatus[] = [];
  for (const m of PENDING[incident.state]) {
    const limit = limits[m];
    if (limit === null) continue;
    milestones.push({
      milestone: m,
      deadline: incident.receivedAt + limit,
      remainingMs: limit - used,
      lamp: lampFor(used, limit, config.yellowRatio),
    });
  }
  let lamp: Lamp = 'none';
  let next: MilestoneStatus | null = null;
  for (const s of milestones) {
    if (LAMP_RANK[s.lamp] > LAMP_RANK[lamp]) lamp = s.lamp;
    if (!next || s.remainingMs < next.remainingMs) next = s;
  }
  return { lamp, isOverdue: lamp === 'red', next, milestones };
}

/**
 * Queue order (most urgent first): priority, then time left to the nearest deadline, then arrival.
 * Incidents that owe nothing sort after those that do within a priority.
 */
export function compareUrgency(
  a: TimedIncident & { id: string },
  b: TimedIncident & { id: string },
  now: number,
  config: TimeLimitConfig = active,
): number {
  if (a.priority !== b.priority) return a.priority - b.priority;
  const ra = timeLimitStatus(a, now, config).next?.remainingMs ?? Number.POSITIVE_INFINITY;
  const rb = timeLimitStatus(b, now, config).next?.remainingMs ?? Number.POSITIVE_INFINITY;
  if (ra !== rb) return ra < rb ? -1 : 1;
  if (a.receivedAt !== b.receivedAt) return a.receivedAt - b.receivedAt;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0; // deterministic tie-break so the queue never flickers
}

/** A year: a longer limit is a typo, not a policy. */
const MAX_LIMIT_MINUTES = 365 * 24 * 60;

/** The editable form of a config (minutes per milestone, as `parseTimeLimitConfig` reads it). */
export interface TimeLimitMinutes {
  yellowRatio: number;
  minutes: Record<'1' | '2' | '3' | '4', Record<Milestone, number | null>>;
}

export function toTimeLimitMinutes(config: TimeLimitConfig): TimeLimitMinutes {
  const minutes = {} as TimeLimitMinutes['minutes'];
  for (const p of ['1', '2', '3', '4'] as const) {
    const l = config.byPriority[Number(p) as Priority];
    minutes[p] = {
      accept: l.accept === null ? null : l.accept / MINUTE_MS,
      onScene: l.onScene === null ? null : l.onScene / MINUTE_MS,
      resolve: l.resolve === null ? null : l.resolve / MINUTE_MS,
    };
  }
  return { yellowRatio: config.yellowRatio, minutes };
}

/**
 * Limits that contradict each other: every limit counts from receipt, so a unit cannot be due on scene
 * before the case is due to be accepted, nor the case resolved before the unit is due on scene.
 * Returns one message per priority at fault (Chinese, shown beside the form).
 */
export function timeLimitProblems(config: TimeLimitConfig): { priority: Priority; message: string }[] {
  const out: { priority: Priority; message: string }[] = [];
  for (const p of [1, 2, 3, 4] as const) {
    const ordered = MILESTONES.map((m) => config.byPriority[p][m]).filter((v): v is number => v !== null);
    if (ordered.some((v, k) => k > 0 && v < ordered[k - 1]!))
      out.push({ priority: p, message: '时限须依次不减：受理 ≤ 到场 ≤ 办结' });
  }
  return out;
}

/**
 * A deployment's limits from JSON (e.g. an env var or a settings file): minutes per milestone, null for none,
 * overriding the defaults priority by priority. Throws with zod's message when malformed.
 */
export function parseTimeLimitConfig(json: string): TimeLimitConfig {
  const Minutes = z.number().positive().max(MAX_LIMIT_MINUTES).nullable();
  const Override = z.object({
    yellowRatio: z.number().gt(0).lt(1).optional(),
    minutes: z
      .partialRecord(
        z.enum(['1', '2', '3', '4']),
        z.object({ accept: Minutes.optional(), onScene: Minutes.optional(), resolve: Minutes.optional() }),
      )
      .optional(),
  });
  const o = Override.parse(JSON.parse(json));
  const out: TimeLimitConfig = structuredClone(DEFAULT_TIME_LIMITS);
  if (o.yellowRatio !== undefined) out.yellowRatio = o.yellowRatio;
  for (const [p, limits] of Object.entries(o.minutes ?? {})) {
    const target = out.byPriority[Number(p) as Priority];
    for (const m of MILESTONES) {
      const v = limits[m];
      if (v !== undefined) target[m] = v === null ? null : Math.round(v * MINUTE_MS);
    }
  }
  return TimeLimitConfigSchema.parse(out);
}
