import { CRS_VALUES, VEHICLE_STATUSES, WORKER_STATUSES } from './enums';
import { ENTITY_ID_MAX, LAT_MAX, LNG_MAX, MAX_VALID_TS_MS, MIN_VALID_TS_MS } from './common';
import {
  HEADING_MAX_DEG,
  SPEED_MAX_KMH,
  VEHICLE_KIND_MAX,
  VEHICLE_NAME_MAX,
  type VehicleReport,
} from './vehicle';
import type { WorkerReport } from './worker';

/**
 * Hot-path acceptors for the two high-rate reports. They accept only inputs the zod schemas accept, with the
 * same output (checked by property tests against the schemas), and return null for everything else — the
 * caller then asks the schema, which gives the rejection reason. At a million reports a second the schema's
 * generality is the bottleneck; these are the shapes gateways actually send.
 */
const CRS = new Set<unknown>(CRS_VALUES);
const VEHICLE_STATUS = new Set<unknown>(VEHICLE_STATUSES);
const WORKER_STATUS = new Set<unknown>(WORKER_STATUSES);

function isOptNumberIn(v: unknown, min: number, max: number): boolean {
  return v === undefined || (typeof v === 'number' && v >= min && v <= max);
}

function isOptString(v: unknown, max: number): boolean {
  return v === undefined || (typeof v === 'string' && v.length <= max);
}

function baseOk(r: Record<string, unknown>): boolean {
  const { id, lng, lat, ts, crs } = r;
  return (
    typeof id === 'string' &&
    id.length >= 1 &&
    id.length <= ENTITY_ID_MAX &&
    typeof lng === 'number' &&
    lng >= -LNG_MAX &&
    lng <= LNG_MAX &&
    typeof lat === 'number' &&
    lat >= -LAT_MAX &&
    lat <= LAT_MAX &&
    typeof ts === 'number' &&
    ts >= MIN_VALID_TS_MS &&
    ts <= MAX_VALID_TS_MS &&
    (crs === undefined || CRS.has(crs))
  );
}

function isRecord(o: unknown): o is Record<string, unknown> {
  return typeof o === 'object' && o !== null && !Array.isArray(o);
}

export function acceptVehicleReport(o: unknown): VehicleReport | null {
  if (!isRecord(o) || !baseOk(o)) return null;
  const { speed, heading, status, name, kind } = o;
  if (!isOptNumberIn(speed, 0, SPEED_MAX_KMH) || !isOptNumberIn(heading, 0, HEADING_MAX_DEG)) return null;
  if (status !== undefined && !VEHICLE_STATUS.has(status)) return null;
  if (!isOptString(name, VEHICLE_NAME_MAX) || !isOptString(kind, VEHICLE_KIND_MAX)) return null;
  const out = { id: o.id, lng: o.lng, lat: o.lat, ts: Math.round(o.ts as number) } as VehicleReport;
  if (o.crs !== undefined) out.crs = o.crs as VehicleReport['crs'];
  if (speed !== undefined) out.speed = speed as number;
  if (heading !== undefined) out.heading = heading as number;
  if (status !== undefined) out.status = status as VehicleReport['status'];
  if (name !== undefined) out.name = name as string;
  if (kind !== undefined) out.kind = kind as string;
  return out;
}

export function acceptWorkerReport(o: unknown): WorkerReport | null {
  if (!isRecord(o) || !baseOk(o)) return null;
  if (o.status !== undefined && !WORKER_STATUS.has(o.status)) return null;
  const out = { id: o.id, lng: o.lng, lat: o.lat, ts: Math.round(o.ts as number) } as WorkerReport;
  if (o.crs !== undefined) out.crs = o.crs as WorkerReport['crs'];
  if (o.status !== undefined) out.status = o.status as WorkerReport['status'];
  return out;
}
