import { sql, type SQL } from 'drizzle-orm';
import { isRegionCode, isWithinRegion, regionPrefix } from '@/lib/domain/region-code';
import type { EntityKind } from '@/lib/realtime/position-codec';
import { flag, inList, type SqlDb } from '../db/sql-db';
import { HttpError, type Principal, type RouteContext } from '../http/router';
import type { Logger } from '../logger';

/**
 * The one place that decides whether something lies inside a principal's region (DESIGN §4: "users and
 * display tokens may carry a region; the server clamps everything they read to it"). A principal without a
 * region sees the whole territory. Rules, by what carries the territory:
 * - incidents, grid workers: their grid code starts with the region's prefix;
 * - cameras: their own region code, else their grid code;
 * - departments: their region overlaps the region (inside it, or containing it: a district's fire station
 *   serves its towns); one without a region serves everywhere;
 * - vehicles: their department serves the region;
 * - any unit or camera is also in while its live position lies in the region's box, because that is what the
 *   region's wall draws (server/realtime/scope.ts), and a unit on the map must open when clicked;
 * - a missing code is outside (an incident nobody could place belongs to the whole territory's wall only).
 * Something outside answers exactly as something missing (404), so a scoped caller learns nothing of it.
 */

type Scoped = Pick<Principal, 'regionCode'> | null;

/** The prefix a principal's codes must start with; null: the whole territory. */
export function regionOf(p: Scoped): string | null {
  return p?.regionCode ? regionPrefix(p.regionCode) : null;
}

/** Whether a grid or region code lies inside the principal's region. */
export function isCodeInScope(p: Scoped, code: string | null | undefined): boolean {
  const region = p?.regionCode;
  return !region || isWithinRegion(code, region);
}

/** Whether a department (by its region; none: serves everywhere) serves a region given by its prefix. */
export function doesDepartmentServe(deptRegionCode: string | null | undefined, prefix: string): boolean {
  return (
    !deptRegionCode || deptRegionCode.startsWith(prefix) || prefix.startsWith(regionPrefix(deptRegionCode))
  );
}

export type Bbox = [number, number, number, number];

/**
 * Margin around a region's box inside which a unit still counts as drawn on that region's wall: the same
 * ~1 km the wall's socket scope keeps for units on boundary roads (server/realtime/scope.ts).
 */
export const DRAWN_MARGIN_DEG = 0.01;

/** Whether a position lies in a box widened by DRAWN_MARGIN_DEG (a missing or NaN position never does). */
export function isDrawnIn(
  box: Bbox | null | undefined,
  lng: number | null | undefined,
  lat: number | null | undefined,
) {
  if (!box || lng == null || lat == null || !Number.isFinite(lng) || !Number.isFinite(lat)) return false;
  const m = DRAWN_MARGIN_DEG;
  return lng >= box[0] - m && lng <= box[2] + m && lat >= box[1] - m && lat <= box[3] + m;
}

export interface RegionGateDeps {
  sql: SqlDb;
  logger: Logger;
  /** The box of the grids under a prefix (the app's GridLocator), for "drawn on this region's wall". */
  regionBox?: (prefix: string) => Bbox | null;
}

export interface DenyOptions {
  action: string;
  objectType: string;
  objectId?: string | null;
  /** The message a missing object gets, so that "outside" and "missing" read the same. */
  notFound: string;
}

