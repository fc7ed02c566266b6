/**
 * Runs inside Chromium (bundled by esbuild): the wall's own store code (lib/realtime/client-store.ts) applying
 * a province snapshot and 100 k-vehicle deltas, against the naive per-object rebuild. Only JS work is timed:
 * software WebGL here would make frame times meaningless.
 */
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { AREA_TILE_LAYER } from '@/lib/map/area-style';
import { applyBatch, createClientState } from '@/lib/realtime/client-store';
import { PROTOCOL_VERSION, type WireBatch } from '@/lib/realtime/contract';

interface ColdLoad {
  bytes: Record<string, number>;
  fetchMs: number;
  decodeMs: number;
  firstFullMapMs: number;
  entities: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)]!;
let state = createClientState();

/** What MapLibre's worker does with an area tile (here on the main thread: a conservative figure). */
function decodeAreaTile(buf: ArrayBuffer): number {
  return new VectorTile(new PbfReader(new Uint8Array(buf))).layers[AREA_TILE_LAYER]?.length ?? 0;
}

async function coldLoad(): Promise<ColdLoad> {
  state = createClientState();
  const t0 = performance.now();
  const tilePaths = (await (await fetch('/areas.json')).json()) as string[];
  const [text, vehicle, camera, ...tiles] = await Promise.all([
    fetch('/batch.json').then((r) => r.text()),
    fetch('/vehicle.bin').then((r) => r.arrayBuffer()),
    fetch('/camera.bin').then((r) => r.arrayBuffer()),
    ...tilePaths.map((p) => fetch(p).then((r) => r.arrayBuffer())),
  ]);
  const t1 = performance.now();
  // Socket.IO's text frame: `452-[event, payload, ack]`; the binary attachments replace the placeholders.
  const [, payload] = JSON.parse(text.slice(text.indexOf('['))) as [string, WireBatch];
  payload.vehicle = new Uint8Array(vehicle);
  payload.camera = new Uint8Array(camera);
  const r = applyBatch(state, payload);
  if (!r.ok) throw new Error(`snapshot refused: ${r.error}`);
  let areas = 0;
  for (const t of tiles) areas += decodeAreaTile(t);
  const t2 = performance.now();
  return {
    bytes: {
      batchJson: new TextEncoder().encode(text).byteLength,
      vehicle: vehicle.byteLength,
      camera: camera.byteLength,
    },
    fetchMs: t1 - t0,
    decodeMs: t2 - t1,
    firstFullMapMs: t2 - t0,
    entities: state.entities.vehicle.count + state.entities.camera.count + areas,
  };
}

async function applyDeltas(runs: number): Promise<{ medianMs: number; p95Ms: number; updates: number }> {
  const delta = new Uint8Array((await (await fetch('/delta.bin')).arrayBuffer()) as ArrayBuffer);
  const times: number[] = [];
  for (let k = 0; k < runs; k++) {
    const batch: WireBatch = {
      v: PROTOCOL_VERSION,
      seq: state.lastSeq + 1,
      isFull: false,
      serverTs: Date.now(),
      vehicle: delta,
    };
    const t0 = performance.now();
    const r = applyBatch(state, batch);
    times.push(performance.now() - t0);
    if (!r.ok) throw new Error(`delta refused: ${r.error}`);
  }
  return { medianMs: median(times), p95Ms: p95(times), updates: state.lastChanged.vehicle.length };
}

/** The naive wall: a Map of per-vehicle objects, each update a new object, then the layer's data array rebuilt. */
async function applyNaive(runs: number, fleet: number): Promise<{ medianMs: number; p95Ms: number }> {
  type V = {
    id: string;
    lng: number;
    lat: number;
    speed: number;
    heading: number;
    status: string;
    ts: number;
  };
  const updates = JSON.parse(await fetch('/naive-delta.json').then((r) => r.text())) as V[];
  const byId = new Map<string, V>();
  for (let i = 0; i < fleet; i++) {
    const id = `V${String(i).padStart(7, '0')}`;
    byId.set(id, { id, lng: 120, lat: 30, speed: 0, heading: 0, status: 'patrol', ts: 0 });
  }
  let data: V[] = [];
  const times: number[] = [];
  for (let k = 0; k < runs; k++) {
    const t0 = performance.now();
    for (const u of updates) byId.set(u.id, { ...byId.get(u.id)!, ...u });
    data = Array.from(byId.values());
    times.push(performance.now() - t0);
  }
  if (data.length !== fleet) throw new Error('naive rebuild lost vehicles');
  return { medianMs: median(times), p95Ms: p95(times) };
}

Object.assign(globalThis, { benchColdLoad: coldLoad, benchApply: applyDeltas, benchNaive: applyNaive });
