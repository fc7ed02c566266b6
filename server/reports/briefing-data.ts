/**
 * Everything one briefing report shows, gathered in one pass over the database and the live state. The KPIs are
 * `computeWallStats` itself (what /api/wall/stats answers), run with its clock at the period's end (or now,
 * for a period still running) and bounded at the period's end; nothing here recounts them another way.
 * What only exists "now" (在办, 超时, 督办 and their list) comes from the live board at generation time and
 * the report says so.
 */
import type { Clock } from '@/lib/clock';
import { regionPrefix } from '@/lib/domain/region-code';
import type { TimeLimitConfig } from '@/lib/domain/time-limits';
import {
  formatLocalDate,
  reportWindow,
  WALL_PERIOD_OF,
  type LocalDate,
  type ReportPeriod,
} from '@/lib/reports/report-period';
import { offsetMinutes } from '@/lib/time/display-time';
import type { WallStats } from '@/lib/wall/stats';
import { sql, type SQL } from 'drizzle-orm';
import type { SqlDb, SqlRunner } from '../db/sql-db';
import type { LiveState } from '../live/live-state';
import { computeWallStats } from '../stats/wall-stats';

/** Incident points drawn on the report's map: enough to show where things happen, bounded for file size. */
export const MAP_POINTS_MAX = 4_000;
/** Rows of the top-grids table. */
export const TOP_GRIDS_MAX = 8;

export interface BriefingDeps {
  /** The system of record: the wall's figures and everything else the report reads. */
  sql: SqlDb;
  live: LiveState;
  clock: Clock;
  tz: string;
  limits?: TimeLimitConfig;
}

export interface BriefingData {
  period: ReportPeriod;
  date: LocalDate;
  /** [start, end) of the period. */
  window: [number, number];
  /** The instant the period's figures are as of: its end, or now while it runs. */
  asOf: number;
  generatedAt: number;
  /** Period figures (same function and inputs as /api/wall/stats at `asOf`). */
  stats: WallStats;
  /** The live board at generation time: 在办, 超时, 督办 and the 超时督办 list. */
  board: WallStats;
  /** Received / resolved per bucket (hours of a day, else days of the period), oldest first. */
  trend: { label: string; received: number; resolved: number }[];
  topGrids: { code: string; name: string; community: string | null; count: number }[];
  /** Area outlines (GeoJSON geometries, WGS-84) of the scope's children (or its grids at community level). */
  areas: { name: string; geometry: unknown }[];
  points: { lng: number; lat: number; priority: number }[];
  pointsTotal: number;
}

const DAY_MS = 86_400_000;

export async function collectBriefing(
  deps: BriefingDeps,
  regionCode: string | null,
  period: ReportPeriod,
  date: LocalDate,
): Promise<BriefingData> {
  const now = deps.clock.now();
  const offsetMs = offsetMinutes(now, deps.tz) * 60_000;
  const window = reportWindow(period, date, offsetMs);
  const asOf = Math.min(now, window[1] - 1);
  const base = { sql: deps.sql, live: deps.live, regionCode, limits: deps.limits, tz: deps.tz };
  const stats = await computeWallStats({
    ...base,
    period: WALL_PERIOD_OF[period],
    clock: { now: () => asOf },
    until: window[1],
  });
  const board =
    asOf === now ? stats : await computeWallStats({ ...base, period: 'today', clock: deps.clock });
  const scope: BriefingScope = {
    from: window[0],
    to: Math.min(window[1], asOf + 1),
    prefix: stats.region.code ? regionPrefix(stats.region.code) : '',
  };

  const trend =
    period === 'day'
      ? stats.trend24h.map((b) => ({
          label: `${new Date(b.start + offsetMs).getUTCHours()}时`,
          received: b.received,
          resolved: b.resolved,
        }))
      : period === 'week'
        ? stats.trend7d.map((b) => ({ label: dayLabel(b.start, offsetMs), ...counts(b) }))
        : await dailyTrend(deps.sql, scope, window, offsetMs, asOf);
  const rows = await briefingRows(
    deps.sql,
    scope,
    stats.region.code,
    stats.children.map((c) => c.code),
  );

  return { period, date, window, asOf, generatedAt: now, stats, board, trend, ...rows };
}

/** Incidents received in [from, to) inside the scope (prefix '': the whole territory). */
export interface BriefingScope {
  from: number;
  to: number;
  prefix: string;
}

function scoped(s: BriefingScope, column = sql`grid_code`): SQL {
  // The whole territory takes no LIKE at all (its incidents outside every grid count too).
  const inRegion = s.prefix === '' ? sql`` : sql` AND ${column} LIKE ${`${s.prefix}%`}`;
  return sql`received_at >= ${s.from} AND received_at < ${s.to}${inRegion}`;
}

