import type { CameraStatus } from '../domain/enums';
import type { IncidentView } from '../domain/incident';
import type { TimeLimitStatus } from '../domain/time-limits';
import type { FitReason } from '../domain/dispatch-fit';

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
  /** 车牌, when the vehicle has one. */
  plate?: string | null;
  /** The owning department's name ("清波派出所"). */
  owner?: string | null;
  /** Whether it fits the incident's category (lib/domain/dispatch-fit.ts) and why: "对口: 司法所". */
  fit?: { isFit: boolean; reason: string; why?: FitReason };
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
  /** Why it answers for the category: "对口: 司法所". */
  fit?: { isFit: boolean; reason: string; why?: FitReason };
}

/** GET /api/incidents/:id/recommendations */
export interface Recommendations {
  vehicles: UnitRecommendation[];
  workers: UnitRecommendation[];
  departments: DepartmentRecommendation[];
  cameras: CameraRecommendation[];
}

/** GET /api/incidents/:id `incident`: the view plus what only a signed-in reader is sent. */
export interface IncidentDetail extends IncidentView {
  detail: string | null;
  /**
   * The source's own number for it (IncidentReport.id: a 12345 work order, a 110 case number); `id` is the
   * same unless two sources sent the same number, then `id` is `<source>-<sourceRef>`.
   */
  sourceRef: string;
  satisfaction: number | null;
  closedAt: number | null;
  /** Reporter's name and phone: null for roles not entitled to personal data. */
  reporter: string | null;
  phone: string | null;
  /** The assignee by name ("城西派出所巡逻车01 川A·12345", "张** (专职网格员)", "城西派出所"); null when unassigned. */
  assigneeName: string | null;
}

/** One step of an incident's timeline (GET /api/incidents/:id `timeline`). */
export interface TimelineEvent {
  id: number;
  at: number;
  /** As stored: a username or a machine actor (`ingest:police_110`, `simulator`); kept for operators. */
  actor: string;
  /** Who in words: a user's display name, "110警情接入", "模拟数据源". */
  actorName: string;
  /** reported, transition, assign, supervise, note, follow_up */
  type: string;
  fromState: string | null;
  toState: string | null;
  note: string | null;
  data: Record<string, unknown> | null;
  /** On an assignment: the unit's name (its id stays in `data.assigneeId`). */
  assigneeName: string | null;
}

/** GET /api/incidents/:id */
export interface IncidentResponse {
  incident: IncidentDetail;
  timeLimits: TimeLimitStatus;
  timeline: TimelineEvent[];
}

/** GET /api/vehicles/:id, /api/workers/:id, /api/cameras/:id: latest known state with its age. */
export interface EntityDetailResponse {
  id: string;
  kind: 'vehicle' | 'worker' | 'camera';
  /** The entity by name, as every page shows it ("城西派出所巡逻车01 川A·12345", "张** (专职网格员)"). */
  label: string;
  name?: string | null;
  plate?: string | null;
  /** vehicle kind (patrol_car…) for a vehicle, absent otherwise */
  type?: string | null;
  role?: string | null;
  departmentId?: string | null;
  /** The owning department's name ("城西派出所"). */
  departmentName?: string | null;
  gridCode?: string | null;
  program?: string | null;
  streamUrl?: string | null;
  isUnassigned?: boolean | number;
  lng: number | null;
  lat: number | null;
  status: string | null;
  speedKmh?: number;
  heading?: number;
  reportedAt: number | null;
  ageMs: number | null;
  isStale: boolean;
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
  /** The actor in words (display name, "110警情接入"…), added by the route. */
  actorName?: string;
}

/** GET /api/audit: the rows, and names for the ids their before/after values mention (assignees). */
export interface AuditListResponse {
  rows: AuditRow[];
  names: Record<string, string>;
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
