import type {
  CameraRecommendation,
  DepartmentRecommendation,
  UnitRecommendation,
} from '@/lib/dispatch/api-types';
import { sql } from 'drizzle-orm';
import { inList, jsonValue, type SqlRunner } from '../db/sql-db';
import {
  CAMERA_STATUSES,
  VEHICLE_STATUSES,
  WORKER_STATUSES,
  type IncidentCategory,
} from '@/lib/domain/enums';
import { regionPrefix } from '@/lib/domain/region-code';
import {
  DEFAULT_DISPATCH_FIT,
  departmentFit,
  vehicleFit,
  workerFit,
  type DispatchFitConfig,
  type UnitFit,
} from '@/lib/domain/dispatch-fit';
import { STALE_AFTER_MS } from '@/lib/realtime/contract';
import type { EntityStore } from '../live/entity-store';
import { haversineM, straightLineEstimator, type TravelTimeEstimator } from './travel-time';

/** Units returned per kind. */
export const RECOMMEND_TOP_N = 5;
/** Nearest units (by straight line) that are routed over the road graph; routing every unit would not scale. */
export const ROUTE_CANDIDATES = 20;
/** Units further than this in a straight line are not worth proposing (m). */
export const MAX_UNIT_DISTANCE_M = 30_000;
/** Cameras shown around an incident (m): roughly what a camera can see plus the approach streets. */
export const CAMERA_RADIUS_M = 500;
export const CAMERAS_MAX = 30;

const AVAILABLE_VEHICLE = new Set([VEHICLE_STATUSES.indexOf('patrol'), VEHICLE_STATUSES.indexOf('idle')]);
const ON_DUTY_WORKER = WORKER_STATUSES.indexOf('on_duty');

export type { CameraRecommendation, DepartmentRecommendation, UnitRecommendation };

/** Non-fitting units listed after the fitting ones (不对口): enough to see an alternative, not to crowd it. */
export const NOT_FIT_TOP_N = 2;

/** What the route knows about candidate units beyond their live state: fit (对口), plate, owner. */
export interface UnitFacts {
  fit: UnitFit;
  plate?: string | null;
  owner?: string | null;
}

/**
 * Nearest available units by travel time, fitting units (对口) first: a straight-line pass keeps the units in
 * reach, `describe` tells which fit the incident, the ROUTE_CANDIDATES closest fitting ones (and a few closest
 * others) are routed by the estimator (a unit it cannot route falls back to the straight-line estimate), and
 * fitting units rank by fit rank, then travel time, then id; NOT_FIT_TOP_N others follow, marked.
 * Without `describe` every unit fits (the ranking is travel time alone).
 */
interface RankOptions {
  isAvailable: (status: number, id: string) => boolean;
  now: number;
  staleAfterMs: number;
  estimator?: TravelTimeEstimator;
}

export function rankUnits(
  store: EntityStore,
  target: { lng: number; lat: number },
  opts: RankOptions & { describe?: (ids: readonly string[]) => ReadonlyMap<string, UnitFacts> },
): UnitRecommendation[] {
  const near = unitsInReach(store, target, opts);
  const facts = opts.describe?.(near.map((n) => store.idOf(n.i)));
  return rankNear(store, target, near, facts ?? null, opts);
}

/** rankUnits whose `describe` reads the database (the route's: one query for every unit in reach). */
export async function rankUnitsDescribed(
  store: EntityStore,
  target: { lng: number; lat: number },
  opts: RankOptions & { describe: (ids: readonly string[]) => Promise<ReadonlyMap<string, UnitFacts>> },
): Promise<UnitRecommendation[]> {
  const near = unitsInReach(store, target, opts);
  const facts = await opts.describe(near.map((n) => store.idOf(n.i)));
  return rankNear(store, target, near, facts, opts);
}

