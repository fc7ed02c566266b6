/**
 * Panel statistics for one wall scope (a region, or the whole territory) over one period. The server
 * computes them every few seconds per scope in use and ships them in `WireBatch.stats`; the wall validates
 * them with this schema and hands them to the pure option builders in lib/wall/charts.
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

const RegionRef = z.object({ code: z.string(), name: z.string(), level: z.string() });
export type RegionRef = z.infer<typeof RegionRef>;

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
    resolveRate: z.number().min(0).max(1).nullable(),
    onTimeRate: z.number().min(0).max(1).nullable(),
    critical: z.number().int().nonnegative(),
  }),
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
    responding: z.number().int().nonnegative(),
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
  /** Overdue and supervised (督办) incidents, worst first; bounded by STATS_LIST_MAX. */
  overdueList: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      category: z.enum(INCIDENT_CATEGORIES),
      priority: z.number().int(),
      lamp: z.enum(['yellow', 'red']),
      supervision: z.number().int().min(0).max(3),
      receivedAt: z.number(),
      regionName: z.string().nullable(),
    }),
  ),
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
