import { sql } from 'drizzle-orm';
import Flatbush from 'flatbush';
import { Registry } from 'prom-client';
import { FakeClock } from '@/lib/clock';
import type { IncidentState } from '@/lib/domain/enums';
import type { Assignee, IncidentCommand } from '@/lib/domain/incident-lifecycle';
import {
  DEFAULT_TIME_LIMITS,
  limitsFor,
  timeLimitStatus,
  type TimeLimitConfig,
} from '@/lib/domain/time-limits';
import { Rng } from '@/lib/world/rng';
import { SqlAudit } from '../audit/audit-append';
import type { SqlDb, SqlRunner } from '../db/sql-db';
import { dispatchLiveFrom } from '../dispatch/dispatch-module';
import { DispatchService } from '../dispatch/dispatch-service';
import { loadDepartmentFinder } from '../dispatch/recommend';
import type { Principal } from '../http/router';
import { IncidentIngest } from '../ingest/incident-ingest';
import { IngestStats } from '../ingest/ingest-stats';
import { GridLocator } from '../live/grid-locator';
import { LiveState } from '../live/live-state';
import type { Logger } from '../logger';
import { EventQueue } from './event-queue';
import { hourlyFactor, IncidentGenerator, poisson } from './incident-generator';
import { planHandling, type AssigneeChoice, type HandlingPlan } from './history-plan';
import { loadSimWorld, type SimWorld, type SimWorldLimits } from './sim-world';

/**
 * Demo history backfill: on the first demo start, plays the past days through the real paths, so the wall
 * opens on a believable week instead of empty panels. Reports come from the simulator's own incident model
 * and go through IncidentIngest; their handling goes through the audited DispatchService. Both are built
 * here around a replay clock that is moved from event to event, so received_at, the timeline, the audit
 * rows (hash-chained as ever) and the time limits all carry the historical times. Nothing is written
 * after `now`: a case whose next step falls later simply stays open, as it would be on a real wall.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/**
 * A real district takes ~150–350 grid matters plus ~300–600 12345 orders a day; the demo plays ~200 so
 * start-up stays short on a small machine while the panels look like a working centre's.
 */
export const HISTORY_INCIDENTS_PER_DAY = 200;
/** Day-to-day swing of the volume (weather, weekdays), ± this share. */
const DAY_SWING = 0.15;
/** A report reaches the centre this long after it was made (s): 12345 operators type, apps upload. */
const REPORT_LAG_S = [5, 90] as const;
export const HISTORY_INGEST_PATH = 'demo:history';
/** Marks every backfilled audit row, so an auditor tells replayed history from live actions. */
export const HISTORY_CLIENT_ADDRESS = 'demo-history';
/** The dispatcher the live demo plays, and the demo's leader account for 督办. */
const DISPATCHER: Principal = { username: 'simulator', role: 'dispatcher', isDisplay: false };
const LEADER: Principal = { username: 'leader', role: 'leader', isDisplay: false };
const ENDED: ReadonlySet<string> = new Set(['resolved', 'closed', 'cancelled']);
// The kind clause matches the engaged-unit index's condition, so this is an index lookup, not a scan of
// every open case (thousands at province scale, asked once per candidate unit).
const isEngaged = async (db: SqlRunner, a: Assignee): Promise<boolean> =>
  (await db.get(
    sql`SELECT 1 AS one FROM incidents
        WHERE assignee_kind = ${a.kind} AND assignee_id = ${a.id} AND state IN ('dispatched', 'on_scene')
          AND assignee_kind IN ('vehicle', 'worker')`,
  )) !== undefined;

export interface BackfillOptions {
  db: SqlDb;
  logger: Logger;
  /** Days of history before `now`; 0 disables. */
  days: number;
  now: number;
  seed?: string;
  incidentsPerDay?: number;
  limits?: TimeLimitConfig;
  /** What of the world to load (a province seed needs no camera list to play its incidents). */
  worldLimits?: SimWorldLimits;
}

