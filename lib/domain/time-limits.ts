import { z } from 'zod';
import {
  CATEGORY_LABELS,
  INCIDENT_CATEGORIES,
  PRIORITY_LABELS,
  type IncidentCategory,
  type IncidentState,
  type Priority,
} from './enums';

/**
 * Time limits (时限) per priority, with per-category overrides, and the yellow/red lamps (DESIGN §2). Every
 * limit is counted from the moment the centre received the incident, so the lamp is a pure function of
 * (priority, category, state, receivedAt, now): the server, the console and the walls all compute the same
 * lamp from an IncidentView without extra timestamps on the wire. One rule decides a limit, `limitsFor`:
 * the category's override for that milestone if set, else the priority's default.
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
/**
 * 签收: a department handed an incident owes an acknowledgement instead of arriving on scene (中心吹哨、部门报到).
 * Kept out of MILESTONES so the per-category table stays the three milestones every unit owes.
 */
export type TimedMilestone = Milestone | 'deptAck';

const LimitMs = z.number().int().positive().nullable();
export const PriorityLimitsSchema = z.object({ accept: LimitMs, onScene: LimitMs, resolve: LimitMs });
export type PriorityLimits = z.infer<typeof PriorityLimitsSchema>;

/** A category's overrides: a milestone absent here takes the priority's limit (there is no "unset to none"). */
const OverrideMs = z.number().int().positive();
export const CategoryLimitsSchema = z.object({
  accept: OverrideMs.optional(),
  onScene: OverrideMs.optional(),
  resolve: OverrideMs.optional(),
});
export type CategoryLimits = z.infer<typeof CategoryLimitsSchema>;

export const TimeLimitConfigSchema = z.object({
  /** Share of a limit used that lights the yellow lamp; platforms in use light it at 0.7–0.8. */
  yellowRatio: z.number().gt(0).lt(1),
  byPriority: z.object({
    1: PriorityLimitsSchema,
    2: PriorityLimitsSchema,
    3: PriorityLimitsSchema,
    4: PriorityLimitsSchema,
  }),
  /** Optional so limits stored before categories existed (and older walls' copies) still read. */
  byCategory: z.partialRecord(z.enum(INCIDENT_CATEGORIES), CategoryLimitsSchema).optional(),
  /** 签收 limit per priority for an incident handed to a department; absent: DEFAULT_DEPT_ACK_MS. */
  deptAck: z.object({ 1: OverrideMs, 2: OverrideMs, 3: OverrideMs, 4: OverrideMs }).optional(),
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
  byCategory: {},
};

/** Default 签收 limits (counted from receipt like every limit): between 受理 and 办结 at each priority. */
export const DEFAULT_DEPT_ACK_MS: Record<Priority, number> = {
  1: 10 * MINUTE_MS,
  2: 30 * MINUTE_MS,
  3: 2 * HOUR_MS,
  4: 8 * HOUR_MS,
};

/** The 签收 limit a department owes for an incident of this priority (out of range counts as 一般). */
export function deptAckLimit(config: TimeLimitConfig, priority: number): number {
  const p = (priority >= 1 && priority <= 4 ? priority : 3) as Priority;
  return config.deptAck?.[p] ?? DEFAULT_DEPT_ACK_MS[p];
}

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
  milestone: TimedMilestone;
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
  /** Absent or unknown: the priority's limits alone apply. */
  category?: string;
  state: IncidentState;
  receivedAt: number;
  /** A department holding a dispatched incident owes 签收 (deptAck) where a unit owes 到场. */
  assigneeKind?: string | null;
}

/** The category's overrides, or undefined; `hasOwn` so a category spelled like `constructor` finds nothing. */
function overridesFor(config: TimeLimitConfig, category: string | undefined): CategoryLimits | undefined {
  const by = config.byCategory;
  return by && category !== undefined && Object.hasOwn(by, category)
    ? by[category as IncidentCategory]
    : undefined;
}

/**
 * The limits an incident owes, per milestone: the category's override if set, else the priority's default
 * (an out-of-range priority counts as 一般). The one rule behind every lamp, overdue count and on-time rate.
 */
