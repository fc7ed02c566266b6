import type Database from 'better-sqlite3';
import type { Clock } from '@/lib/clock';
import { STALE_AFTER_MS } from '@/lib/realtime/contract';
import { HttpError, sendJson, type Route, type RouteContext } from '../http/router';
import { ANY_ROLE, type Authorize } from '../auth/guard';
import type { DispatchLive } from './dispatch-service';
import { availableVehicle, camerasNear, departmentsFor, onDutyWorker, rankUnits } from './recommend';
import type { TravelTimeEstimator } from './travel-time';

export interface RecommendationRouteDeps {
  sqlite: Database.Database;
  live: DispatchLive;
  authorize: Authorize;
  clock: Clock;
  /** The road graph once loaded (a getter, so it can arrive after start-up); straight line until then. */
  travelTime?: () => TravelTimeEstimator | null;
}

/** GET /api/incidents/:id/recommendations: units by travel time, responsible departments, nearby cameras. */
export function createRecommendationRoutes(deps: RecommendationRouteDeps): Route[] {
  const { sqlite, live, authorize, clock } = deps;
  const selectIncident = sqlite.prepare<
    [string],
    { lng: number; lat: number; category: string; gridCode: string | null }
  >('SELECT lng, lat, category, grid_code AS gridCode FROM incidents WHERE id = ?');
  const engaged = sqlite.prepare<[string], { id: string }>(
    `SELECT assignee_id AS id FROM incidents WHERE assignee_kind = ? AND state IN ('dispatched', 'on_scene')`,
  );
  const busySet = (kind: string) => new Set(engaged.all(kind).map((r) => r.id));

  const recommend = (ctx: RouteContext) => {
    const id = ctx.params.id ?? '';
    authorize(ctx, { roles: ANY_ROLE, action: 'incident.recommend', objectType: 'incident', objectId: id });
    const inc = selectIncident.get(id);
    if (!inc) throw new HttpError(404, '无此事件');
    const now = clock.now();
    const estimator = deps.travelTime?.() ?? undefined;
    sendJson(ctx.res, 200, {
      vehicles: rankUnits(live.vehicles, inc, {
        isAvailable: availableVehicle(busySet('vehicle')),
        now,
        staleAfterMs: STALE_AFTER_MS.vehicle,
        estimator,
      }),
      workers: rankUnits(live.workers, inc, {
        isAvailable: onDutyWorker(busySet('worker')),
        now,
        staleAfterMs: STALE_AFTER_MS.worker,
        estimator,
      }),
      departments: departmentsFor(sqlite, inc.category, inc.gridCode),
      cameras: camerasNear(live.cameras, inc, now),
    });
  };

  return [{ method: 'GET', path: '/api/incidents/:id/recommendations', handler: recommend }];
}
