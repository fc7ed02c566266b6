import type { IncidentCategory, IncidentSource, Priority } from '@/lib/domain/enums';
import type { IncidentCommand } from '@/lib/domain/incident-lifecycle';
import { DEFAULT_TIME_LIMITS, limitsFor, type TimeLimitConfig } from '@/lib/domain/time-limits';
import type { Rng } from '@/lib/world/rng';
import { UNIT_CATEGORIES } from './incident-generator';

/**
 * How one past incident was handled, decided up front as a pure function of the report and a seeded Rng:
 * the backfill then plays these steps through the audited dispatch service at their times. The shares
 * below are what makes a week look like a real centre's: nearly everything closed within its limit, a few
 * percent late (and supervised), a few cancelled, returned or escalated.
 */

const MIN_MS = 60_000;
const HOUR_MS = 60 * MIN_MS;

/** Duplicates and false reports a dispatcher voids (作废). */
const CANCEL_SHARE = 0.03;
/** Cases a unit hands back as not theirs (退单) and the centre re-assigns. */
const RETURN_SHARE = 0.03;
/** Cases handed to the district level (上报上级). */
const ESCALATE_SHARE = 0.02;
/** Cases that blow their resolve limit, by priority; tuned so ~3–8 % of a week ends up overdue. */
const LATE_SHARE: Record<Priority, number> = { 1: 0.05, 2: 0.08, 3: 0.12, 4: 0.06 };
/** How far past the limit a late case is resolved (× the resolve limit). */
const LATE_FACTOR = [1.05, 1.7] as const;
/** Urgent cases a leader flags for ordinary supervision (普通督办) soon after they arrive. */
const WATCH_SHARE = 0.04;
/** Callers reached for a satisfaction follow-up (回访) after closing. */
const FOLLOW_UP_SHARE = 0.85;
/** Follow-up answers: mostly satisfied, as published 满意度 figures (~95 %) suggest. */
const SATISFACTION: [number, number][] = [
  [5, 62],
  [4, 28],
  [3, 7],
  [2, 2],
  [1, 1],
];
/** Categories a grid worker usually takes on their own grid; the rest go to a department. */
const WORKER_CATEGORIES: ReadonlySet<IncidentCategory> = new Set([
  'dispute',
  'citizen_request',
  'environment',
  'city_management',
  'special_population',
  'other',
]);

/** Minutes, by priority: to accept (受理), from accept to dispatch, and to resolve (as the live simulator). */
const ACCEPT_MIN: Record<Priority, [number, number]> = { 1: [0.5, 2], 2: [1, 6], 3: [3, 20], 4: [10, 60] };
const DISPATCH_MIN: Record<Priority, [number, number]> = { 1: [0.5, 2], 2: [1, 5], 3: [2, 15], 4: [5, 40] };
const RESOLVE_MIN: Record<Priority, [number, number]> = {
  1: [20, 60],
  2: [60, 180],
  3: [120, 480],
  4: [240, 1440],
};
/** Minutes to reach the scene, by who was sent (cut to fit the on-scene limit when on time). */
const TRAVEL_MIN = { vehicle: [4, 12], worker: [10, 50], department: [20, 90] } as const;

export type AssigneeChoice = 'vehicle' | 'worker' | 'department';

export type PlanStep =
  | { at: number; command: IncidentCommand }
  /** Who exactly is picked when the step runs (a free unit then, the grid's worker, the local department). */
  | { at: number; assign: AssigneeChoice; note: string };

export interface HandlingPlan {
  /** In time order; each runs only if the one before it succeeded. */
  steps: PlanStep[];
  /** Leader's flags, independent of the chain: applied only while the case is still being handled. */
  supervision: { at: number; level: number; note: string }[];
  isLate: boolean;
}

export interface PlanInput {
  category: IncidentCategory;
  priority: Priority;
  source: IncidentSource;
  receivedAt: number;
  /** The grid has a worker to send. */
  hasGridWorker: boolean;
}

const CALLER_SOURCES: ReadonlySet<IncidentSource> = new Set(['hotline_12345', 'police_110', 'public_app']);

