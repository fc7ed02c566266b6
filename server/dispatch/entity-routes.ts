import { sql, type SQL } from 'drizzle-orm';
import type { Clock } from '@/lib/clock';
import { CAMERA_STATUSES, VEHICLE_STATUSES, WORKER_STATUSES } from '@/lib/domain/enums';
import type { EntityDetailResponse } from '@/lib/dispatch/api-types';
import { departmentLabel, vehicleLabel, workerLabel } from '@/lib/names/unit-label';
import { STALE_AFTER_MS } from '@/lib/realtime/contract';
import type { EntityKind } from '@/lib/realtime/position-codec';
import { maskName } from '@/lib/wall/format';
import { HttpError, sendJson, type Route, type RouteContext } from '../http/router';
import { ANY_ROLE, type Authorize } from '../auth/guard';
import type { RegionGate } from '../auth/region-scope';
import { flag, jsonValue, type SqlDb } from '../db/sql-db';
import type { EntityStore } from '../live/entity-store';
import type { DispatchLive } from './dispatch-service';
import { canSeePersonalNames } from './name-lookup';

const STATUS_NAMES: Record<EntityKind, readonly string[]> = {
  vehicle: VEHICLE_STATUSES,
  worker: WORKER_STATUSES,
  camera: CAMERA_STATUSES,
};
/** Each kind's detail select, to be followed by the id. */
const DETAIL_SQL: Record<EntityKind, SQL> = {
  // The vehicle's own kind (patrol_car…) is `type`: `kind` names the entity kind in the response.
  vehicle:
    sql.raw(`SELECT v.name, v.plate, v.kind AS type, v.department_id AS "departmentId", d.name AS "departmentName",
      d.kind AS "departmentKind", v.is_unassigned AS "isUnassigned"
    FROM vehicles v LEFT JOIN departments d ON d.id = v.department_id WHERE v.id =`),
  worker: sql.raw(
    'SELECT name, role, grid_code AS "gridCode", is_unassigned AS "isUnassigned" FROM workers WHERE id =',
  ),
  camera: sql.raw(
    'SELECT name, grid_code AS "gridCode", program, stream_url AS "streamUrl", is_unassigned AS "isUnassigned" FROM cameras WHERE id =',
  ),
};

type DetailRow = {
  name?: string | null;
  plate?: string | null;
  type?: string | null;
  role?: string | null;
  departmentId?: string | null;
  departmentName?: string | null;
  departmentKind?: string | null;
} & Record<string, unknown>;

/**
 * The entity by name, and its department by name: ids stay in the response for operators, but no page
 * should have to show one. A grid worker's name is personal: masked ("张**") for a display, a role not
 * entitled to personal data, or a caller that asks (`?mask=1`: the wall, seen by a room).
 */
function describe(kind: EntityKind, id: string, d: DetailRow | undefined, isMasked: boolean) {
  if (kind === 'vehicle') {
    const { departmentKind, ...rest } = d ?? {};
    return {
      ...rest,
      label: vehicleLabel({ id, name: d?.name, plate: d?.plate, kind: d?.type }),
      departmentName: d?.departmentId
        ? departmentLabel({ id: d.departmentId, name: d.departmentName, kind: departmentKind })
        : null,
    };
  }
  if (kind === 'worker')
    return {
      ...d,
      name: d?.name && isMasked ? maskName(d.name) : (d?.name ?? null),
      label: workerLabel({ id, name: d?.name, role: d?.role }, { isMasked }),
    };
  return { ...d, label: d?.name?.trim() || id };
}

const NOT_FOUND = '无此对象';

/**
 * GET /api/{vehicles,workers,cameras}/:id: latest known state with its age, whether that is stale, and names;
 * GET /api/departments. A region-scoped principal reads only what is in its region (else 404, as if missing)
 * and the departments serving it.
 */
export function createEntityRoutes(deps: {
  sql: SqlDb;
  live: DispatchLive;
  authorize: Authorize;
  clock: Clock;
  regions: RegionGate;
}): Route[] {
  const { sql: db, live, authorize, clock, regions } = deps;
  const stores: Record<EntityKind, EntityStore> = {
    vehicle: live.vehicles,
    worker: live.workers,
    camera: live.cameras,
  };

  const handler = (kind: EntityKind) => async (ctx: RouteContext) => {
    const id = ctx.params.id ?? '';
    const p = authorize(ctx, { roles: ANY_ROLE, action: `${kind}.read`, objectType: kind, objectId: id });
    const details = await db.get<DetailRow>(sql`${DETAIL_SQL[kind]} ${id}`);
    // A flag reads 0/1 on SQLite and a boolean on PostgreSQL: the response says true or false either way.
    if (details) details.isUnassigned = flag(details.isUnassigned as number | boolean | null);
    const s = stores[kind].getById(id);
    if (!s && !details) throw new HttpError(404, NOT_FOUND);
    regions.require(ctx, p, await regions.hasEntity(p, kind, id, s && s.ts > 0 ? s : null), {
      action: `${kind}.read`,
      objectType: kind,
      objectId: id,
      notFound: NOT_FOUND,
    });
    const now = clock.now();
    const hasReport = s !== undefined && s.ts > 0;
    const ageMs = hasReport ? now - s.ts : null;
    const isMasked = !canSeePersonalNames(p) || ctx.url.searchParams.get('mask') === '1';
    const body: EntityDetailResponse = {
      ...describe(kind, id, details, isMasked),
      id,
      kind,
      lng: s && !Number.isNaN(s.lng) ? s.lng : null,
      lat: s && !Number.isNaN(s.lat) ? s.lat : null,
      status: hasReport ? (STATUS_NAMES[kind][s.status] ?? null) : null,
      speedKmh: hasReport && kind === 'vehicle' ? s.speed : undefined,
      heading: hasReport && kind === 'vehicle' ? s.heading : undefined,
      reportedAt: hasReport ? s.ts : null,
      ageMs,
      isStale: ageMs === null || ageMs > STALE_AFTER_MS[kind],
    };
    sendJson(ctx.res, 200, body);
  };

  const departments = async (ctx: RouteContext) => {
    const p = authorize(ctx, { roles: ANY_ROLE, action: 'department.list', objectType: 'department' });
    const rows = await db.all<{ regionCode: string | null; categories: unknown }>(
      sql`SELECT id, name, kind, region_code AS "regionCode", categories, phone FROM departments ORDER BY name, id`,
    );
    sendJson(ctx.res, 200, {
      departments: rows
        .filter((r) => regions.hasDepartment(p, r.regionCode))
        .map((r) => ({ ...r, categories: jsonValue<string[]>(r.categories) ?? [] })),
    });
  };

  return [
    { method: 'GET', path: '/api/vehicles/:id', handler: handler('vehicle') },
    { method: 'GET', path: '/api/workers/:id', handler: handler('worker') },
    { method: 'GET', path: '/api/cameras/:id', handler: handler('camera') },
    { method: 'GET', path: '/api/departments', handler: departments },
  ];
}