export function limitsFor(config: TimeLimitConfig, priority: number, category?: string): PriorityLimits {
  const p = (priority >= 1 && priority <= 4 ? priority : 3) as Priority;
  const base = config.byPriority[p];
  const o = overridesFor(config, category);
  if (!o) return base;
  return {
    accept: o.accept ?? base.accept,
    onScene: o.onScene ?? base.onScene,
    resolve: o.resolve ?? base.resolve,
  };
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
  const limits = limitsFor(config, incident.priority, incident.category);
  const used = now - incident.receivedAt;
  const milestones: MilestoneStatus[] = [];
  const isHandedToDept = incident.state === 'dispatched' && incident.assigneeKind === 'department';
  const pending: readonly TimedMilestone[] = isHandedToDept
    ? ['deptAck', 'resolve']
    : PENDING[incident.state];
  for (const m of pending) {
    const limit = m === 'deptAck' ? deptAckLimit(config, incident.priority) : limits[m];
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
  /** Per-category overrides in minutes; a milestone absent (or null when sent) takes the priority's limit. */
  categories: Partial<Record<IncidentCategory, Partial<Record<Milestone, number | null>>>>;
  /** 签收 minutes per priority for a department; absent: the defaults. */
  deptAck?: Partial<Record<'1' | '2' | '3' | '4', number>>;
}

const toMinutes = (ms: number | null) => (ms === null ? null : ms / MINUTE_MS);

export function toTimeLimitMinutes(config: TimeLimitConfig): TimeLimitMinutes {
  const minutes = {} as TimeLimitMinutes['minutes'];
  for (const p of ['1', '2', '3', '4'] as const) {
    const l = config.byPriority[Number(p) as Priority];
    minutes[p] = {
      accept: toMinutes(l.accept),
      onScene: toMinutes(l.onScene),
      resolve: toMinutes(l.resolve),
    };
  }
  const categories: TimeLimitMinutes['categories'] = {};
  for (const c of INCIDENT_CATEGORIES) {
    const o = overridesFor(config, c);
    if (!o) continue;
    const row: Partial<Record<Milestone, number>> = {};
    for (const m of MILESTONES) if (o[m] !== undefined) row[m] = o[m] / MINUTE_MS;
    if (Object.keys(row).length > 0) categories[c] = row;
  }
  const out: TimeLimitMinutes = { yellowRatio: config.yellowRatio, minutes, categories };
  if (config.deptAck)
    out.deptAck = Object.fromEntries(
      (['1', '2', '3', '4'] as const).map((p) => [p, deptAckLimit(config, Number(p)) / MINUTE_MS]),
    );
  return out;
}

export interface TimeLimitProblem {
  priority: Priority;
  /** Set when the fault is a category's override read together with this priority's limits. */
  category?: IncidentCategory;
  message: string;
}

const ORDER_RULE = '受理 ≤ 到场 ≤ 办结';

function isOrdered(l: PriorityLimits): boolean {
  const ordered = MILESTONES.map((m) => l[m]).filter((v): v is number => v !== null);
  return !ordered.some((v, k) => k > 0 && v < ordered[k - 1]!);
}

/**
 * Limits that contradict each other: every limit counts from receipt, so a unit cannot be due on scene
 * before the case is due to be accepted, nor the case resolved before the unit is due on scene. A category's
 * overrides are checked as they apply, filled in by each priority's limits (`limitsFor`), since an override
 * of one milestone can clash with another priority's default. One message per priority, and per category,
 * at fault (Chinese, shown beside the form).
 */
export function timeLimitProblems(config: TimeLimitConfig): TimeLimitProblem[] {
  const out: TimeLimitProblem[] = [];
  for (const p of [1, 2, 3, 4] as const)
    if (!isOrdered(config.byPriority[p])) out.push({ priority: p, message: `时限须依次不减：${ORDER_RULE}` });
  for (const c of INCIDENT_CATEGORIES) {
    if (!overridesFor(config, c)) continue;
    const p = ([1, 2, 3, 4] as const).find(
      (q) => isOrdered(config.byPriority[q]) && !isOrdered(limitsFor(config, q, c)),
    );
    if (p !== undefined)
      out.push({
        priority: p,
        category: c,
        message: `${CATEGORY_LABELS[c].zh}的时限与「${PRIORITY_LABELS[p].zh}」的时限合起来须依次不减：${ORDER_RULE}（未设的环节按优先级时限）`,
      });
  }
  return out;
}

/**
 * A deployment's limits from JSON (e.g. an env var or a settings file, or the admin form): minutes per
 * milestone, null for none, overriding the defaults priority by priority; `categories` holds the whole set of
 * per-category overrides (none when absent). Throws with zod's message when malformed.
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
    categories: z
      .partialRecord(
        z.enum(INCIDENT_CATEGORIES),
        z.object({ accept: Minutes.optional(), onScene: Minutes.optional(), resolve: Minutes.optional() }),
      )
      .optional(),
    deptAck: z
      .partialRecord(z.enum(['1', '2', '3', '4']), z.number().positive().max(MAX_LIMIT_MINUTES))
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
  const byCategory: NonNullable<TimeLimitConfig['byCategory']> = {};
  for (const [c, limits] of Object.entries(o.categories ?? {}) as [IncidentCategory, CategoryLimits][]) {
    const row: CategoryLimits = {};
    for (const m of MILESTONES) {
      const v = (limits as Partial<Record<Milestone, number | null>>)[m];
      if (typeof v === 'number') row[m] = Math.round(v * MINUTE_MS);
    }
    if (Object.keys(row).length > 0) byCategory[c] = row;
  }
  out.byCategory = byCategory;
  if (o.deptAck && Object.keys(o.deptAck).length > 0) {
    const ack = { ...DEFAULT_DEPT_ACK_MS };
    for (const [p, v] of Object.entries(o.deptAck)) ack[Number(p) as Priority] = Math.round(v * MINUTE_MS);
    out.deptAck = ack;
  }
  return TimeLimitConfigSchema.parse(out);
}