export interface BackfillResult {
  isSkipped: boolean;
  incidents: number;
  /** Received per day, oldest first (the last entry is today's part-day). */
  perDay: number[];
  open: number;
  closed: number;
  cancelled: number;
  /** Resolved after the resolve limit, or still open with a red lamp at `now`. */
  overdue: number;
  commands: number;
  /** Steps the dispatch service refused (none expected; a refusal is audited like any other). */
  refused: number;
  /** Assignments with nobody to send (none expected: every category has a department). */
  stalled: number;
  auditRows: number;
  elapsedMs: number;
}

type QueueEvent =
  | { at: number; kind: 'arrive' }
  | { at: number; kind: 'step'; id: string; plan: HandlingPlan; index: number }
  | { at: number; kind: 'supervise'; id: string; level: number; note: string };

interface Placed {
  category: string;
  gridCode: string | null;
  lng: number;
  lat: number;
}

const SKIPPED: BackfillResult = {
  isSkipped: true,
  incidents: 0,
  perDay: [],
  open: 0,
  closed: 0,
  cancelled: 0,
  overdue: 0,
  commands: 0,
  refused: 0,
  stalled: 0,
  auditRows: 0,
  elapsedMs: 0,
};

/** Runs once: does nothing when `days` is 0, when any incident exists, or when no demo world is seeded. */
export async function backfillDemoHistory(o: BackfillOptions): Promise<BackfillResult> {
  const started = performance.now();
  if (o.days <= 0 || (await o.db.get(sql`SELECT 1 AS one FROM incidents LIMIT 1`))) return SKIPPED;
  const world = await loadSimWorld(o.db, o.worldLimits);
  if (!world) {
    o.logger.warn('demo history: no demo world in the database, nothing to backfill');
    return SKIPPED;
  }
  const limits = o.limits ?? DEFAULT_TIME_LIMITS;
  const start = o.now - o.days * DAY_MS;
  const rng = new Rng(`history/${o.seed ?? 'demo'}`);
  const arrivals = rng.fork('arrivals');
  const handling = rng.fork('handling');
  const generator = new IncidentGenerator(world, rng.fork('incidents'), `h${start.toString(36)}`);

  const clock = new FakeClock(start);
  // A private live state and stats: the app's own are built afterwards and load what the database then holds.
  const live = new LiveState(clock);
  const stats = new IngestStats(new Registry(), o.logger);
  // The generator already placed every report in its grid; one outside all grids stays outside.
  const noGrids = new GridLocator([]);
  const audit = new SqlAudit(o.db, clock);
  const pick = assigneePicker(world, await loadDepartmentFinder(o.db));

  const queue = new EventQueue<QueueEvent>();
  const perDay = o.incidentsPerDay ?? HISTORY_INCIDENTS_PER_DAY;
  let dayFactor = 1;
  for (let h = start; h < o.now; h += HOUR_MS) {
    if ((h - start) % DAY_MS === 0) dayFactor = 1 + arrivals.range(-DAY_SWING, DAY_SWING);
    const end = Math.min(h + HOUR_MS, o.now);
    const mean = (perDay / 24) * dayFactor * hourlyFactor(h + HOUR_MS / 2) * ((end - h) / HOUR_MS);
    for (let k = poisson(mean, arrivals); k > 0; k--)
      queue.push({ at: Math.round(arrivals.range(h, end)), kind: 'arrive' });
  }

  const placed = new Map<string, Placed>();
  let commands = 0;
  let refused = 0;
  let stalled = 0;
  let ingest!: IncidentIngest;
  let service!: DispatchService;
  const run = async (id: string, command: IncidentCommand, who: Principal): Promise<boolean> => {
    commands++;
    const outcome = await service.execute(id, command, who, HISTORY_CLIENT_ADDRESS);
    if (!outcome.ok) {
      refused++;
      o.logger.debug({ id, command, reason: outcome.reason }, 'demo history: step refused');
    }
    return outcome.ok;
  };

  // One transaction for the whole replay: all of history or none, and one fsync instead of thousands. Its
  // commands are savepoints of it, and its look-ups and summary read through it (they see its rows).
  const summary = await o.db.transaction(async (tx) => {
    ingest = new IncidentIngest(tx, live, stats, () => noGrids);
    service = new DispatchService(tx, dispatchLiveFrom(live), audit, clock, o.logger);
    for (let e = queue.pop(); e && e.at <= o.now; e = queue.pop()) {
      clock.set(e.at);
      if (e.kind === 'arrive') {
        const report = generator.make(e.at - Math.round(arrivals.range(...REPORT_LAG_S) * 1000));
        if ((await ingest.handleItems([report], HISTORY_INGEST_PATH)).accepted === 0) continue;
        const { category, lng, lat } = report;
        placed.set(report.id, { category, lng, lat, gridCode: report.gridCode ?? null });
        const plan = planHandling(
          {
            category: report.category,
            priority: report.priority,
            source: report.source,
            receivedAt: e.at,
            hasGridWorker: pick.hasWorker(report.gridCode),
          },
          handling,
          limits,
        );
        queue.push({ at: plan.steps[0]!.at, kind: 'step', id: report.id, plan, index: 0 });
        for (const s of plan.supervision) queue.push({ ...s, kind: 'supervise', id: report.id });
      } else if (e.kind === 'supervise') {
        const row = await tx.get<{ state: string }>(sql`SELECT state FROM incidents WHERE id = ${e.id}`);
        if (!ENDED.has(row?.state ?? ''))
          await run(e.id, { type: 'supervise', level: e.level, note: e.note }, LEADER);
      } else {
        const step = e.plan.steps[e.index]!;
        let command: IncidentCommand | null = null;
        if ('command' in step) command = step.command;
        else {
          const assignee = await pick.choose(step.assign, placed.get(e.id)!, (a) => isEngaged(tx, a));
          if (assignee) command = { type: 'assign', assignee, note: step.note };
          else stalled++;
        }
        const next = e.plan.steps[e.index + 1];
        if (command && (await run(e.id, command, DISPATCHER)) && next)
          queue.push({ at: next.at, kind: 'step', id: e.id, plan: e.plan, index: e.index + 1 });
      }
    }
    return summarize(tx, start, o.now, limits);
  });

  const result = { isSkipped: false, ...summary, commands, refused, stalled };
  result.elapsedMs = Math.round(performance.now() - started);
  o.logger.info(result, 'demo history backfilled');
  return result;
}

