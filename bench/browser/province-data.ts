/**
 * A province-scale snapshot as the server sends it (DESIGN §5 B4): 1 M vehicles and 2 M cameras through the
 * real position codec, the JSON part of the batch as Socket.IO carries it, and 120 k grid polygons as the
 * vector tiles the wall loads for its first view. Plus one
 * 100 k-vehicle delta (B3) and the same delta as the naive pipeline's JSON objects.
 */
import { encodePositions, type PositionColumns } from '@/lib/realtime/position-codec';
import { originForBbox } from '@/lib/realtime/position-codec';
import { PROTOCOL_VERSION } from '@/lib/realtime/contract';
import { AreaTiles, type AreaFeatureCollection } from '@/server/stats/area-tiles';
import { PackedPolygons } from '@/lib/geo/packed-polygons';
import { basePosition, FLEET_BBOX, vehicleId } from '../pipeline/fleet';

export const PROVINCE = { vehicles: 1_000_000, cameras: 2_000_000, grids: 120_000 };
export const DELTA_UPDATES = 100_000;
/** Vertices per grid ring (published grid polygons have 8–20). */
const VERTICES_PER_GRID = 12;
/** The wall the cold load is for. */
const VIEWPORT = { width: 1920, height: 1080 };

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
  /** The gzipped area tiles a 1920×1080 wall fitted to the province loads first, by URL path. */
  areaTiles: Map<string, Buffer>;
  delta: Uint8Array;
  naiveDeltaJson: string;
}

/**
 * 120 k grids tiling the province (wobbly cells, 12 vertices each), cut into vector tiles by the server's own
 * AreaTiles, and the tiles MapLibre requests first for a wall fitted to the province: 512 px tiles at
 * floor(fit zoom), over the bbox.
 */
async function provinceAreaTiles(): Promise<Map<string, Buffer>> {
  const [w, s, e, n] = FLEET_BBOX;
  const cols = Math.round(Math.sqrt((PROVINCE.grids * (e - w)) / (n - s)));
  const rows = Math.ceil(PROVINCE.grids / cols);
  const dx = (e - w) / cols;
  const dy = (n - s) / rows;
  const features: AreaFeatureCollection['features'] = [];
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols && features.length < PROVINCE.grids; c++) {
      const x0 = w + c * dx;
      const y0 = s + r * dy;
      const ring: [number, number][] = [];
      for (let k = 0; k < VERTICES_PER_GRID; k++) {
        // Around the cell's edge, three vertices a side, each nudged a little (real grids follow streets).
        const side = Math.floor(k / 3);
        const t = (k % 3) / 3;
        const wobble = 0.08 * Math.sin((r * 31 + c * 17 + k) * 1.7);
        const [fx, fy] = [
          [t, 0],
          [1, t],
          [1 - t, 1],
          [0, 1 - t],
        ][side]!;
        ring.push([
          x0 + (fx! + (side % 2 === 1 ? wobble : 0)) * dx,
          y0 + (fy! + (side % 2 === 0 ? wobble : 0)) * dy,
        ]);
      }
      ring.push(ring[0]!);
      const code = `33${String(features.length).padStart(13, '0')}`;
      features.push({
        type: 'Feature',
        properties: { code },
        geometry: { type: 'Polygon', coordinates: [ring] },
      });
    }
  const tiles = new AreaTiles(
    () => new PackedPolygons(features.map((f) => ({ code: f.properties.code, geometry: f.geometry }))),
  );
  const mercX = (lng: number) => (lng + 180) / 360;
  const mercY = (lat: number) => {
    const r = (lat * Math.PI) / 180;
    return (1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2;
  };
  const fitZoom = Math.min(
    Math.log2(VIEWPORT.width / (512 * (mercX(e) - mercX(w)))),
    Math.log2(VIEWPORT.height / (512 * (mercY(s) - mercY(n)))),
  );
  const z = Math.floor(fitZoom);
  const out = new Map<string, Buffer>();
  for (let x = Math.floor(mercX(w) * 2 ** z); x <= Math.floor(mercX(e) * 2 ** z); x++)
    for (let y = Math.floor(mercY(n) * 2 ** z); y <= Math.floor(mercY(s) * 2 ** z); y++) {
      const t = await tiles.tile(z, x, y);
      if (t) out.set(`/areas/${z}/${x}/${y}`, t);
    }
  return out;
}

export async function buildProvinceData(now = Date.now()): Promise<ProvinceData> {
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

  const areaTiles = await provinceAreaTiles();

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
  return { vehicleFull, cameraFull, batchJson, areaTiles, delta, naiveDeltaJson: JSON.stringify(naive) };
}
