/**
 * Panel statistics for one wall scope (DESIGN §1: today's counts, 办结率, 按时办结率, categories, trends, camera
 * 完好率, patrol units, ranking, 督办 list). History comes from the system of record (SqlDb: SQLite or
 * PostgreSQL, the same figures from either); "now" (open, overdue, cameras, units) from the live state, so
 * the numbers match what the map draws.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Clock } from '@/lib/clock';
import { CAMERA_STATUSES, INCIDENT_CATEGORIES, VEHICLE_STATUSES, WORKER_STATUSES } from '@/lib/domain/enums';
import { regionPrefix } from '@/lib/domain/region-code';
import { activeTimeLimits, limitsFor, timeLimitStatus, type TimeLimitConfig } from '@/lib/domain/time-limits';
import { STALE_AFTER_MS } from '@/lib/realtime/contract';
import { OVERDUE_LIST_MAX, STATS_LIST_MAX, type WallPeriod, type WallStats } from '@/lib/wall/stats';
import {
  compareOverdueItems,
  isOnOverdueList,
  isOpenWork,
  isOverdue,
  isSupervised,
  isWarning,
} from '@/lib/wall/work-lists';
import type { SqlRunner } from '../db/sql-db';
import type { LiveState } from '../live/live-state';
import { pathTo, regionIndex, type RegionNode } from './region-index';
import { DEFAULT_DISPLAY_TZ } from '@/lib/time/display-time';
import { compareWindows, periodStart, trendBuckets } from './periods';
import { departmentStats } from './department-stats';
import { incidentPressureScore, safetyIndex } from './safety-index';

const HOUR_MS = 3_600_000;
/** Sources that count as found by the centre's own eyes (主动发现): grid workers, video patrol, sensors. */
const PROACTIVE_SOURCES: ReadonlySet<string> = new Set(['grid_worker', 'video_patrol', 'sensor']);
/** A 回访 answer of this or more is 满意 (5 非常满意, 4 满意; 3 基本满意 is not counted as satisfied). */
const SATISFIED_MIN = 4;

export interface WallStatsInput {
  sql: SqlRunner;
  live: LiveState;
  clock: Clock;
  /** null: the whole territory. */
  regionCode: string | null;
  period: WallPeriod;
  limits?: TimeLimitConfig;
  /** DISPLAY_TZ: where 今日 and the trend's days begin (China Standard Time by default). */
  tz?: string;
  /**
   * Incidents received at or after this instant (epoch ms) are left out: a briefing report for a past day
   * runs this with its clock at the day's end and `until` at the next midnight (server/reports).
   */
  until?: number;
}

interface PeriodRow {
  prefix: string | null;
  category: string;
  priority: number;
  state: string;
  source: string;
  satisfaction: number | null;
  receivedAt: number;
  resolvedAt: number | null;
}

/** When the incident got resolved (the first transition to resolved; else its close or last update). */
const RESOLVED_AT = sql`CASE WHEN state IN ('resolved', 'closed') THEN COALESCE(
    (SELECT MIN(e.at) FROM incident_events e WHERE e.incident_id = i.id AND e.to_state = 'resolved'),
    closed_at, updated_at) END`;

/** Incidents in the scope (prefix '': the whole territory, incidents outside every grid included). */
const inRegion = (prefix: string): SQL => (prefix === '' ? sql`` : sql` AND grid_code LIKE ${`${prefix}%`}`);

