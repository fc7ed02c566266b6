import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTITY_ID_PAGE_MAX, type WireBatch } from '@/lib/realtime/contract';
import { decodePositions } from '@/lib/realtime/position-codec';
import { CENTER, startDispatchKit, type DispatchKit } from './dispatch-test-kit';
import { connectWall, waitFor } from '../helpers/test-app';

/**
 * Batches carry entities by idx only; these routes say who an idx is, under the numbering's epoch.
 * Real app, real SQLite, real HTTP, the real session auth.
 */
let kit: DispatchKit;
let duty: string;

beforeAll(async () => {
  kit = await startDispatchKit();
  duty = await kit.login('duty');
  const live = kit.t.app.ctx.live;
  for (let k = 0; k < 5; k++)
    await kit.placeUnit(live.vehicle, `V-${k}`, CENTER.lng + k / 1000, CENTER.lat, 0);
});

afterAll(async () => {
  await kit?.close();
});

describe('entity lookup by idx', () => {
  it('names the unit a wall clicked, by the idx its batches carry', async () => {
    const epoch = kit.t.app.ctx.live.epoch;
    const idx = kit.t.app.ctx.live.vehicle.indexOf('V-3')!;
    const r = await kit.api('GET', `/api/live/vehicle/${idx}?epoch=${epoch}`, { cookie: duty });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ epoch, kind: 'vehicle', idx, id: 'V-3', name: '单位 V-3' });
  });

  it('refuses an idx from another numbering, an unknown idx or kind, and a missing session', async () => {
    expect((await kit.api('GET', '/api/live/vehicle/0?epoch=old-server', { cookie: duty })).status).toBe(409);
    expect((await kit.api('GET', '/api/live/vehicle/99999', { cookie: duty })).status).toBe(404);
    expect((await kit.api('GET', '/api/live/tank/0', { cookie: duty })).status).toBe(404);
    expect((await kit.api('GET', '/api/live/vehicle/-1', { cookie: duty })).status).toBe(400);
    expect((await kit.api('GET', '/api/live/vehicle/0')).status).toBe(401);
    expect((await kit.api('GET', '/api/live/vehicle/ids')).status).toBe(401);
  });

  it('gives the idx of a unit found by id (a search result opened in replay), under the same epoch', async () => {
    const epoch = kit.t.app.ctx.live.epoch;
    const idx = kit.t.app.ctx.live.vehicle.indexOf('V-2')!;
    const r = await kit.api('GET', `/api/live/vehicle/id/V-2?epoch=${epoch}`, { cookie: duty });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ epoch, kind: 'vehicle', idx, id: 'V-2', name: '单位 V-2' });
    expect((await kit.api('GET', '/api/live/vehicle/id/V-2', { cookie: duty })).body.idx).toBe(idx);
    expect((await kit.api('GET', '/api/live/vehicle/id/NOPE', { cookie: duty })).status).toBe(404);
    expect((await kit.api('GET', '/api/live/vehicle/id/V-2?epoch=old-server', { cookie: duty })).status).toBe(
      409,
    );
    expect((await kit.api('GET', '/api/live/vehicle/id/V-2')).status).toBe(401);
  });

  it('pages through the ids in idx order, never more than a page at once', async () => {
    const store = kit.t.app.ctx.live.vehicle;
    const all = await kit.api('GET', '/api/live/vehicle/ids', { cookie: duty });
    // Each id at its own idx, by the id index's lookup (not by the arena the page is read from).
    expect(all.body.ids.map((id: string) => store.indexOf(id))).toEqual([...Array(store.count).keys()]);
    expect(all.body.count).toBe(store.count);
    const page = await kit.api('GET', '/api/live/vehicle/ids?from=2&limit=2', { cookie: duty });
    expect(page.body.from).toBe(2);
    expect(page.body.ids.map((id: string) => store.indexOf(id))).toEqual([2, 3]);
    const huge = await kit.api('GET', `/api/live/vehicle/ids?limit=${ENTITY_ID_PAGE_MAX * 10}`, {
      cookie: duty,
    });
    expect(huge.status).toBe(200);
    expect((await kit.api('GET', '/api/live/vehicle/ids?from=x', { cookie: duty })).status).toBe(400);
  });

  it('puts the same epoch in the snapshot, and the snapshot holds no names or ids', async () => {
    const wall = connectWall(kit.t.url, { token: await displayToken() });
    const full = await waitFor(() => wall.batches.find((b) => b.isFull), 5_000, 'snapshot');
    expect(full.world?.epoch).toBe(kit.t.app.ctx.live.epoch);
    expect(Object.keys(full)).not.toContain('meta');
    expect(JSON.stringify(full)).not.toContain('单位 V-3');
    // The positions name the clicked unit by idx; its id comes from the lookup.
    const d = decodePositions((full as WireBatch).vehicle as Uint8Array);
    expect([...d.idx]).toContain(kit.t.app.ctx.live.vehicle.indexOf('V-3'));
    wall.socket.close();
  });
});

async function displayToken(): Promise<string> {
  const admin = await kit.login('admin');
  const r = await kit.api('POST', '/api/display-tokens', { cookie: admin, body: { name: 'lookup test' } });
  expect(r.status).toBe(201);
  return r.body.token as string;
}