/**
 * Who is sent: the nearest free patrol car (from its base), a free worker of the grid, the local department.
 * A province has a million vehicles at a few thousand bases and 120,000 grids, and a day of 60,000 cases:
 * nearest-first searches go through spatial indexes and departments through a finder filed by region, so
 * each choice costs a few lookups, not a pass over the province.
 */
function assigneePicker(world: SimWorld, departmentsFor: Awaited<ReturnType<typeof loadDepartmentFinder>>) {
  const workersByGrid = new Map<string, string[]>();
  for (const w of world.workers) {
    const code = world.grids[w.gridIndex]!.code;
    const list = workersByGrid.get(code);
    if (list) list.push(w.id);
    else workersByGrid.set(code, [w.id]);
  }
  // Vehicles start from their department's base: the nearest free one is found base by base, nearest first,
  // ids in order within a base.
  const byBase = new Map<string, { lng: number; lat: number; ids: string[] }>();
  for (const v of world.vehicles) {
    const key = `${v.base[0]},${v.base[1]}`;
    const b = byBase.get(key);
    if (b) b.ids.push(v.id);
    else byBase.set(key, { lng: v.base[0], lat: v.base[1], ids: [v.id] });
  }
  const bases = [...byBase.values()];
  for (const b of bases) b.ids.sort();
  // Flatbush measures plain x/y distance: longitude is scaled by cos(latitude) at the territory's centre, so
  // near-first is the ground's order to well under a metre per kilometre across a province.
  const kx = Math.cos((world.info.center[1] * Math.PI) / 180);
  const baseIndex = pointIndex(bases.map((b) => [b.lng * kx, b.lat]));
  const gridIndex = pointIndex(world.grids.map((g) => [g.center[0] * kx, g.center[1]]));
  // A report just outside every grid (a river bank, the district's edge) goes to the nearest grid's town.
  const nearestGrid = (lng: number, lat: number): string | null => {
    const [i] = gridIndex.neighbors(lng * kx, lat, 1);
    return i === undefined ? null : world.grids[i]!.code;
  };
  const department = (p: Placed): Assignee | null => {
    const d = departmentsFor(p.category, p.gridCode ?? nearestGrid(p.lng, p.lat))[0];
    return d ? { kind: 'department', id: d.id } : null;
  };
  return {
    hasWorker: (gridCode: string | undefined) => !!gridCode && workersByGrid.has(gridCode),
    async choose(
      choice: AssigneeChoice,
      p: Placed,
      isBusy: (a: Assignee) => Promise<boolean>,
    ): Promise<Assignee | null> {
      if (choice === 'vehicle') {
        // Bases in order of distance, the first with a free vehicle wins. The nearest few are asked for,
        // then eight times as many, and so on: usually the first base has one.
        for (let k = 8, seen = 0; seen < bases.length; k *= 8) {
          const near = baseIndex.neighbors(p.lng * kx, p.lat, k);
          for (const i of near.slice(seen))
            for (const id of bases[i]!.ids)
              if (!(await isBusy({ kind: 'vehicle', id }))) return { kind: 'vehicle', id };
          if (near.length < k) break;
          seen = near.length;
        }
      } else if (choice === 'worker') {
        for (const id of workersByGrid.get(p.gridCode ?? '') ?? [])
          if (!(await isBusy({ kind: 'worker', id }))) return { kind: 'worker', id };
      }
      // Departments take any number of cases: the fallback when no unit is free.
      return department(p);
    },
  };
}