export async function computeWallStats(input: WallStatsInput): Promise<WallStats> {
  const { sql: db, live, clock, regionCode, period } = input;
  const limits = input.limits ?? activeTimeLimits(); // the configured ones (admin → 时限设置)
  const now = clock.now();
  const idx = await regionIndex(db, now, live);
  const node = regionCode ? (idx.byCode.get(regionCode) ?? null) : idx.top;
  const prefix = node ? regionPrefix(node.code) : '';
  const children: RegionNode[] = node
    ? (idx.childrenOf.get(node.code) ?? [])
    : (idx.childrenOf.get(null) ?? []);
  // Children are told apart by the prefix of their own level (a grid: all 15 digits).
  const childLen = children[0] ? regionPrefix(children[0].code).length : 0;
  const childOf = (gridCode: string | null): RegionNode | undefined =>
    gridCode && childLen ? childByPrefix.get(gridCode.slice(0, childLen)) : undefined;
  const childByPrefix = new Map(children.map((c) => [regionPrefix(c.code), c]));
  const inScope = (gridCode: string | null | undefined): boolean =>
    prefix === '' || (!!gridCode && gridCode.startsWith(prefix));

  // History: everything received since the earliest of the period and the 7-day trend.
  const tz = input.tz ?? DEFAULT_DISPLAY_TZ;
  const start = periodStart(period, now, tz);
  const trend = trendBuckets(now, tz);
  const since = Math.min(start, trend.days[0]!, trend.hours[0]!);
  const until = input.until ?? Number.MAX_SAFE_INTEGER;
  const rows = await db.all<PeriodRow>(
    sql`SELECT substr(grid_code, 1, ${Math.max(childLen, 1)}) AS prefix, category, priority, state, source,
          satisfaction, received_at AS "receivedAt", ${RESOLVED_AT} AS "resolvedAt"
        FROM incidents i WHERE received_at >= ${since} AND received_at < ${until}${inRegion(prefix)}`,
  );

  const kpi = { received: 0, resolved: 0, resolvedOnTime: 0 };
  const more = {
    closed: 0,
    cancelled: 0,
    proactive: 0,
    rated: 0,
    satisfied: 0,
    disputes: 0,
    disputesCancelled: 0,
    disputesResolved: 0,
  };
  const byCategory = new Map<string, number>();
  const hours = trend.hours.map((s) => ({ start: s, received: 0, resolved: 0 }));
  const days = trend.days.map((s) => ({ start: s, received: 0, resolved: 0 }));
  const childPeriod = new Map<string, { received: number; resolved: number }>();
  const bucket = (list: { start: number }[], t: number): number => {
    for (let k = list.length - 1; k >= 0; k--) if (t >= list[k]!.start) return k;
    return -1;
  };
  for (const r of rows) {
    const isResolved = r.resolvedAt !== null;
    if (r.receivedAt >= start) {
      kpi.received++;
      byCategory.set(r.category, (byCategory.get(r.category) ?? 0) + 1);
      if (r.state === 'closed') more.closed++;
      if (r.state === 'cancelled') more.cancelled++;
      if (PROACTIVE_SOURCES.has(r.source)) more.proactive++;
      if (r.satisfaction !== null) {
        more.rated++;
        if (r.satisfaction >= SATISFIED_MIN) more.satisfied++;
      }
      if (r.category === 'dispute') {
        more.disputes++;
        if (r.state === 'cancelled') more.disputesCancelled++;
        if (isResolved) more.disputesResolved++;
      }
      const resolveLimit = limitsFor(limits, r.priority, r.category).resolve;
      if (isResolved) {
        kpi.resolved++;
        if (resolveLimit === null || r.resolvedAt! - r.receivedAt <= resolveLimit) kpi.resolvedOnTime++;
      }
      if (r.prefix) {
        const c = childPeriod.get(r.prefix) ?? { received: 0, resolved: 0 };
        c.received++;
        if (isResolved) c.resolved++;
        childPeriod.set(r.prefix, c);
      }
    }
    const h = bucket(hours, r.receivedAt);
    if (h >= 0) hours[h]!.received++;
    const d = bucket(days, r.receivedAt);
    if (d >= 0) days[d]!.received++;
    // Resolved after `now` happens only when a report runs this as of a past instant: not in that trend.
    if (isResolved && r.resolvedAt! <= now) {
      const hr = bucket(hours, r.resolvedAt!);
      if (hr >= 0 && r.resolvedAt! > now - 24 * HOUR_MS) hours[hr]!.resolved++;
      const dr = bucket(days, r.resolvedAt!);
      if (dr >= 0) days[dr]!.resolved++;
    }
  }

  // Now: the live board. 在办 is open work (not yet 办结); 超时, 督办 and the list share lib/wall/work-lists.
  let open = 0;
  let overdue = 0;
  let supervised = 0;
  let critical = 0;
  let warning = 0;
  const childOpen = new Map<string, { open: number; overdue: number }>();
  const overdueList: WallStats['overdueList'] = [];
  /** Vehicles an open incident holds: dispatch's record, whatever the unit's last report said. */
  const engaged = new Map<string, 'responding' | 'on_scene'>();
  for (const v of live.incidents.values()) {
    if (v.assigneeKind === 'vehicle' && v.assigneeId) {
      if (v.state === 'dispatched') engaged.set(v.assigneeId, 'responding');
      else if (v.state === 'on_scene') engaged.set(v.assigneeId, 'on_scene');
    }
    if (!inScope(v.gridCode) && !(prefix.length < 6 && v.gridCode === null)) continue;
    const lamp = timeLimitStatus(v, now, limits).lamp;
    const isOpen = isOpenWork(v.state);
    if (isOpen) open++;
    if (isOpen && v.priority === 1) critical++;
    if (isSupervised(v.supervision)) supervised++;
    if (isOverdue(lamp)) overdue++;
    else if (isWarning(lamp)) warning++;
    const child = childOf(v.gridCode);
    if (child && isOpen) {
      const c = childOpen.get(child.code) ?? { open: 0, overdue: 0 };
      c.open++;
      if (isOverdue(lamp)) c.overdue++;
      childOpen.set(child.code, c);
    }
    if (isOnOverdueList(lamp, v.supervision)) {
      overdueList.push({
        id: v.id,
        title: v.title,
        category: v.category,
        priority: v.priority,
        lamp,
        supervision: v.supervision,
        receivedAt: v.receivedAt,
        regionName: child?.name ?? null,
      });
    }
  }
  overdueList.sort(compareOverdueItems);

  // 环比 / 同比: the same elapsed time of the previous period and of this period a year ago, where the
  // database reaches back that far (otherwise null, shown as "—", never a made-up 0).
  const windows = compareWindows(period, now, tz);
  // The earliest report on record (indexed): a comparison window before it has no history to compare.
  const earliest =
    (await db.get<{ t: number | null }>(sql`SELECT MIN(reported_at) AS t FROM incidents`))?.t ?? null;
  // Incidents received in the two comparison windows (环比, 同比), with when they got resolved.
  const compareRows = await db.all<{ receivedAt: number; resolvedAt: number | null }>(
    sql`SELECT received_at AS "receivedAt", ${RESOLVED_AT} AS "resolvedAt" FROM incidents i
        WHERE ((received_at >= ${windows.mom[0]} AND received_at < ${windows.mom[1]})
          OR (received_at >= ${windows.yoy[0]} AND received_at < ${windows.yoy[1]}))${inRegion(prefix)}`,
  );
  const inWindow = (w: [number, number]) => {
    if (earliest === null || earliest > w[0]) return { received: null, resolved: null };
    let received = 0;
    let resolved = 0;
    for (const r of compareRows) {
      if (r.receivedAt < w[0] || r.receivedAt >= w[1]) continue;
      received++;
      if (r.resolvedAt !== null && r.resolvedAt < w[1]) resolved++;
    }
    return { received, resolved };
  };
  const mom = inWindow(windows.mom);
  const yoy = inWindow(windows.yoy);

  // Per grid, once: in scope? which child? Then the device loops below are pure array lookups.
  const gridInScope = new Uint8Array(idx.gridCodes.length);
  const gridChild = new Int32Array(idx.gridCodes.length).fill(-1);
  const childIdx = new Map(children.map((c, k) => [c.code, k]));
  idx.gridCodes.forEach((g, k) => {
    gridInScope[k] = inScope(g) ? 1 : 0;
    const c = childOf(g);
    if (c) gridChild[k] = childIdx.get(c.code)!;
  });
  // Devices in no grid (registered by their first report) count for the whole territory only.
  const isWhole = prefix === '';
  const cameras = countCameras(live, idx.cameraGrid, gridInScope, gridChild, children, now, isWhole);
  const vehicles = countVehicles(live, node, now, engaged);
  const workers = countWorkers(live, idx.workerGrid, gridInScope, now, isWhole);

  const ranking = children
    .map((c) => {
      const o = childOpen.get(c.code);
      const p = childPeriod.get(regionPrefix(c.code));
      return {
        code: c.code,
        name: c.name,
        open: o?.open ?? 0,
        overdue: o?.overdue ?? 0,
        resolveRate: p && p.received > 0 ? p.resolved / p.received : null,
      };
    })
    .sort((a, b) => b.open - a.open || b.overdue - a.overdue || a.code.localeCompare(b.code))
    .slice(0, STATS_LIST_MAX);

  const ratio = (n: number, d: number) => (d > 0 ? n / d : null);
  const rates = {
    resolveRate: ratio(kpi.resolved, kpi.received),
    onTimeRate: ratio(kpi.resolvedOnTime, kpi.resolved),
    closedLoopRate: ratio(more.closed, kpi.received - more.cancelled),
    proactiveRate: ratio(more.proactive, kpi.received),
    satisfactionRate: ratio(more.satisfied, more.rated),
    disputeResolveRate: ratio(more.disputesResolved, more.disputes - more.disputesCancelled),
    workerOnlineRate: ratio(workers.onDuty, workers.total),
  };
  // The index's rates look at least a week back: "today" at 01:00 has closed nothing yet, and a leader's
  // index must not read red every night (docs/kpis.md).
  const indexStart = Math.min(start, periodStart('7d', now, tz));
  const indexRates = indexStart < start ? handlingRates(rows, indexStart, limits) : rates;
  const index = safetyIndex({
    closedLoopRate: indexRates.closedLoopRate,
    onTimeRate: indexRates.onTimeRate,
    satisfactionRate: indexRates.satisfactionRate,
    disputeResolveRate: indexRates.disputeResolveRate,
    proactiveRate: indexRates.proactiveRate,
    incidentPressure: incidentPressureScore(kpi.received, mom.received),
  });

  const ref = (n: RegionNode) => ({ code: n.code, name: n.name, level: n.level });
  return {
    at: now,
    period,
    periodStart: start,
    region: {
      code: regionCode ? (node?.code ?? regionCode) : null,
      name: regionCode ? (node?.name ?? regionCode) : idx.worldName,
      level: node?.level ?? 'territory',
      path:
        regionCode && node
          ? pathTo(idx, node.code)
              .filter((n) => n !== idx.top && isBelowTop(idx.top, n))
              .map(ref)
          : [],
    },
    children: children.map(ref),
    kpi: {
      ...kpi,
      open,
      overdue,
      supervised,
      critical,
      warning,
      rated: more.rated,
      ...rates,
      safetyIndex: index,
    },
    compare: {
      received: { mom: mom.received, yoy: yoy.received },
      resolved: { mom: mom.resolved, yoy: yoy.resolved },
    },
    byCategory: INCIDENT_CATEGORIES.map((category) => ({ category, count: byCategory.get(category) ?? 0 }))
      .filter((c) => c.count > 0)
      .sort((a, b) => b.count - a.count),
    trend24h: hours,
    trend7d: days,
    cameras,
    vehicles,
    workers,
    ranking,
    overdueList: overdueList.slice(0, OVERDUE_LIST_MAX),
    overdueListTotal: overdueList.length,
    departments: await departmentStats(db, { prefix, since: start, until: input.until, now, limits }),
  };
}