export function createRegionGate(deps: RegionGateDeps) {
  const { sql: db, logger } = deps;
  /** Byte order for code ranges: PostgreSQL's locale collation would not sort ':' right after the digits. */
  const codeOrder = sql.raw(db.dialect === 'postgres' ? ' COLLATE "C"' : '');
  const idsOf = async (q: SQL) => new Set((await db.all<{ id: string }>(q)).map((r) => r.id));
  /** The vehicles of these departments, by the department index. */
  const vehiclesOf = (deptIds: string[]) =>
    idsOf(sql`SELECT id FROM vehicles WHERE department_id IN ${inList(db, deptIds)}`);
  let denied = 0;
  /** Where denials are counted beside the log (audit_denials, once auth exists to own the counter). */
  let countDenial: ((isWrite: boolean, source: string, actor: string) => void) | null = null;

  async function isRegistryIn(kind: EntityKind, id: string, prefix: string): Promise<boolean> {
    if (kind === 'vehicle') {
      const r = await db.get<{ deptRegion: string | null; hasDept: number | boolean }>(
        sql`SELECT d.region_code AS "deptRegion", d.id IS NOT NULL AS "hasDept" FROM vehicles v
            LEFT JOIN departments d ON d.id = v.department_id WHERE v.id = ${id}`,
      );
      // A vehicle of no department (registered by its terminal) belongs to no town: its position decides.
      return !!r && flag(r.hasDept) && doesDepartmentServe(r.deptRegion, prefix);
    }
    const row = await db.get<{ code: string | null }>(
      kind === 'worker'
        ? sql`SELECT grid_code AS code FROM workers WHERE id = ${id}`
        : sql`SELECT COALESCE(region_code, grid_code) AS code FROM cameras WHERE id = ${id}`,
    );
    return !!row?.code && row.code.startsWith(prefix);
  }

  function logDenied(
    ctx: RouteContext,
    p: Principal,
    o: {
      action: string;
      objectType: string;
      objectId?: string | null;
      reason: string;
      region?: string | null;
    },
  ) {
    denied++;
    countDenial?.(ctx.req.method !== 'GET' && ctx.req.method !== 'HEAD', ctx.clientAddress, p.username);
    logger.warn(
      {
        action: o.action,
        objectType: o.objectType,
        objectId: o.objectId ?? null,
        user: p.username,
        role: p.role,
        principalRegion: p.regionCode ?? null,
        region: o.region ?? null,
        client: ctx.clientAddress,
        reason: o.reason,
      },
      'request denied',
    );
  }

  return {
    /** Denials so far (out-of-region reads and region parameters), for tests and health. */
    get deniedCount() {
      return denied;
    },

    /** Counts every later denial there too (the auth module's audit_denials counter). */
    countDenialsWith(fn: (isWrite: boolean, source: string, actor: string) => void): void {
      countDenial = fn;
    },

    /** An incident (by its grid) inside the principal's region. */
    hasIncident: (p: Scoped, gridCode: string | null | undefined) => isCodeInScope(p, gridCode),

    /** A vehicle, worker or camera: by its registry, or by where it is now (see the rules above). */
    async hasEntity(
      p: Scoped,
      kind: EntityKind,
      id: string,
      pos?: { lng: number; lat: number } | null,
    ): Promise<boolean> {
      const prefix = regionOf(p);
      if (prefix === null) return true;
      if (isDrawnIn(deps.regionBox?.(prefix), pos?.lng, pos?.lat)) return true;
      return isRegistryIn(kind, id, prefix);
    },

    /**
     * `hasEntity` for many units at once (a recommendation scans every unit in reach): the registry's members
     * and the region's box are read once. Null when the principal is not scoped (everything is in).
     */
    async entityFilter(
      p: Scoped,
      kind: EntityKind,
    ): Promise<((id: string, lng: number, lat: number) => boolean) | null> {
      const prefix = regionOf(p);
      if (prefix === null) return null;
      let ids: Set<string>;
      if (kind === 'vehicle') {
        // Departments are a short table; vehicles are filtered in SQL by the ids of those serving the region.
        const depts = await db.all<{ id: string; regionCode: string | null }>(
          sql`SELECT id, region_code AS "regionCode" FROM departments`,
        );
        ids = await vehiclesOf(
          depts.filter((d) => doesDepartmentServe(d.regionCode, prefix)).map((d) => d.id),
        );
      } else if (kind === 'worker') {
        // A range on the code (digits sort before ':'), so the grid index can serve it.
        ids = await idsOf(
          sql`SELECT id FROM workers WHERE grid_code${codeOrder} >= ${prefix} AND grid_code${codeOrder} < ${`${prefix}:`}`,
        );
      } else {
        ids = await idsOf(
          sql`SELECT id FROM cameras WHERE substr(COALESCE(region_code, grid_code), 1, ${prefix.length}) = ${prefix}`,
        );
      }
      const box = deps.regionBox?.(prefix) ?? null;
      return (id, lng, lat) => ids.has(id) || isDrawnIn(box, lng, lat);
    },

    /** A department (by its region code) serving the principal's region. */
    hasDepartment(p: Scoped, deptRegionCode: string | null | undefined): boolean {
      const prefix = regionOf(p);
      return prefix === null || doesDepartmentServe(deptRegionCode, prefix);
    },

    /**
     * Stops the request when `isInside` is false: logged as a denial, answered 404 with the message a missing
     * object gets (a 403 would confirm that the id exists in another town).
     */
    require(ctx: RouteContext, p: Principal, isInside: boolean, o: DenyOptions): void {
      if (isInside) return;
      logDenied(ctx, p, { ...o, reason: 'out_of_region' });
      throw new HttpError(404, o.notFound);
    },

    /**
     * The region a `region=` parameter asks for, clamped to the principal: absent → the principal's own
     * region (null: the whole territory); inside it → as asked; outside it → refused 403, logged. Refused, not
     * clamped: a wall asking for another town must not be shown its own town's numbers under that title.
     * Region codes are public (territory outlines), so 403 leaks nothing a 404 would hide.
     */
    regionParam(ctx: RouteContext, p: Principal, raw: string | null, action: string): string | null {
      const asked = raw || null;
      if (asked !== null && !isRegionCode(asked)) throw new HttpError(400, 'region must be a region code');
      const own = p.regionCode ?? null;
      if (own === null) return asked;
      if (asked === null) return own;
      if (isWithinRegion(asked, own)) return asked;
      logDenied(ctx, p, {
        action,
        objectType: 'region',
        objectId: asked,
        reason: 'region_not_allowed',
        region: asked,
      });
      throw new HttpError(403, '区域超出权限范围', { reason: 'region_not_allowed' });
    },

    /** For listings: whether the principal is scoped at all (unscoped callers skip every per-row check). */
    isScoped: (p: Scoped) => regionOf(p) !== null,

    /** Refuses a scoped principal a whole-territory read that cannot be clamped (403, logged). */
    refuseScoped(ctx: RouteContext, p: Principal, action: string, objectType: string): void {
      if (regionOf(p) === null) return;
      logDenied(ctx, p, { action, objectType, reason: 'region_not_allowed' });
      throw new HttpError(403, '区域超出权限范围', { reason: 'region_not_allowed' });
    },
  };
}

export type RegionGate = ReturnType<typeof createRegionGate>;
