import { sql } from 'drizzle-orm';
import type { Clock } from '@/lib/clock';
import { DISPATCH_FIT_META_KEY, parseDispatchFit, type DispatchFitConfig } from '@/lib/domain/dispatch-fit';
import { INCIDENT_CATEGORIES, type IncidentCategory } from '@/lib/domain/enums';
import { STALE_AFTER_MS } from '@/lib/realtime/contract';
import { maskName } from '@/lib/wall/format';
import { HttpError, sendJson, type Route, type RouteContext } from '../http/router';
import { ANY_ROLE, type Authorize } from '../auth/guard';
import type { RegionGate } from '../auth/region-scope';
import type { SqlDb, SqlRunner } from '../db/sql-db';
import type { EntityStore } from '../live/entity-store';
import { canSeePersonalNames } from './name-lookup';
import type { Logger } from '../logger';
import type { DispatchLive } from './dispatch-service';
import {
  availableVehicle,
  camerasNear,
  departmentsFor,
  onDutyWorker,
  createUnitDescribers,
  rankUnitsDescribed,
} from './recommend';
import type { TravelTimeEstimator } from './travel-time';

export interface RecommendationRouteDeps {
  sql: SqlDb;
  live: DispatchLive;
  authorize: Authorize;
  clock: Clock;
  regions: RegionGate;
  /** The road graph once loaded (a getter, so it can arrive after start-up); straight line until then. */
  travelTime?: () => TravelTimeEstimator | null;
  /** Where a bad `dispatch_fit` override is reported (the default is used meanwhile). */
  logger?: Logger;
}

/**
 * The category → unit fit in force: the default of lib/domain/dispatch-fit.ts overlaid with the `meta` row
 * `dispatch_fit`, read on every call (one indexed row) so an admin's edit applies to the next recommendation.
 */
export function createDispatchFitSource(db: SqlRunner, logger?: Logger) {
  let lastError: string | undefined;
  return async (): Promise<DispatchFitConfig> => {
    const row = await db.get<{ value: string }>(
      sql`SELECT value FROM meta WHERE key = ${DISPATCH_FIT_META_KEY}`,
    );
    const { config, error } = parseDispatchFit(row?.value);
    if (error && error !== lastError)
      logger?.warn({ error }, 'dispatch_fit override ignored; using the default');
    lastError = error;
    return config;
  };
}

/** An availability test narrowed to the units a region filter lets through (by the unit's live position). */
function within(
  store: EntityStore,
  isAvailable: (status: number, id: string) => boolean,
  filter: ((id: string, lng: number, lat: number) => boolean) | null,
) {
  if (!filter) return isAvailable;
  return (status: number, id: string) => {
    if (!isAvailable(status, id)) return false;
    const s = store.getById(id);
    return !!s && filter(id, s.lng, s.lat);
  };
}

/**
 * GET /api/incidents/:id/recommendations: units that fit the category (对口) by travel time, then a few that do
 * not (marked 不对口), responsible departments, nearby cameras. GET /api/dispatch-fit: the fit in force.
 * A region-scoped principal asks only about incidents of its region and is offered only its region's units,
 * cameras and the departments serving it; grid workers' names are masked for whoever may not read them.
 */
export function createRecommendationRoutes(deps: RecommendationRouteDeps): Route[] {
  const { sql: db, live, authorize, clock, regions } = deps;
  const fitNow = createDispatchFitSource(db, deps.logger);
  const busySet = async (kind: string) =>
    new Set(
      (
        await db.all<{ id: string }>(
          sql`SELECT assignee_id AS id FROM incidents WHERE assignee_kind = ${kind} AND state IN ('dispatched', 'on_scene')`,
        )
      ).map((r) => r.id),
    );
  const describers = createUnitDescribers(db);

  const recommend = async (ctx: RouteContext) => {
    const id = ctx.params.id ?? '';
    const p = authorize(ctx, {
      roles: ANY_ROLE,
      action: 'incident.recommend',
      objectType: 'incident',
      objectId: id,
    });
    const inc = await db.get<{ lng: number; lat: number; category: string; gridCode: string | null }>(
      sql`SELECT lng, lat, category, grid_code AS "gridCode" FROM incidents WHERE id = ${id}`,
    );
    if (!inc) throw new HttpError(404, '无此事件');
    regions.require(ctx, p, regions.hasIncident(p, inc.gridCode), {
      action: 'incident.recommend',
      objectType: 'incident',
      objectId: id,
      notFound: '无此事件',
    });
    const [cameraIn, vehicleIn, workerIn] = await Promise.all([
      regions.entityFilter(p, 'camera'),
      regions.entityFilter(p, 'vehicle'),
      regions.entityFilter(p, 'worker'),
    ]);
    const isNameMasked = !canSeePersonalNames(p);
    const now = clock.now();
    const estimator = deps.travelTime?.() ?? undefined;
    const config = await fitNow();
    const category = (INCIDENT_CATEGORIES as readonly string[]).includes(inc.category)
      ? (inc.category as IncidentCategory)
      : 'other';
    const describeVehicles = describers.vehicles(config, category, live.vehicles);
    const describeWorkers = describers.workers(config, category, inc.gridCode);
    const [busyVehicles, busyWorkers, departments] = await Promise.all([
      busySet('vehicle'),
      busySet('worker'),
      departmentsFor(db, inc.category, inc.gridCode, config),
    ]);
    const [vehicles, workers] = await Promise.all([
      rankUnitsDescribed(live.vehicles, inc, {
        isAvailable: within(live.vehicles, availableVehicle(busyVehicles), vehicleIn),
        now,
        staleAfterMs: STALE_AFTER_MS.vehicle,
        estimator,
        describe: describeVehicles,
      }),
      rankUnitsDescribed(live.workers, inc, {
        isAvailable: within(live.workers, onDutyWorker(busyWorkers), workerIn),
        now,
        staleAfterMs: STALE_AFTER_MS.worker,
        estimator,
        describe: describeWorkers,
      }),
    ]);
    sendJson(ctx.res, 200, {
      vehicles,
      workers: workers.map((w) => (isNameMasked && w.name ? { ...w, name: maskName(w.name) } : w)),
      departments: departments.filter((d) => regions.hasDepartment(p, d.regionCode)),
      // At most CAMERAS_MAX within 500 m: narrowing after the cut can only drop a few neighbours' cameras.
      cameras: camerasNear(live.cameras, inc, now).filter((c) => !cameraIn || cameraIn(c.id, c.lng, c.lat)),
    });
  };

  return [
    { method: 'GET', path: '/api/incidents/:id/recommendations', handler: recommend },
    {
      method: 'GET',
      path: '/api/dispatch-fit',
      handler: async (ctx) => {
        authorize(ctx, { roles: ANY_ROLE, action: 'dispatch_fit.read', objectType: 'config' });
        sendJson(ctx.res, 200, { fit: await fitNow() });
      },
    },
  ];
}