/** The handling rates (as in the KPI board) over the incidents received since `from`. */
function handlingRates(rows: PeriodRow[], from: number, limits: TimeLimitConfig) {
  let received = 0;
  let resolved = 0;
  let onTime = 0;
  let closed = 0;
  let cancelled = 0;
  let proactive = 0;
  let rated = 0;
  let satisfied = 0;
  let disputes = 0;
  let disputesOut = 0;
  let disputesResolved = 0;
  for (const r of rows) {
    if (r.receivedAt < from) continue;
    received++;
    if (r.resolvedAt !== null) {
      resolved++;
      const limit = limitsFor(limits, r.priority, r.category).resolve;
      if (limit === null || r.resolvedAt - r.receivedAt <= limit) onTime++;
    }
    if (r.state === 'closed') closed++;
    if (r.state === 'cancelled') cancelled++;
    if (PROACTIVE_SOURCES.has(r.source)) proactive++;
    if (r.satisfaction !== null) {
      rated++;
      if (r.satisfaction >= SATISFIED_MIN) satisfied++;
    }
    if (r.category === 'dispute') {
      disputes++;
      if (r.state === 'cancelled') disputesOut++;
      if (r.resolvedAt !== null) disputesResolved++;
    }
  }
  const ratio = (n: number, d: number) => (d > 0 ? n / d : null);
  return {
    onTimeRate: ratio(onTime, resolved),
    closedLoopRate: ratio(closed, received - cancelled),
    proactiveRate: ratio(proactive, received),
    satisfactionRate: ratio(satisfied, rated),
    disputeResolveRate: ratio(disputesResolved, disputes - disputesOut),
  };
}

