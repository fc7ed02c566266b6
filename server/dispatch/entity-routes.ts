import type Database from 'better-sqlite3';
import type { Clock } from '@/lib/clock';
import { CAMERA_STATUSES, VEHICLE_STATUSES, WORKER_STATUSES } from '@/lib/domain/enums';
import { STALE_AFTER_MS } from '@/lib/realtime/contract';
import type { EntityKind } from '@/lib/realtime/position-codec';
import { HttpError, sendJson, type Route, type RouteContext } from '../http/router';
import { ANY_ROLE, type Authorize } from '../auth/guard';
import type { EntityStore } from '../live/entity-store';
import type { DispatchLive } from './dispatch-service';

const STATUS_NAMES: Record<EntityKind, readonly string[]> = {
  vehicle: VEHICLE_STATUSES,
  worker: WORKER_STATUSES,
  camera: CAMERA_STATUSES,
};
const DETAIL_SQL: Record<EntityKind, string> = {
  vehicle:
    'SELECT name, kind, department_id AS departmentId, is_unassigned AS isUnassigned FROM vehicles WHERE id = ?',
  worker: 'SELECT name, role, grid_code AS gridCode, is_unassigned AS isUnassigned FROM workers WHERE id = ?',
  camera:
    'SELECT name, grid_code AS gridCode, program, stream_url AS streamUrl, is_unassigned AS isUnassigned FROM cameras WHERE id = ?',
};

/** GET /api/{vehicles,workers,cameras}/:id: latest known state with its age, and whether that is stale. */
export function createEntityRoutes(deps: {
  sqlite: Database.Database;
  live: DispatchLive;
  authorize: Authorize;
  clock: Clock;
}): Route[] {
  const { sqlite, live, authorize, clock } = deps;
  const stores: Record<EntityKind, EntityStore> = {
    vehicle: live.vehicles,
    worker: live.workers,
    camera: live.cameras,
  };

  const handler = (kind: EntityKind) => (ctx: RouteContext) => {
    const id = ctx.params.id ?? '';
    authorize(ctx, { roles: ANY_ROLE, action: `${kind}.read`, objectType: kind, objectId: id });
    const details = sqlite.prepare(DETAIL_SQL[kind]).get(id) as Record<string, unknown> | undefined;
    const s = stores[kind].getById(id);
    if (!s && !details) throw new HttpError(404, '无此对象');
    const now = clock.now();
    const hasReport = s !== undefined && s.ts > 0;
    const ageMs = hasReport ? now - s.ts : null;
    sendJson(ctx.res, 200, {
      id,
      kind,
      ...details,
      lng: s && !Number.isNaN(s.lng) ? s.lng : null,
      lat: s && !Number.isNaN(s.lat) ? s.lat : null,
      status: hasReport ? STATUS_NAMES[kind][s.status] : null,
      speedKmh: hasReport && kind === 'vehicle' ? s.speed : undefined,
      heading: hasReport && kind === 'vehicle' ? s.heading : undefined,
      reportedAt: hasReport ? s.ts : null,
      ageMs,
      isStale: ageMs === null || ageMs > STALE_AFTER_MS[kind],
    });
  };

  const departments = (ctx: RouteContext) => {
    authorize(ctx, { roles: ANY_ROLE, action: 'department.list', objectType: 'department' });
    const rows = sqlite
      .prepare(
        'SELECT id, name, kind, region_code AS regionCode, categories, phone FROM departments ORDER BY name',
      )
      .all() as {
      categories: string;
    }[];
    sendJson(ctx.res, 200, {
      departments: rows.map((r) => ({ ...r, categories: JSON.parse(r.categories) as string[] })),
    });
  };

  return [
    { method: 'GET', path: '/api/vehicles/:id', handler: handler('vehicle') },
    { method: 'GET', path: '/api/workers/:id', handler: handler('worker') },
    { method: 'GET', path: '/api/cameras/:id', handler: handler('camera') },
    { method: 'GET', path: '/api/departments', handler: departments },
  ];
}