/**
 * What the report reads from the system of record besides the wall's figures: top grids, the areas drawn,
 * and the incident points (bounded). `childCodes`: the scope's children, whose outlines are drawn.
 */
export async function briefingRows(
  db: SqlRunner,
  scope: BriefingScope,
  regionCode: string | null,
  childCodes: readonly string[],
): Promise<Pick<BriefingData, 'topGrids' | 'areas' | 'points' | 'pointsTotal'>> {
  // The grid's and community's names are grouped on too: PostgreSQL will not pick them from a group by itself.
  const topGrids = await db.all<{
    code: string;
    name: string | null;
    community: string | null;
    count: number;
  }>(
    sql`SELECT i.grid_code AS code, g.name AS name, r.name AS community, COUNT(*) AS count FROM incidents i
        LEFT JOIN grids g ON g.code = i.grid_code LEFT JOIN regions r ON r.code = g.community_code
        WHERE ${scoped(scope, sql`i.grid_code`)} AND i.grid_code IS NOT NULL
        GROUP BY i.grid_code, g.name, r.name ORDER BY count DESC, i.grid_code
        LIMIT ${TOP_GRIDS_MAX}`,
  );

  const codes = sql.join(
    childCodes.map((c) => sql`${c}`),
    sql`, `,
  );
  const areaRows = childCodes.length
    ? await db.all<{ name: string; geometry: string }>(
        sql`SELECT name, geometry FROM regions WHERE geometry IS NOT NULL AND code IN (${codes})
            UNION ALL SELECT name, geometry FROM grids WHERE code IN (${codes})`,
      )
    : [];
  if (areaRows.length === 0 && regionCode) {
    // A scope with no drawn children (a grid, or a region without child outlines): its own outline.
    const own = await db.all<{ name: string; geometry: string }>(
      sql`SELECT name, geometry FROM regions WHERE code = ${regionCode} AND geometry IS NOT NULL
          UNION ALL SELECT name, geometry FROM grids WHERE code = ${regionCode}`,
    );
    areaRows.push(...own);
  }
  const areas = areaRows.flatMap((r) => {
    try {
      return [{ name: r.name, geometry: JSON.parse(r.geometry) as unknown }];
    } catch {
      return []; // a broken stored outline is left off the map, never fatal to the report
    }
  });

  const total = await db.get<{ n: number }>(sql`SELECT COUNT(*) AS n FROM incidents WHERE ${scoped(scope)}`);
  // Most urgent first, so a bounded map never drops a 特急 incident for a routine one; the id settles ties,
  // so the bound keeps the same points on either engine.
  const points = await db.all<{ lng: number; lat: number; priority: number }>(
    sql`SELECT lng, lat, priority FROM incidents WHERE ${scoped(scope)}
        ORDER BY priority, received_at, id LIMIT ${MAP_POINTS_MAX}`,
  );

  return {
    topGrids: topGrids.map((g) => ({ ...g, name: g.name ?? g.code })),
    areas,
    points,
    pointsTotal: total?.n ?? 0,
  };
}

function counts(b: { received: number; resolved: number }) {
  return { received: b.received, resolved: b.resolved };
}

function dayLabel(t: number, offsetMs: number): string {
  const d = new Date(t + offsetMs);
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}`;
}

/** Received and resolved per local day of a 旬 or month (the wall's trend only reaches back 7 days). */
export async function dailyTrend(
  db: SqlRunner,
  scope: BriefingScope,
  window: [number, number],
  offsetMs: number,
  asOf: number,
): Promise<BriefingData['trend']> {
  // Days not yet begun are left off: a running month's chart must not draw a flat line into the future.
  const days = Math.min(
    Math.round((window[1] - window[0]) / DAY_MS),
    Math.floor((asOf - window[0]) / DAY_MS) + 1,
  );
  const out = Array.from({ length: days }, (_, k) => ({
    label: dayLabel(window[0] + k * DAY_MS, offsetMs),
    received: 0,
    resolved: 0,
  }));
  const rows = await db.all<{ r: number; done: number }>(
    sql`SELECT received_at AS r, CASE WHEN state IN ('resolved', 'closed') THEN 1 ELSE 0 END AS done FROM incidents
        WHERE ${scoped(scope)}`,
  );
  for (const row of rows) {
    const k = Math.floor((row.r - window[0]) / DAY_MS);
    const b = out[k];
    if (!b) continue;
    b.received++;
    b.resolved += row.done;
  }
  return out;
}

export const briefingDateText = (d: BriefingData) => formatLocalDate(d.date);