/** The breadcrumb starts below the node the whole-territory wall already stands for. */
function isBelowTop(top: RegionNode | null, n: RegionNode): boolean {
  return !top || (n.code !== top.code && n.code.startsWith(regionPrefix(top.code)));
}

function countCameras(
  live: LiveState,
  cameraGrid: Int32Array,
  gridInScope: Uint8Array,
  gridChild: Int32Array,
  children: RegionNode[],
  now: number,
  isWhole: boolean,
): WallStats['cameras'] {
  const store = live.camera;
  const ONLINE = CAMERA_STATUSES.indexOf('online');
  const FAULT = CAMERA_STATUSES.indexOf('fault');
  const out = { total: 0, online: 0, offline: 0, fault: 0, stale: 0 };
  const perTotal = new Uint32Array(children.length);
  const perOnline = new Uint32Array(children.length);
  for (let i = 0; i < store.count; i++) {
    if (store.isDisabled[i] === 1) continue; // disabled by an administrator: off the wall, not "offline"
    const g = i < cameraGrid.length ? cameraGrid[i]! : -1;
    if (g < 0 ? !isWhole : gridInScope[g] === 0) continue;
    out.total++;
    const isStale = !(now - store.ts[i]! <= STALE_AFTER_MS.camera);
    const st = store.status[i]!;
    // A camera that reported "online" long ago is not online: stale is counted apart (DESIGN §2).
    const isOnline = !isStale && st === ONLINE;
    if (isOnline) out.online++;
    else if (st === FAULT) out.fault++;
    else if (isStale && st === ONLINE) out.stale++;
    else out.offline++;
    const c = gridChild[g]!;
    if (c >= 0) {
      perTotal[c]!++;
      if (isOnline) perOnline[c]!++;
    }
  }
  const byRegion = children
    .map((c, k) => ({ code: c.code, name: c.name, total: perTotal[k]!, online: perOnline[k]! }))
    .filter((r) => r.total > 0)
    .sort((a, b) => a.online / a.total - b.online / b.total)
    .slice(0, STATS_LIST_MAX);
  return { ...out, byRegion };
}

