/**
 * Panel statistics for one wall scope (a region, or the whole territory) over one period. The server
 * computes them every few seconds per scope in use and ships them in `WireBatch.stats`; the wall validates
 * them with this schema and hands them to the pure option builders in components/charts/options.ts.
 */
import { z } from 'zod';
import { INCIDENT_CATEGORIES } from '../domain/enums';

export const WALL_PERIODS = ['today', '7d', 'xun', 'month'] as const;
export type WallPeriod = (typeof WALL_PERIODS)[number];
export const PERIOD_LABELS: Record<WallPeriod, string> = {
  today: '今日',
  '7d': '近7日',
  xun: '本旬',
  month: '本月',
};

/** Bounds on every list a panel shows: the payload stays small whatever the territory. */
export const STATS_LIST_MAX = 20;
/**
 * The server recomputes a scope's figures at least this often while walls show it (more often where they are
 * cheap: server/stats/wall-routes.ts), and sends each recompute to its walls.
 */
export const STATS_REFRESH_MAX_MS = 30_000;
/**
 * A wall whose figures have not been renewed for this long, on a live link, says so (统计延迟) instead of
 * showing them as current: the database behind them is down or too slow.
 */
export const STATS_LATE_AFTER_MS = 2 * STATS_REFRESH_MAX_MS;
/**
 * Bound on the 超时督办 list: it pages on the wall, so it carries every item its counts count up to this many
 * (`overdueListTotal` says how many there were; past the bound the panel says it shows the worst ones).
 */
export const OVERDUE_LIST_MAX = 120;

const Rate = z.number().min(0).max(1).nullable();
/** A count in a comparison window (环比: the previous period; 同比: the same period a year ago); null: no history. */
const Compare = z.object({
  mom: z.number().int().nonnegative().nullable(),
  yoy: z.number().int().nonnegative().nullable(),
});
export type CompareCounts = z.infer<typeof Compare>;

const RegionRef = z.object({ code: z.string(), name: z.string(), level: z.string() });
export type RegionRef = z.infer<typeof RegionRef>;

/**
 * Departments listed on the wall's 部门报到 table, which pages them (lowest 报到率 first). A district has ~30
 * departments, most of them handed something on a busy day; at 8 the best answering ones were never shown.
 */
export const DEPT_STATS_MAX = 60;
const Count = z.number().int().nonnegative();
export const DepartmentStatSchema = z.object({
  id: z.string(),
  name: z.string(),
  handed: Count,
  ackDue: Count,
  ackOnTime: Count,
  ackRate: z.number().min(0).max(1).nullable(),
  resolveDue: Count,
  resolvedOnTime: Count,
  onTimeRate: z.number().min(0).max(1).nullable(),
});
export type DepartmentStat = z.infer<typeof DepartmentStatSchema>;

