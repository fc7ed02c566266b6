import { afterEach, describe, expect, it } from 'vitest';
import { unpackFrame } from '@/lib/history/contract';
import type { WireBatch, EntityIdPage } from '@/lib/realtime/contract';
import {
  batchLat,
  batchLng,
  batchTs,
  decodePositions,
  ENTITY_KINDS,
  type EntityKind,
  type PositionBatch,
} from '@/lib/realtime/position-codec';
import { connectWall, startTestApp, waitFor, type TestApp } from '../helpers/test-app';
import { HISTORY_ENV, ingest } from './history-kit';

interface Seen {
  lng: number;
  lat: number;
  ts: number;
  status: number;
  heading: number;
  speed: number;
}
type View = Record<EntityKind, Map<number, Seen>>;

function apply(view: View, b: PositionBatch): void {
  if (b.isFull) view[b.kind].clear();
  for (let i = 0; i < b.count; i++)
    view[b.kind].set(b.idx[i]!, {
      lng: batchLng(b, i),
      lat: batchLat(b, i),
      ts: batchTs(b, i),
      status: b.status[i]!,
      heading: b.heading[i]!,
      speed: b.speed[i]!,
    });
}

/** What a wall holds after applying every batch it was sent, in order. */
function wallView(batches: WireBatch[]): View {
  const view: View = { vehicle: new Map(), worker: new Map(), camera: new Map() };
  for (const w of batches)
    for (const k of ENTITY_KINDS) {
      const bytes = w[k];
      if (bytes) apply(view, decodePositions(bytes as Uint8Array));
    }
  return view;
}

async function ids(url: string, kind: EntityKind): Promise<string[]> {
  return ((await (await fetch(`${url}/api/live/${kind}/ids`)).json()) as EntityIdPage).ids;
}

/** A view keyed by entity id (idx numbering is per server lifetime). */
async function byId(url: string, view: View): Promise<Record<string, Seen>> {
  const out: Record<string, Seen> = {};
  for (const k of ENTITY_KINDS) {
    const names = await ids(url, k);
    for (const [idx, s] of view[k]) out[`${k}:${names[idx]}`] = s;
  }
  return out;
}

async function frameAt(url: string, at: number): Promise<View> {
  const r = await fetch(`${url}/api/history/frame?at=${at}`);
  expect(r.status).toBe(200);
  const { batches } = unpackFrame(new Uint8Array(await r.arrayBuffer()));
  const view: View = { vehicle: new Map(), worker: new Map(), camera: new Map() };
  for (const k of ENTITY_KINDS) apply(view, batches[k]);
  return view;
}

let t: TestApp | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

describe('history frame', () => {
  it('replays a recorded live period: the frame at each instant is what a real wall held then, also after a restart', async () => {
    t = await startTestApp({ env: HISTORY_ENV });
    const wall = connectWall(t.url);
    const base = Math.floor((Date.now() - 300_000) / 1000) * 1000;
    const cam = '33010200001320000001';
    const phaseA = {
      vehicles: [
        { id: 'V1', ts: base, lng: 120.171, lat: 30.251, speed: 31, heading: 90, status: 'patrol' },
        { id: 'V2', ts: base + 1_000, lng: 120.18, lat: 30.26, speed: 0, heading: 0, status: 'idle' },
        { id: 'V3', ts: base + 2_000, lng: 120.19, lat: 30.24, speed: 12, heading: 200, status: 'patrol' },
      ],
      workers: [
        { id: 'W1', ts: base + 3_000, lng: 120.175, lat: 30.255, status: 'on_duty' },
        { id: 'W2', ts: base + 4_000, lng: 120.176, lat: 30.256, status: 'on_duty' },
      ],
      cameras: [{ id: cam, ts: base + 5_000, status: 'online', lng: 120.172, lat: 30.252, name: '测试路口' }],
    };
    for (const [kind, items] of Object.entries(phaseA)) await ingest(t.url, t.app, kind as 'vehicles', items);
    const seenAll = (n: number) => {
      const v = wallView(wall.batches);
      return v.vehicle.size === 3 && v.worker.size === 2 && v.camera.size === 1 && n <= wall.batches.length;
    };
    await waitFor(() => seenAll(1), 10_000, 'the wall to show phase A');
    await new Promise((r) => setTimeout(r, 300)); // a tick or two more: nothing is in flight
    const atA = base + 5_000;
    const snapA = wallView(wall.batches);

    // Phase B: two units move, one changes status, a worker walks, the camera drops.
    await ingest(t.url, t.app, 'vehicles', [
      {
        id: 'V1',
        ts: base + 60_000,
        lng: 120.175,
        lat: 30.253,
        speed: 44,
        heading: 80,
        status: 'responding',
      },
      { id: 'V2', ts: base + 61_000, lng: 120.181, lat: 30.262, speed: 18, heading: 10, status: 'patrol' },
    ]);
    await ingest(t.url, t.app, 'workers', [
      { id: 'W1', ts: base + 62_000, lng: 120.1755, lat: 30.2551, status: 'on_duty' },
    ]);
    await ingest(t.url, t.app, 'cameras', [{ id: cam, ts: base + 63_000, status: 'offline' }]);
    await waitFor(
      () => [...wallView(wall.batches).camera.values()][0]?.status === 1,
      10_000,
      'the wall to show phase B',
    );
    await new Promise((r) => setTimeout(r, 300));
    const atB = base + 63_000;
    const snapB = wallView(wall.batches);
    expect(snapB.vehicle).not.toEqual(snapA.vehicle);

    expect(await frameAt(t.url, atA)).toEqual(snapA);
    expect(await frameAt(t.url, atB)).toEqual(snapB);
    // Before anything was reported: nothing.
    const empty = await frameAt(t.url, base - 1);
    expect(ENTITY_KINDS.map((k) => empty[k].size)).toEqual([0, 0, 0]);

    // After a restart (idx renumbered, everything now in SQLite) the same instants give the same picture.
    const idA = await byId(t.url, snapA);
    const idB = await byId(t.url, snapB);
    wall.socket.close();
    const dbPath = t.dbPath;
    await t.close();
    t = await startTestApp({ env: HISTORY_ENV, dbPath });
    expect(await byId(t.url, await frameAt(t.url, atA))).toEqual(idA);
    expect(await byId(t.url, await frameAt(t.url, atB))).toEqual(idB);
  });

  it('rejects a missing or malformed instant', async () => {
    t = await startTestApp({ env: HISTORY_ENV });
    expect((await fetch(`${t.url}/api/history/frame`)).status).toBe(400);
    expect((await fetch(`${t.url}/api/history/frame?at=yesterday`)).status).toBe(400);
    expect((await fetch(`${t.url}/api/history/frame?at=1&region=33`)).status).toBe(400);
  });
});
