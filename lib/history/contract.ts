/**
 * The history API's wire shapes (DESIGN §4), shared by the server and the wall's replay and track views.
 * Positions come back as WGS-84 degrees; times as epoch milliseconds.
 */
import {
  decodePositions,
  ENTITY_KINDS,
  type EntityKind,
  type PositionBatch,
} from '../realtime/position-codec';

export interface TrackPoint {
  ts: number;
  lng: number;
  lat: number;
  /** km/h, 0.1 steps */
  speed?: number;
  /** degrees 0..359 */
  heading?: number;
  status?: string;
}

export interface TrackStop {
  from: number;
  to: number;
  lng: number;
  lat: number;
}

export interface TrackResponse {
  kind: 'vehicle' | 'worker';
  id: string;
  from: number;
  to: number;
  points: TrackPoint[];
  /** Stays of TRACK_STOP_MIN_MS or longer within TRACK_STOP_RADIUS_M. */
  stops: TrackStop[];
  distanceM: number;
  /** True when the period held more than the server's point cap and the answer stops early. */
  isTruncated: boolean;
}

export interface HistoryIncidentEvent {
  at: number;
  type: string;
  actor: string;
  fromState: string | null;
  toState: string | null;
  note: string | null;
  /**
   * assign steps: whom it was sent to (absent on other steps), so a replay names the unit that held the case
   * at its instant, not the one that held it last.
   */
  assigneeKind?: string;
  assigneeId?: string;
}

export interface HistoryIncident {
  id: string;
  category: string;
  title: string;
  priority: number;
  source: string;
  state: string;
  lng: number;
  lat: number;
  gridCode: string | null;
  reportedAt: number;
  closedAt: number | null;
  assigneeKind: string | null;
  assigneeId: string | null;
  timeline: HistoryIncidentEvent[];
}

export interface HistoryIncidentsResponse {
  from: number;
  to: number;
  regionCode: string | null;
  incidents: HistoryIncident[];
  isTruncated: boolean;
}

/**
 * `GET /api/history/frame` answers `application/octet-stream`: a 16-byte header (magic 'H', version, kind
 * count, 1 spare byte, 4 spare, f64 `at`), then per kind a u32 length and that many bytes of a position batch
 * exactly as the live snapshot sends it (isFull set), padded to 4 bytes. Its idx values are the live numbering
 * named by the `x-pingan-epoch` response header, so `/api/live/:kind/:idx` names any unit in it.
 */
export const FRAME_MAGIC = 0x48; // 'H'
export const FRAME_VERSION = 1;
export const FRAME_HEADER_BYTES = 16;

export function packFrame(at: number, batches: Record<EntityKind, Uint8Array>): Uint8Array {
  let size = FRAME_HEADER_BYTES;
  for (const k of ENTITY_KINDS) size += 4 + Math.ceil(batches[k].byteLength / 4) * 4;
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint8(0, FRAME_MAGIC);
  dv.setUint8(1, FRAME_VERSION);
  dv.setUint8(2, ENTITY_KINDS.length);
  dv.setFloat64(8, at, true);
  let o = FRAME_HEADER_BYTES;
  for (const k of ENTITY_KINDS) {
    dv.setUint32(o, batches[k].byteLength, true);
    out.set(batches[k], o + 4);
    o += 4 + Math.ceil(batches[k].byteLength / 4) * 4;
  }
  return out;
}

export function unpackFrame(input: Uint8Array | ArrayBuffer): {
  at: number;
  batches: Record<EntityKind, PositionBatch>;
} {
  let bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  if (bytes.byteOffset % 4 !== 0) bytes = new Uint8Array(bytes);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (
    bytes.byteLength < FRAME_HEADER_BYTES ||
    dv.getUint8(0) !== FRAME_MAGIC ||
    dv.getUint8(1) !== FRAME_VERSION
  )
    throw new Error('not a history frame');
  const batches = {} as Record<EntityKind, PositionBatch>;
  let o = FRAME_HEADER_BYTES;
  for (const k of ENTITY_KINDS) {
    if (o + 4 > bytes.byteLength) throw new Error('truncated history frame');
    const n = dv.getUint32(o, true);
    if (o + 4 + n > bytes.byteLength) throw new Error('truncated history frame');
    batches[k] = decodePositions(bytes.subarray(o + 4, o + 4 + n));
    o += 4 + Math.ceil(n / 4) * 4;
  }
  return { at: dv.getFloat64(8, true), batches };
}