/** Available units with a live position within MAX_UNIT_DISTANCE_M, nearest first (straight line). */
function unitsInReach(store: EntityStore, target: { lng: number; lat: number }, opts: RankOptions) {
  const near: { i: number; d: number }[] = [];
  for (let i = 0; i < store.count; i++) {
    const ts = store.ts[i]!;
    if (ts === 0 || opts.now - ts > opts.staleAfterMs) continue; // no live position: cannot promise a time
    const d = haversineM(store.lng[i]!, store.lat[i]!, target.lng, target.lat);
    // Distance first: the id is made from the index's bytes, so only units in reach pay for one.
    if (d <= MAX_UNIT_DISTANCE_M && opts.isAvailable(store.status[i]!, store.idOf(i))) near.push({ i, d });
  }
  near.sort((a, b) => a.d - b.d);
  return near;
}

/** `facts` null: nothing described, every unit fits. */
function rankNear(
  store: EntityStore,
  target: { lng: number; lat: number },
  near: readonly { i: number; d: number }[],
  facts: ReadonlyMap<string, UnitFacts> | null,
  opts: RankOptions,
): UnitRecommendation[] {
  const factsOf = (i: number): UnitFacts => facts?.get(store.idOf(i)) ?? { fit: ALWAYS_FIT };
  const fitting = near.filter((n) => factsOf(n.i).fit.isFit).slice(0, ROUTE_CANDIDATES);
  const others = facts ? near.filter((n) => !factsOf(n.i).fit.isFit).slice(0, NOT_FIT_CANDIDATES) : [];
  const estimator = opts.estimator ?? straightLineEstimator;
  const toRec = ({ i, d }: { i: number; d: number }): UnitRecommendation & { rank: number } => {
    const lng = store.lng[i]!;
    const lat = store.lat[i]!;
    const routed =
      estimator === straightLineEstimator ? null : estimator.travelTimeS(lng, lat, target.lng, target.lat);
    const m = store.metaOf(i)!;
    const f = factsOf(i);
    return {
      id: m.id,
      name: m.name,
      kind: m.kind,
      plate: f.plate ?? null,
      owner: f.owner ?? null,
      lng,
      lat,
      distanceM: Math.round(d),
      travelTimeS: Math.round(routed ?? straightLineEstimator.travelTimeS(lng, lat, target.lng, target.lat)!),
      method: routed === null ? 'straight_line' : 'road',
      ageMs: opts.now - store.ts[i]!,
      fit: { isFit: f.fit.isFit, reason: f.fit.reason, why: f.fit.why },
      rank: f.fit.rank,
    };
  };
  const byRankThenTime = (a: { rank: number; travelTimeS: number; id: string }, b: typeof a) =>
    a.rank - b.rank || a.travelTimeS - b.travelTimeS || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const strip = ({ rank: _rank, ...rec }: UnitRecommendation & { rank: number }): UnitRecommendation => rec;
  return [
    ...fitting.map(toRec).sort(byRankThenTime).slice(0, RECOMMEND_TOP_N),
    ...others.map(toRec).sort(byRankThenTime).slice(0, NOT_FIT_TOP_N),
  ].map(strip);
}

const ALWAYS_FIT: UnitFit = { isFit: true, reason: '', rank: 0 };
/** Non-fitting units routed to find the NOT_FIT_TOP_N quickest of them. */
const NOT_FIT_CANDIDATES = 8;

export function availableVehicle(busy: ReadonlySet<string>) {
  return (status: number, id: string) => AVAILABLE_VEHICLE.has(status) && !busy.has(id);
}

export function onDutyWorker(busy: ReadonlySet<string>) {
  return (status: number, id: string) => status === ON_DUTY_WORKER && !busy.has(id);
}