/** A static index of points (Flatbush needs at least one item; an empty one answers nothing). */
function pointIndex(points: [number, number][]): { neighbors: Flatbush['neighbors'] } {
  if (points.length === 0) return { neighbors: () => [] };
  const index = new Flatbush(points.length);
  for (const [x, y] of points) index.add(x, y, x, y);
  index.finish();
  return index;
}

async function summarize(db: SqlRunner, start: number, now: number, limits: TimeLimitConfig) {
  const rows = await db.all<{
    priority: number;
    category: string;
    state: IncidentState;
    receivedAt: number;
    resolvedAt: number | null;
  }>(
    sql`SELECT i.priority, i.category, i.state, i.received_at AS "receivedAt",
          (SELECT MIN(e.at) FROM incident_events e
            WHERE e.incident_id = i.id AND e.to_state = 'resolved') AS "resolvedAt"
        FROM incidents i`,
  );
  const perDay = new Array<number>(Math.ceil((now - start) / DAY_MS)).fill(0);
  let open = 0;
  let closed = 0;
  let cancelled = 0;
  let overdue = 0;
  for (const r of rows) {
    const day = Math.floor((r.receivedAt - start) / DAY_MS);
    if (day >= 0 && day < perDay.length) perDay[day]!++;
    if (r.state === 'closed') closed++;
    else if (r.state === 'cancelled') cancelled++;
    else if (r.state !== 'resolved') open++;
    const limit = limitsFor(limits, r.priority, r.category).resolve;
    if (r.resolvedAt !== null) {
      if (limit !== null && r.resolvedAt - r.receivedAt > limit) overdue++;
    } else if (timeLimitStatus(r, now, limits).isOverdue) overdue++;
  }
  const auditRows = Number(
    (await db.get<{ n: number | string }>(sql`SELECT COUNT(*) AS n FROM audit_log`))?.n ?? 0,
  );
  return { incidents: rows.length, perDay, open, closed, cancelled, overdue, auditRows, elapsedMs: 0 };
}
