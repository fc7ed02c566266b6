import type { CameraStatus } from '../domain/enums';

/**
 * Response shapes of the dispatch HTTP API, shared by the server that sends them and the console that reads
 * them, so the two cannot drift.
 */

export interface UnitRecommendation {
  id: string;
  name: string | null;
  kind: string | null;
  lng: number;
  lat: number;
  distanceM: number;
  travelTimeS: number;
  /** `road` when the estimator routed it, `straight_line` when it fell back. */
  method: 'road' | 'straight_line';
  ageMs: number;
}

export interface CameraRecommendation {
  id: string;
  name: string | null;
  lng: number;
  lat: number;
  distanceM: number;
  status: CameraStatus | 'stale';
}

export interface DepartmentRecommendation {
  id: string;
  name: string;
  kind: string;
  regionCode: string | null;
  phone: string | null;
}

/** GET /api/incidents/:id/recommendations */
export interface Recommendations {
  vehicles: UnitRecommendation[];
  workers: UnitRecommendation[];
  departments: DepartmentRecommendation[];
  cameras: CameraRecommendation[];
}

/** One row of GET /api/audit (column names as stored). */
export interface AuditRow {
  id: number;
  at: number;
  actor: string;
  role: string;
  client_address: string | null;
  action: string;
  object_type: string;
  object_id: string | null;
  before: string | null;
  after: string | null;
  result: string;
  reason: string | null;
  prev_hash: string;
  hash: string;
}

/** The audit chain's newest row as anchored outside the database. */
export interface AuditHead {
  id: number;
  hash: string;
  /** When it was anchored, epoch ms. */
  at: number;
}

/** GET /api/audit/verify. */
export interface AuditVerifyResult {
  ok: boolean;
  rows: number;
  /** The id of the first row whose hash or link does not match (or the anchored row that went missing). */
  firstBadRow?: number;
  /** What is wrong: a row that does not match, or the newest rows gone (the anchored head is not there). */
  problem?: 'row' | 'head';
  reason?: string;
  /** The head the chain was checked against, if the log is anchored. */
  anchor?: AuditHead | null;
}