export function camerasNear(
  store: EntityStore,
  target: { lng: number; lat: number },
  now: number,
): CameraRecommendation[] {
  const out: CameraRecommendation[] = [];
  for (let i = 0; i < store.count; i++) {
    const lng = store.lng[i]!;
    const lat = store.lat[i]!;
    if (Number.isNaN(lng) || Number.isNaN(lat)) continue;
    const d = haversineM(lng, lat, target.lng, target.lat);
    if (d > CAMERA_RADIUS_M) continue;
    const ts = store.ts[i]!;
    const isStale = ts === 0 || now - ts > STALE_AFTER_MS.camera;
    const m = store.metaOf(i)!;
    out.push({
      id: m.id,
      name: m.name,
      lng,
      lat,
      distanceM: Math.round(d),
      status: isStale ? 'stale' : (CAMERA_STATUSES[store.status[i]!] ?? 'offline'),
    });
  }
  out.sort((a, b) => a.distanceM - b.distanceM);
  return out.slice(0, CAMERAS_MAX);
}

/**
 * Departments answering for the category ("中心吹哨、部门报到"): those whose kind the fit lists, best kind first,
 * then those whose own `categories` name it; within a kind the most local first: a department whose region
 * contains the incident's grid ranks by how specific that region is; one without a region serves everywhere.
 */
export async function departmentsFor(
  db: SqlRunner,
  category: string,
  gridCode: string | null,
  config: DispatchFitConfig = DEFAULT_DISPATCH_FIT,
): Promise<DepartmentRecommendation[]> {
  return rankDepartments(await departmentRows(db, category, config), category, gridCode, config);
}

/** `categories`: JSON text on SQLite, parsed jsonb on PostgreSQL. */
type DepartmentRow = DepartmentRecommendation & { categories: unknown };

/** Departments that answer for a category, by their own categories or by their kind. */
function departmentRows(db: SqlRunner, category: string, config: DispatchFitConfig) {
  const cat = (category in config ? category : 'other') as IncidentCategory;
  const listsIt =
    db.dialect === 'postgres'
      ? sql`departments.categories @> ${JSON.stringify([category])}::jsonb`
      : sql`EXISTS (SELECT 1 FROM json_each(departments.categories) WHERE value = ${category})`;
  return db.all<DepartmentRow>(
    sql`SELECT id, name, kind, region_code AS "regionCode", phone, categories FROM departments
        WHERE ${listsIt} OR kind IN ${inList(db, config[cat].departmentKinds)}`,
  );
}

/** The fitting departments whose area holds the grid (a region-less one serves everywhere), best first. */
function rankDepartments(
  rows: readonly DepartmentRow[],
  category: string,
  gridCode: string | null,
  config: DispatchFitConfig,
): DepartmentRecommendation[] {
  const cat = (category in config ? category : 'other') as IncidentCategory;
  const specificity = (d: DepartmentRecommendation) => {
    if (!d.regionCode) return 0;
    const prefix = regionPrefix(d.regionCode);
    if (!gridCode) return -1;
    return gridCode.startsWith(prefix) ? prefix.length : -1;
  };
  return (
    rows
      .map(({ categories, ...d }) => {
        const fit = departmentFit(config, cat, { kind: d.kind, categories: parseCategories(categories) });
        return {
          d: { ...d, fit: { isFit: fit.isFit, reason: fit.reason, why: fit.why } },
          s: specificity(d),
          rank: fit.rank,
        };
      })
      .filter((x) => x.s >= 0 && x.d.fit.isFit)
      // Id last: a total order, so the same departments rank the same whatever order they were read in.
      .sort(
        (a, b) =>
          a.rank - b.rank ||
          b.s - a.s ||
          a.d.name.localeCompare(b.d.name, 'zh') ||
          (a.d.id < b.d.id ? -1 : a.d.id > b.d.id ? 1 : 0),
      )
      .map((x) => x.d)
  );
}

/**
 * departmentsFor for a batch job over a fixed set of departments (the demo history's replay): the departments
 * are read once, and each category's are picked out (by the same rule as departmentRows) and filed by region
 * prefix on first use, so a call ranks only the departments whose area holds the grid (its ancestors'
 * prefixes and the region-less ones), not every department of a province. Same answers as departmentsFor
 * while the departments table does not change.
 */
