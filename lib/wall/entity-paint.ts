/**
 * Per-entity drawing attributes (look, RGBA colour, icon angle) kept as typed arrays beside the client
 * store's columns, so deck.gl reads them as binary attributes. Updated for the entities a batch touched,
 * plus a once-a-second sweep that turns silent entities stale (time passes without any batch).
 */
import { STALE_AFTER_MS } from '../realtime/contract';
import type { KindColumns } from '../realtime/client-store';
import type { EntityKind } from '../realtime/position-codec';
import {
  CAMERA_LOOK_COLOR,
  CAMERA_QUIET_COLOR,
  CAMERA_LOOK_SEVERITY,
  CAMERA_LOOKS,
  VEHICLE_LOOK_COLOR,
  VEHICLE_LOOK_SEVERITY,
  VEHICLE_LOOKS,
  WORKER_LOOK_COLOR,
  WORKER_LOOKS,
  type Rgba,
} from './palette';

export interface LookTable {
  /** RGBA per look code. */
  colors: Rgba[];
  /** Cluster severity per look code (higher = shown). */
  severity: Uint8Array;
  /** Look code for a status code that is fresh; `staleLook` when too old. */
  fromStatus: (status: number) => number;
  staleLook: number;
  labels: readonly string[];
  /** RGBA per look for the zoomed-out quiet layer (cameras only). */
  quietColors?: Rgba[];
}

export const LOOK_TABLES: Record<EntityKind, LookTable> = {
  camera: {
    colors: CAMERA_LOOKS.map((l) => CAMERA_LOOK_COLOR[l]),
    severity: Uint8Array.from(CAMERA_LOOKS.map((l) => CAMERA_LOOK_SEVERITY[l])),
    // Wire codes are CAMERA_STATUSES (online, offline, fault): the same first three looks.
    fromStatus: (s) => (s <= 2 ? s : 1),
    staleLook: CAMERA_LOOKS.indexOf('stale'),
    labels: CAMERA_LOOKS,
    quietColors: CAMERA_LOOKS.map((l) => CAMERA_QUIET_COLOR[l]),
  },
  vehicle: {
    colors: VEHICLE_LOOKS.map((l) => VEHICLE_LOOK_COLOR[l]),
    severity: Uint8Array.from(VEHICLE_LOOKS.map((l) => VEHICLE_LOOK_SEVERITY[l])),
    fromStatus: (s) => (s <= 4 ? s : 4),
    staleLook: VEHICLE_LOOKS.indexOf('stale'),
    labels: VEHICLE_LOOKS,
  },
  worker: {
    colors: WORKER_LOOKS.map((l) => WORKER_LOOK_COLOR[l]),
    severity: Uint8Array.from([2, 0, 1]),
    // Wire codes are WORKER_STATUSES (on_duty, off_duty): the same first two looks.
    fromStatus: (s) => (s === 0 ? 0 : 1),
    staleLook: WORKER_LOOKS.indexOf('stale'),
    labels: WORKER_LOOKS,
  },
};

export interface EntityPaint {
  kind: EntityKind;
  capacity: number;
  look: Uint8Array;
  color: Uint8Array;
  /** RGBA per entity for the quiet (zoomed-out) layer; empty for kinds that have none. */
  quiet: Uint8Array;
  /** deck.gl icon angle: degrees counter-clockwise from north, i.e. minus the compass heading. */
  angle: Float32Array;
  version: number;
}

export function createPaint(kind: EntityKind, capacity = 1024): EntityPaint {
  return {
    kind,
    capacity,
    look: new Uint8Array(capacity),
    color: new Uint8Array(capacity * 4),
    quiet: new Uint8Array(LOOK_TABLES[kind].quietColors ? capacity * 4 : 0),
    angle: new Float32Array(capacity),
    version: 0,
  };
}

function ensure(p: EntityPaint, capacity: number): void {
  if (capacity <= p.capacity) return;
  const look = new Uint8Array(capacity);
  look.set(p.look);
  const color = new Uint8Array(capacity * 4);
  color.set(p.color);
  const quiet = new Uint8Array(p.quiet.length > 0 ? capacity * 4 : 0);
  quiet.set(p.quiet);
  const angle = new Float32Array(capacity);
  angle.set(p.angle);
  Object.assign(p, { look, color, quiet, angle, capacity });
}

function paintOne(p: EntityPaint, c: KindColumns, t: LookTable, i: number, staleBefore: number): void {
  const ts = c.ts[i]!;
  const look = c.present[i] === 0 ? -1 : ts < staleBefore ? t.staleLook : t.fromStatus(c.status[i]!);
  const o = 4 * i;
  if (look < 0) {
    // Not in this wall's scope (or never placed): transparent, never drawn as anything.
    p.color[o + 3] = 0;
    if (t.quietColors) p.quiet[o + 3] = 0;
    p.look[i] = 0;
    return;
  }
  p.look[i] = look;
  const rgba = t.colors[look]!;
  p.color[o] = rgba[0];
  p.color[o + 1] = rgba[1];
  p.color[o + 2] = rgba[2];
  p.color[o + 3] = rgba[3];
  if (t.quietColors) p.quiet.set(t.quietColors[look]!, o);
  p.angle[i] = -c.heading[i]!;
}

/** Repaints the entities a batch touched (or all of them after a full batch). */
export function paintChanged(
  p: EntityPaint,
  c: KindColumns,
  changed: ArrayLike<number> | 'all',
  now: number,
): void {
  ensure(p, c.capacity);
  const t = LOOK_TABLES[p.kind];
  const staleBefore = now - STALE_AFTER_MS[p.kind];
  if (changed === 'all') for (let i = 0; i < c.count; i++) paintOne(p, c, t, i, staleBefore);
  else for (let k = 0; k < changed.length; k++) paintOne(p, c, t, changed[k]!, staleBefore);
  p.version++;
}

/** Ages every entity against the clock; returns how many changed look (0: nothing to redraw). */
export function sweepStale(p: EntityPaint, c: KindColumns, now: number): number {
  ensure(p, c.capacity);
  const t = LOOK_TABLES[p.kind];
  const staleBefore = now - STALE_AFTER_MS[p.kind];
  let changed = 0;
  for (let i = 0; i < c.count; i++) {
    if (c.present[i] === 0) continue;
    const shouldBeStale = c.ts[i]! < staleBefore;
    if (shouldBeStale !== (p.look[i] === t.staleLook)) {
      paintOne(p, c, t, i, staleBefore);
      changed++;
    }
  }
  if (changed > 0) p.version++;
  return changed;
}

/** Counts per look among present entities (legend numbers). */
export function countLooks(p: EntityPaint, c: KindColumns): number[] {
  const out = new Array<number>(LOOK_TABLES[p.kind].labels.length).fill(0);
  for (let i = 0; i < c.count; i++) if (c.present[i] === 1) out[p.look[i]!]!++;
  return out;
}