export function planHandling(
  input: PlanInput,
  rng: Rng,
  limits: TimeLimitConfig = DEFAULT_TIME_LIMITS,
): HandlingPlan {
  const { priority: p, receivedAt } = input;
  // Whole milliseconds: the replay clock stamps rows with these, and SQLite keeps epoch ms as integers.
  const minutes = ([lo, hi]: readonly [number, number]) => Math.round(rng.range(lo, hi) * MIN_MS);
  const steps: PlanStep[] = [];
  const supervision: HandlingPlan['supervision'] = [];
  let t = receivedAt + minutes(ACCEPT_MIN[p]);
  steps.push({ at: t, command: { type: 'transition', to: 'accepted', note: '已受理' } });
  if (rng.chance(CANCEL_SHARE)) {
    t += minutes([5, 60]);
    const note = rng.pick(['重复上报，已合并处理', '经核实为误报', '群众已自行解决，撤销']);
    steps.push({ at: t, command: { type: 'transition', to: 'cancelled', note } });
    return { steps, supervision, isLate: false };
  }
  const owed = limitsFor(limits, p, input.category); // the same rule as every lamp
  const resolveLimit = owed.resolve ?? 7 * 24 * HOUR_MS;
  const isLate = rng.chance(LATE_SHARE[p]);
  // Late cases are the knotty ones (a department's, not a patrol's): holding a car for days would be odd.
  const wantsUnit = UNIT_CATEGORIES.has(input.category) && (p <= 2 || rng.chance(0.3));
  const who: AssigneeChoice = isLate
    ? 'department'
    : wantsUnit
      ? 'vehicle'
      : input.hasGridWorker && WORKER_CATEGORIES.has(input.category) && rng.chance(0.6)
        ? 'worker'
        : 'department';
  t += minutes(DISPATCH_MIN[p]);
  steps.push({ at: t, assign: who, note: who === 'department' ? '中心吹哨，部门报到' : '按推荐就近派单' });
  if (p > 1 && !isLate && rng.chance(RETURN_SHARE)) {
    t += minutes([10, 60]);
    steps.push({ at: t, command: { type: 'transition', to: 'returned', note: '非本单位职责，申请退单' } });
    t += minutes([5, 30]);
    steps.push({ at: t, assign: 'department', note: '退单后重新派单' });
  }
  const sent = steps.at(-1) as { assign: AssigneeChoice };
  // On time cases arrive inside the on-scene limit (a 特急 handed to a department still has 15 minutes).
  const onSceneLimit = owed.onScene;
  const travel = minutes(TRAVEL_MIN[sent.assign]);
  const onSceneLeft = onSceneLimit === null ? travel : Math.round(onSceneLimit * 0.9) - (t - receivedAt);
  t += isLate ? travel : Math.max(MIN_MS, Math.min(travel, onSceneLeft));
  steps.push({ at: t, command: { type: 'transition', to: 'on_scene', note: '已到达现场' } });
  if (rng.chance(ESCALATE_SHARE)) {
    t += minutes([10, 60]);
    steps.push({ at: t, command: { type: 'transition', to: 'escalated', note: '需区级部门协调处置' } });
  }
  const resolveAt = isLate
    ? receivedAt + Math.round(resolveLimit * rng.range(...LATE_FACTOR))
    : Math.min(receivedAt + minutes(RESOLVE_MIN[p]), receivedAt + Math.round(resolveLimit * 0.95));
  t = Math.max(t + minutes([10, 40]), resolveAt);
  steps.push({ at: t, command: { type: 'transition', to: 'resolved', note: '处置完毕' } });
  t += minutes([30, 360]);
  steps.push({ at: t, command: { type: 'transition', to: 'closed', note: '核查通过' } });
  if (CALLER_SOURCES.has(input.source) && rng.chance(FOLLOW_UP_SHARE)) {
    t += minutes([60, 24 * 60]);
    const satisfaction = rng.weighted(SATISFACTION);
    const note = satisfaction >= 4 ? '回访满意' : satisfaction === 3 ? '回访基本满意' : '回访不满意，已记录';
    steps.push({ at: t, command: { type: 'follow_up', satisfaction, note } });
  }
  if (isLate) {
    const deadline = receivedAt + resolveLimit;
    supervision.push({ at: deadline + minutes([10, 240]), level: 2, note: '超期未办结，黄牌督办' });
    supervision.push({
      at: deadline + minutes([20 * 60, 30 * 60]),
      level: 3,
      note: '超期一日仍未办结，红牌督办',
    });
  } else if (p <= 2 && rng.chance(WATCH_SHARE)) {
    supervision.push({ at: receivedAt + minutes([5, 30]), level: 1, note: '领导关注，请加快处置' });
  }
  return { steps, supervision, isLate };
}
