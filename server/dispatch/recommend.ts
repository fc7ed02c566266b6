import type {
  CameraRecommendation,
  DepartmentRecommendation,
  UnitRecommendation,
} from '@/lib/dispatch/api-types';
import type Database from 'better-sqlite3';
import { CAMERA_STATUSES, VEHICLE_STATUSES, WORKER_STATUSES } from '@/lib/domain/enums';
import { regionPrefix } from '@/lib/domain/region-code';
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

/**
 * Nearest available units by travel time: a straight-line pass picks the ROUTE_CANDIDATES closest, the
 * estimator ranks those (a unit it cannot route falls back to the straight-line estimate), ties broken by id.
 */
export function rankUnits(
  store: EntityStore,
  target: { lng: number; lat: number },
  opts: {
    isAvailable: (status: number, id: string) => boolean;
    now: number;
    staleAfterMs: number;
    estimator?: TravelTimeEstimator;
  },
): UnitRecommendation[] {
  const near: { i: number; d: number }[] = [];
  for (let i = 0; i < store.count; i++) {
    const ts = store.ts[i]!;
    if (ts === 0 || opts.now - ts > opts.staleAfterMs) continue; // no live position: cannot promise a time
    if (!opts.isAvailable(store.status[i]!, store.meta[i]!.id)) continue;
    const d = haversineM(store.lng[i]!, store.lat[i]!, target.lng, target.lat);
    if (d <= MAX_UNIT_DISTANCE_M) near.push({ i, d });
  }
  near.sort((a, b) => a.d - b.d);
  const estimator = opts.estimator ?? straightLineEstimator;
  const ranked = near.slice(0, ROUTE_CANDIDATES).map(({ i, d }): UnitRecommendation => {
    const lng = store.lng[i]!;
    const lat = store.lat[i]!;
    const routed =
      estimator === straightLineEstimator ? null : estimator.travelTimeS(lng, lat, target.lng, target.lat);
    const m = store.meta[i]!;
    return {
      id: m.id,
      name: m.name,
      kind: m.kind,
      lng,
      lat,
      distanceM: Math.round(d),
      travelTimeS: Math.round(routed ?? straightLineEstimator.travelTimeS(lng, lat, target.lng, target.lat)!),
      method: routed === null ? 'straight_line' : 'road',
      ageMs: opts.now - store.ts[i]!,
    };
  });
  ranked.sort((a, b) => a.travelTimeS - b.travelTimeS || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return ranked.slice(0, RECOMMEND_TOP_N);
}

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
    const m = store.meta[i]!;
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
 * Departments answering for the category ("中心吹哨、部门报到"), the most local first: a department whose region
 * contains the incident's grid ranks by how specific that region is; one without a region serves everywhere.
 */
export function departmentsFor(
  sqlite: Database.Database,
  category: string,
  gridCode: string | null,
): DepartmentRecommendation[] {
  const rows = sqlite
    .prepare(
      `SELECT id, name, kind, region_code AS regionCode, phone FROM departments
       WHERE EXISTS (SELECT 1 FROM json_each(departments.categories) WHERE value = ?)`,
    )
    .all(category) as DepartmentRecommendation[];
  const specificity = (d: DepartmentRecommendation) => {
    if (!d.regionCode) return 0;
    const prefix = regionPrefix(d.regionCode);
    if (!gridCode) return -1;
    return gridCode.startsWith(prefix) ? prefix.length : -1;
  };
  return rows
    .map((d) => ({ d, s: specificity(d) }))
    .filter((x) => x.s >= 0)
    .sort((a, b) => b.s - a.s || a.d.name.localeCompare(b.d.name, 'zh'))
    .map((x) => x.d);
}