export async function loadDepartmentFinder(
  db: SqlRunner,
  config: DispatchFitConfig = DEFAULT_DISPATCH_FIT,
): Promise<(category: string, gridCode: string | null) => DepartmentRecommendation[]> {
  const all = (
    await db.all<DepartmentRow>(
      sql`SELECT id, name, kind, region_code AS "regionCode", phone, categories FROM departments`,
    )
  ).map((row) => ({ row, categories: parseCategories(row.categories) }));
  const filed = new Map<string, { everywhere: DepartmentRow[]; byPrefix: Map<string, DepartmentRow[]> }>();
  return (category, gridCode) => {
    let f = filed.get(category);
    if (!f) {
      f = { everywhere: [], byPrefix: new Map() };
      const kinds: readonly string[] =
        config[(category in config ? category : 'other') as IncidentCategory].departmentKinds;
      for (const { row, categories } of all) {
        if (!categories.includes(category) && !kinds.includes(row.kind)) continue;
        if (!row.regionCode) f.everywhere.push(row);
        else {
          const prefix = regionPrefix(row.regionCode);
          const list = f.byPrefix.get(prefix);
          if (list) list.push(row);
          else f.byPrefix.set(prefix, [row]);
        }
      }
      filed.set(category, f);
    }
    const rows = [...f.everywhere];
    // Ancestors' prefixes are the grid code's own leading digits (2, 4, 6, 9, 12 and 15).
    if (gridCode)
      for (let len = 1; len <= gridCode.length; len++)
        rows.push(...(f.byPrefix.get(gridCode.slice(0, len)) ?? []));
    return rankDepartments(rows, category, gridCode, config);
  };
}

function parseCategories(stored: unknown): string[] {
  try {
    const v = jsonValue<unknown>(stored);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/**
 * What rankUnits' `describe` needs from SQLite: a vehicle's kind, plate and owning department (kind and name),
 * a worker's grid. One query per recommendation for every unit in reach (ids as a JSON array), not one per unit.
 */
export function createUnitDescribers(db: SqlRunner) {
  const vehicleRows = (ids: readonly string[]) =>
    db.all<{
      id: string;
      kind: string | null;
      plate: string | null;
      deptKind: string | null;
      deptName: string | null;
    }>(
      sql`SELECT v.id, v.kind, v.plate, d.kind AS "deptKind", d.name AS "deptName" FROM vehicles v
          LEFT JOIN departments d ON d.id = v.department_id WHERE v.id IN ${inList(db, ids)}`,
    );
  const workerRows = (ids: readonly string[]) =>
    db.all<{ id: string; gridCode: string | null }>(
      sql`SELECT id, grid_code AS "gridCode" FROM workers WHERE id IN ${inList(db, ids)}`,
    );
  return {
    vehicles:
      (config: DispatchFitConfig, category: IncidentCategory, store: EntityStore) =>
      async (ids: readonly string[]): Promise<Map<string, UnitFacts>> => {
        const rows = new Map((await vehicleRows(ids)).map((r) => [r.id, r]));
        return new Map(
          ids.map((id): [string, UnitFacts] => {
            const r = rows.get(id);
            // A unit registered by its terminal has no row yet; its live kind still lets a fire engine fit.
            const vehicleKind = r?.kind ?? store.getById(id)?.kind ?? null;
            return [
              id,
              {
                fit: vehicleFit(config, category, { vehicleKind, departmentKind: r?.deptKind ?? null }),
                plate: r?.plate ?? null,
                owner: r?.deptName ?? null,
              },
            ];
          }),
        );
      },
    workers:
      (config: DispatchFitConfig, category: IncidentCategory, incidentGridCode: string | null) =>
      async (ids: readonly string[]): Promise<Map<string, UnitFacts>> => {
        const grids = new Map((await workerRows(ids)).map((r) => [r.id, r.gridCode]));
        return new Map(
          ids.map((id): [string, UnitFacts] => [
            id,
            { fit: workerFit(config, category, { gridCode: grids.get(id) ?? null }, incidentGridCode) },
          ]),
        );
      },
  };
}