export const WallStatsSchema = z.object({
  /** When computed (epoch ms) and for which period. */
  at: z.number(),
  period: z.enum(WALL_PERIODS),
  periodStart: z.number(),
  /** The scope and its ancestors, outermost first (the breadcrumb); empty path = whole territory. */
  region: z.object({
    code: z.string().nullable(),
    name: z.string(),
    level: z.string(),
    path: z.array(RegionRef),
  }),
  /** Regions one level down (towns of a district…): drill targets and the briefing tour. */
  children: z.array(RegionRef),
  kpi: z.object({
    /** Incidents received in the period. */
    received: z.number().int().nonnegative(),
    /** Of those, resolved or closed. */
    resolved: z.number().int().nonnegative(),
    /** Of the resolved, within the resolve time limit. */
    resolvedOnTime: z.number().int().nonnegative(),
    open: z.number().int().nonnegative(),
    overdue: z.number().int().nonnegative(),
    supervised: z.number().int().nonnegative(),
    /** 办结率 and 按时办结率, 0..1; null when nothing to divide by. */
    resolveRate: Rate,
    onTimeRate: Rate,
    critical: z.number().int().nonnegative(),
    /** Open incidents with a yellow lamp (预警: near a limit, not past it); never counted as overdue. */
    warning: z.number().int().nonnegative(),
    /** 闭环率: closed (结案, verified) ÷ received less cancelled. docs/kpis.md has every formula. */
    closedLoopRate: Rate,
    /** 主动发现率: found by grid workers, video patrol or sensors ÷ received. */
    proactiveRate: Rate,
    /** 满意度: follow-ups (回访) answering 4 or 5 ÷ follow-ups, over incidents received in the period. */
    satisfactionRate: Rate,
    /** Follow-ups the 满意度 is over. */
    rated: z.number().int().nonnegative(),
    /** 矛盾纠纷化解率: disputes resolved or closed ÷ disputes received less cancelled. */
    disputeResolveRate: Rate,
    /** 网格员在线率: grid workers on duty now ÷ grid workers. */
    workerOnlineRate: Rate,
    /** 平安指数, 0–100 (docs/kpis.md); null when none of its parts can be computed. */
    safetyIndex: z.number().min(0).max(100).nullable(),
  }),
  /** The main counts in the comparison windows (same length of time as the period so far). */
  compare: z.object({ received: Compare, resolved: Compare }),
  byCategory: z.array(
    z.object({ category: z.enum(INCIDENT_CATEGORIES), count: z.number().int().nonnegative() }),
  ),
  /** Hourly buckets of the last 24 h, oldest first; `start` is the bucket's start (epoch ms). */
  trend24h: z.array(z.object({ start: z.number(), received: z.number(), resolved: z.number() })),
  /** Daily buckets of the last 7 days (local days), oldest first. */
  trend7d: z.array(z.object({ start: z.number(), received: z.number(), resolved: z.number() })),
  cameras: z.object({
    total: z.number().int().nonnegative(),
    online: z.number().int().nonnegative(),
    offline: z.number().int().nonnegative(),
    fault: z.number().int().nonnegative(),
    stale: z.number().int().nonnegative(),
    /** 完好率 per child region, worst first. */
    byRegion: z.array(
      z.object({ code: z.string(), name: z.string(), total: z.number(), online: z.number() }),
    ),
  }),
  vehicles: z.object({
    total: z.number().int().nonnegative(),
    onDuty: z.number().int().nonnegative(),
    /** En route to an incident. */
    responding: z.number().int().nonnegative(),
    /** At an incident. */
    onScene: z.number().int().nonnegative(),
    patrol: z.number().int().nonnegative(),
    idle: z.number().int().nonnegative(),
    offline: z.number().int().nonnegative(),
  }),
  workers: z.object({ total: z.number().int().nonnegative(), onDuty: z.number().int().nonnegative() }),
  /** Child regions (or grids at community level) by open incidents, most first. */
  ranking: z.array(
    z.object({
      code: z.string(),
      name: z.string(),
      open: z.number(),
      overdue: z.number(),
      resolveRate: z.number().nullable(),
    }),
  ),
  /**
   * Exactly the incidents the 超时 and 督办 counts count (lib/wall/work-lists.ts `isOnOverdueList`), overdue
   * first; bounded by OVERDUE_LIST_MAX. A supervised item's own lamp may be yellow (预警) or green.
   */
  overdueList: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      category: z.enum(INCIDENT_CATEGORIES),
      priority: z.number().int(),
      lamp: z.enum(['none', 'green', 'yellow', 'red']),
      supervision: z.number().int().min(0).max(3),
      receivedAt: z.number(),
      regionName: z.string().nullable(),
    }),
  ),
  /** How many incidents the list would hold without its bound. */
  overdueListTotal: z.number().int().nonnegative(),
  /** 部门报到: per department handed incidents in the period, 报到率 and 按时办结率 (docs/kpis.md). */
  departments: z.array(DepartmentStatSchema).max(DEPT_STATS_MAX).optional(),
});
export type WallStats = z.infer<typeof WallStatsSchema>;

/** Parses what arrived on the wire; null (and the panels show "—") when it does not fit the schema. */
export function parseWallStats(raw: unknown): WallStats | null {
  const r = WallStatsSchema.safeParse(raw);
  return r.success ? r.data : null;
}

/** A ratio for display: "95.9%", or "—" when there is nothing to divide. */
export function formatRate(rate: number | null, digits = 1): string {
  return rate === null ? '—' : `${(rate * 100).toFixed(digits)}%`;
}
