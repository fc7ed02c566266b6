/**
 * A province-scale snapshot as the server sends it (DESIGN §5 B4): 1 M vehicles and 2 M cameras through the
 * real position codec, the JSON part of the batch as Socket.IO carries it, and 120 k grid polygons. Plus one
 * 100 k-vehicle delta (B3) and the same delta as the naive pipeline's JSON objects.
 */
import { encodePositions, type PositionColumns } from '@/lib/realtime/position-codec';
import { originForBbox } from '@/lib/realtime/position-codec';
import { PROTOCOL_VERSION } from '@/lib/realtime/contract';
import { basePosition, FLEET_BBOX, vehicleId } from '../pipeline/fleet';

export const PROVINCE = { vehicles: 1_000_000, cameras: 2_000_000, grids: 120_000 };
export const DELTA_UPDATES = 100_000;
/** Grid rings in the stand-in format: vertices per ring (published grid polygons have 8–20). */
const VERTICES_PER_GRID = 12;

function columns(n: number, seed: number, now: number): PositionColumns {
  const c: PositionColumns = {
    lng: new Float64Array(n),
    lat: new Float64Array(n),
    heading: new Float32Array(n),
    speed: new Float32Array(n),
    status: new Uint8Array(n),
    ts: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const [lng, lat] = basePosition(i + seed);
    c.lng[i] = lng;
    c.lat[i] = lat;
    c.heading[i] = (i * 7) % 360;
    c.speed[i] = i % 80;
    c.status[i] = i & 3;
    c.ts[i] = now - (i % 10_000);
  }
  return c;
}

const range = (n: number) => {
  const a = new Uint32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
};

export interface ProvinceData {
  vehicleFull: Uint8Array;
  cameraFull: Uint8Array;
  /** The JSON text of the full batch (meta columns, world) exactly as Socket.IO frames it, binary aside. */
  batchJson: string;
  grids: Uint8Array;
  delta: Uint8Array;
  naiveDeltaJson: string;
}

export function buildProvinceData(now = Date.now()): ProvinceData {
  const origin = originForBbox(...FLEET_BBOX);
  const v = columns(PROVINCE.vehicles, 0, now);
  const cam = columns(PROVINCE.cameras, 7_777_777, now);
  const vehicleFull = encodePositions(
    'vehicle',
    v,
    range(PROVINCE.vehicles),
    PROVINCE.vehicles,
    now,
    origin,
    true,
  );
  const cameraFull = encodePositions(
    'camera',
    cam,
    range(PROVINCE.cameras),
    PROVINCE.cameras,
    now,
    origin,
    true,
  );
  // Ids and names stay on the server (GET /api/live/:kind/:idx): the snapshot is positions and state only.
  const batch = {
    v: PROTOCOL_VERSION,
    seq: 1,
    isFull: true,
    serverTs: now,
    world: { name: '浙江省', epoch: 'bench', regionCode: null, bbox: FLEET_BBOX },
    vehicle: { _placeholder: true, num: 0 },
    camera: { _placeholder: true, num: 1 },
    incidents: [],
  };
  const batchJson = `452-["wall:batch",${JSON.stringify(batch)},0]`;

  // Grid rings, 16-bit deltas from a 32-bit first vertex: what a compact polygon transfer costs.
  const grids = new Uint8Array(PROVINCE.grids * (8 + 4 * (VERTICES_PER_GRID - 1)));
  const dv = new DataView(grids.buffer);
  let o = 0;
  for (let g = 0; g < PROVINCE.grids; g++) {
    const [lng, lat] = basePosition(g * 31);
    dv.setInt32(o, Math.round(lng * 1e5), true);
    dv.setInt32(o + 4, Math.round(lat * 1e5), true);
    o += 8;
    for (let k = 1; k < VERTICES_PER_GRID; k++, o += 4) {
      const a = (k / VERTICES_PER_GRID) * 2 * Math.PI;
      dv.setInt16(o, Math.round(Math.cos(a) * 80), true);
      dv.setInt16(o + 2, Math.round(Math.sin(a) * 80), true);
    }
  }

  // The delta: every tenth vehicle moved.
  const moved = new Uint32Array(DELTA_UPDATES);
  for (let k = 0; k < DELTA_UPDATES; k++) moved[k] = k * 10;
  for (const i of moved) v.lng[i]! += 1e-4;
  const delta = encodePositions('vehicle', v, moved, DELTA_UPDATES, now, origin, false);
  const naive = Array.from(moved, (i) => ({
    id: vehicleId(i),
    lng: v.lng[i],
    lat: v.lat[i],
    speed: v.speed[i],
    heading: v.heading[i],
    status: 'patrol',
    ts: v.ts[i],
  }));
  return { vehicleFull, cameraFull, batchJson, grids, delta, naiveDeltaJson: JSON.stringify(naive) };
}