/**
 * Units by what they are doing now. A unit an open incident holds (dispatched → 出警, on scene → 到场) counts
 * so whatever its terminal last reported: dispatch's record is the truth the console acts on, and a terminal
 * (or the demo's simulator) that keeps saying "patrol" must not make the panel read all-patrol.
 */
function countVehicles(
  live: LiveState,
  node: RegionNode | null,
  now: number,
  engaged: ReadonlyMap<string, 'responding' | 'on_scene'>,
): WallStats['vehicles'] {
  const s = live.vehicle;
  const b = node?.bbox ?? null;
  const code = (k: (typeof VEHICLE_STATUSES)[number]) => VEHICLE_STATUSES.indexOf(k);
  const out = { total: 0, onDuty: 0, responding: 0, onScene: 0, patrol: 0, idle: 0, offline: 0 };
  // Index → engagement, looked up once per engaged unit rather than per unit.
  const held = new Map<number, 'responding' | 'on_scene'>();
  for (const [id, st] of engaged) {
    const i = s.indexOf(id);
    if (i !== undefined) held.set(i, st);
  }
  for (let i = 0; i < s.count; i++) {
    if (s.isDisabled[i] === 1) continue; // disabled by an administrator: off the wall, not "offline"
    const lng = s.lng[i]!;
    const lat = s.lat[i]!;
    // Vehicles move between regions: a scoped wall counts those inside its box now (what its map shows).
    if (b && !(lng >= b[0] && lng <= b[2] && lat >= b[1] && lat <= b[3])) continue;
    out.total++;
    const st = s.status[i]!;
    const hold = held.get(i);
    if (st === code('offline') || !(now - s.ts[i]! <= STALE_AFTER_MS.vehicle)) out.offline++;
    else {
      out.onDuty++;
      if (hold === 'on_scene' || (!hold && st === code('on_scene'))) out.onScene++;
      else if (hold === 'responding' || st === code('responding')) out.responding++;
      else if (st === code('idle')) out.idle++;
      else out.patrol++;
    }
  }
  return out;
}

function countWorkers(
  live: LiveState,
  workerGrid: Int32Array,
  gridInScope: Uint8Array,
  now: number,
  isWhole: boolean,
): WallStats['workers'] {
  const s = live.worker;
  const ON = WORKER_STATUSES.indexOf('on_duty');
  let total = 0;
  let onDuty = 0;
  for (let i = 0; i < s.count; i++) {
    if (s.isDisabled[i] === 1) continue; // disabled by an administrator: not on the roster the wall counts
    const g = i < workerGrid.length ? workerGrid[i]! : -1;
    if (g < 0 ? !isWhole : gridInScope[g] === 0) continue;
    total++;
    if (s.status[i] === ON && now - s.ts[i]! <= STALE_AFTER_MS.worker) onDuty++;
  }
  return { total, onDuty };
}
