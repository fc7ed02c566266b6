/**
 * The wall's client-side state: per entity kind a struct of typed arrays indexed by the server's dense idx,
 * plus the open incidents. `applyBatch` is the only way state changes. It writes into the typed arrays in
 * place (a reducer that copied 100k-entity columns per batch could not meet the 4 ms budget, B3), so it
 * is "pure" in the sense that matters for tests: no I/O, no clock reads, the same batches give the same state.
 */
import type { IncidentView } from '../domain/incident';
import type { WireBatch, WorldInfo } from './contract';
import { PROTOCOL_VERSION } from './contract';
import { markLostReports } from './lost-reports';
import {
  decodePositions,
  ENTITY_KINDS,
  TS_SATURATED,
  TS_UNIT_MS,
  type EntityKind,
  type PositionBatch,
} from './position-codec';

/** What applyBatch takes: the wire batch (stats still unvalidated: the wall parses them with WallStatsSchema). */
export type ClientBatch = WireBatch;

const INITIAL_CAPACITY = 1_024;

export interface KindColumns {
  kind: EntityKind;
  /** Highest idx + 1 ever seen. */
  count: number;
  capacity: number;
  /** Interleaved [lng, lat] per idx, the layout deck.gl reads directly (binary attribute, size 2). */
  position: Float64Array;
  /** 1 when the entity has a position in this scope (an entity outside a scoped wall stays 0). */
  present: Uint8Array;
  heading: Float32Array;
  speed: Uint8Array;
  status: Uint8Array;
  /** Report time, epoch ms; 0 = never reported; -Infinity = older than the codec can say. */
  ts: Float64Array;
  /** Bumped on every change to this kind: the layers' updateTrigger. */
  version: number;
}

export interface ClientState {
  lastSeq: number;
  serverTs: number;
  world: WorldInfo | null;
  entities: Record<EntityKind, KindColumns>;
  incidents: Map<string, IncidentView>;
  incidentsVersion: number;
  /** As received; parse with parseWallStats before use (the wire is a trust boundary). */
  stats: unknown;
  statsVersion: number;
  /** Indexes touched by the last applied batch, per kind (views over a reused scratch array). */
  lastChanged: Record<EntityKind, Uint32Array>;
}

export type ApplyResult =
  | { ok: true; isFull: boolean; newIncidents: IncidentView[] }
  | { ok: false; error: 'gap' | 'decode' | 'version' };

function emptyColumns(kind: EntityKind, capacity = INITIAL_CAPACITY): KindColumns {
  return {
    kind,
    count: 0,
    capacity,
    position: new Float64Array(capacity * 2),
    present: new Uint8Array(capacity),
    heading: new Float32Array(capacity),
    speed: new Uint8Array(capacity),
    status: new Uint8Array(capacity),
    ts: new Float64Array(capacity),
    version: 0,
  };
}

export function createClientState(): ClientState {
  return {
    lastSeq: 0,
    serverTs: 0,
    world: null,
    entities: {
      vehicle: emptyColumns('vehicle'),
      worker: emptyColumns('worker'),
      camera: emptyColumns('camera'),
    },
    incidents: new Map(),
    incidentsVersion: 0,
    stats: undefined,
    statsVersion: 0,
    lastChanged: { vehicle: new Uint32Array(0), worker: new Uint32Array(0), camera: new Uint32Array(0) },
  };
}

/** Grows the columns (doubling) so idx `min - 1` fits; amortised O(1) per entity. */
function ensureCapacity(c: KindColumns, min: number): void {
  if (min <= c.capacity) return;
  let cap = c.capacity;
  while (cap < min) cap *= 2;
  const grow = <T extends Float64Array | Float32Array | Uint8Array>(
    a: T,
    n: number,
    make: (n: number) => T,
  ): T => {
    const b = make(n);
    b.set(a);
    return b;
  };
  c.position = grow(c.position, cap * 2, (n) => new Float64Array(n));
  c.present = grow(c.present, cap, (n) => new Uint8Array(n));
  c.heading = grow(c.heading, cap, (n) => new Float32Array(n));
  c.speed = grow(c.speed, cap, (n) => new Uint8Array(n));
  c.status = grow(c.status, cap, (n) => new Uint8Array(n));
  c.ts = grow(c.ts, cap, (n) => new Float64Array(n));
  c.capacity = cap;
}

/**
 * The hot loop (B3): one pass over the decoded columns, no allocation per update. The 24-bit planes are
 * inlined here rather than calling batchLng/batchLat per entity.
 */
function applyPositions(c: KindColumns, b: PositionBatch): void {
  const n = b.count;
  let max = c.count;
  const idx = b.idx;
  for (let k = 0; k < n; k++) if (idx[k]! + 1 > max) max = idx[k]! + 1;
  ensureCapacity(c, max);
  c.count = max;
  const { lngPlanes: lp, latPlanes: ap, tsBack, heading, speed, status } = b;
  const unit = b.origin.unitE6 / 1e6;
  const lng0 = b.origin.lngE6 / 1e6;
  const lat0 = b.origin.latE6 / 1e6;
  const base = b.baseTs;
  const pos = c.position;
  const n2 = 2 * n;
  for (let k = 0; k < n; k++) {
    const i = idx[k]!;
    pos[2 * i] = lng0 + (lp[k]! | (lp[n + k]! << 8) | (lp[n2 + k]! << 16)) * unit;
    pos[2 * i + 1] = lat0 + (ap[k]! | (ap[n + k]! << 8) | (ap[n2 + k]! << 16)) * unit;
    c.present[i] = 1;
    c.heading[i] = heading[k]! * (360 / 256);
    c.speed[i] = speed[k]!;
    c.status[i] = status[k]!;
    const back = tsBack[k]!;
    c.ts[i] = back === TS_SATURATED ? -Infinity : base - back * TS_UNIT_MS;
  }
}

function clearPresence(c: KindColumns): void {
  c.present.fill(0);
}

/**
 * Applies one batch. A delta whose seq does not follow the last one is refused with 'gap' (state untouched)
 * so the caller can ask for a snapshot; a full batch is always accepted and replaces everything.
 */
export function applyBatch(state: ClientState, batch: ClientBatch): ApplyResult {
  if (batch.v !== PROTOCOL_VERSION) return { ok: false, error: 'version' };
  if (!batch.isFull && batch.seq !== state.lastSeq + 1) return { ok: false, error: 'gap' };
  // Decode everything before touching state, so a corrupt batch leaves the previous state intact.
  const decoded: Partial<Record<EntityKind, PositionBatch>> = {};
  try {
    for (const kind of ENTITY_KINDS) {
      const raw = batch[kind];
      if (raw) decoded[kind] = decodePositions(raw);
    }
  } catch {
    return { ok: false, error: 'decode' };
  }

  if (batch.isFull) {
    for (const kind of ENTITY_KINDS) {
      const c = state.entities[kind];
      clearPresence(c);
      c.count = 0;
    }
    state.incidents = new Map();
    state.stats = undefined;
  }
  if (batch.world) state.world = batch.world;
  // Before this batch's positions: they are newer than the loss, and stay as sent.
  const lostAt = batch.isFull ? undefined : batch.reportsLostAt;
  for (const kind of ENTITY_KINDS) {
    const c = state.entities[kind];
    let isMarked = false;
    if (lostAt) for (const at of lostAt) isMarked = markLostReports(c.ts, c.count, kind, at) > 0 || isMarked;
    const d = decoded[kind];
    if (d) {
      applyPositions(c, d);
      state.lastChanged[kind] = d.idx;
    } else {
      state.lastChanged[kind] = new Uint32Array(0);
    }
    if (d || batch.isFull || isMarked) c.version++;
  }

  const newIncidents: IncidentView[] = [];
  if (batch.incidents || batch.incidentsRemoved || batch.isFull) {
    for (const id of batch.incidentsRemoved ?? []) state.incidents.delete(id);
    for (const v of batch.incidents ?? []) {
      // A full batch re-lists everything: only a delta brings news (the alarm must not ring on a resync).
      if (!batch.isFull && !state.incidents.has(v.id)) newIncidents.push(v);
      state.incidents.set(v.id, v);
    }
    state.incidentsVersion++;
  }
  if (batch.stats !== undefined) {
    state.stats = batch.stats;
    state.statsVersion++;
  }
  state.lastSeq = batch.seq;
  state.serverTs = batch.serverTs;
  return { ok: true, isFull: batch.isFull, newIncidents };
}

/** Age in ms of an entity's last report; Infinity when it never reported. */
export function entityAgeMs(c: KindColumns, i: number, now: number): number {
  const ts = c.ts[i]!;
  return ts > 0 ? now - ts : Number.POSITIVE_INFINITY;
}
