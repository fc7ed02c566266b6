import { sql } from 'drizzle-orm';
import { io as ioClient } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchLng, decodePositions } from '@/lib/realtime/position-codec';
import { PROTOCOL_VERSION, type WireBatch } from '@/lib/realtime/contract';
import { flag } from '@/server/db/sql-db';
import { PING_TIMEOUT_MS } from '@/server/realtime/hub';
import {
  connectWall,
  idxOf,
  startTestApp,
  waitFor,
  waitForIdx,
  type TestApp,
  type WallClient,
} from '../helpers/test-app';

const INGEST_TOKEN = 'test-ingest-token-0123456789';

function positionsOf(batches: WireBatch[], idx: number): number[] {
  const out: number[] = [];
  for (const b of batches) {
    if (!b.vehicle) continue;
    const d = decodePositions(b.vehicle as Uint8Array);
    for (let i = 0; i < d.count; i++) if (d.idx[i] === idx) out.push(batchLng(d, i));
  }
  return out;
}

const publish = (t: TestApp, reports: unknown) => t.bus.publishTelemetry('vehicle', JSON.stringify(reports));

describe('realtime protocol over the in-process bus', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { INGEST_TOKEN } });
  });
  afterAll(async () => t.close());

  const publish = (reports: unknown) => t.bus.publishTelemetry('vehicle', JSON.stringify(reports));
  const post = (path: string, body: unknown, token = INGEST_TOKEN) =>
    fetch(`${t.url}/api/ingest/${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('gives a slow wall only the latest state, one batch in flight, never a backlog', async () => {
    const socket: WallClient = ioClient(t.url, { transports: ['websocket'] });
    const batches: WireBatch[] = [];
    let pendingAck: ((r: { ok: true }) => void) | null = null;
    let inFlightMax = 0;
    socket.on('wall:batch', (batch, ack) => {
      batches.push(batch);
      inFlightMax = Math.max(inFlightMax, pendingAck ? 2 : 1);
      pendingAck = ack; // hold the acknowledgement: this wall is slow
    });
    await waitFor(() => batches.length === 1, 5_000, 'snapshot');
    for (let k = 1; k <= 30; k++) {
      await publish({ id: 'SLOW', lng: 104 + k / 100, lat: 30, ts: Date.now() });
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(batches).toHaveLength(1); // nothing more was sent while the first was unacknowledged
    pendingAck!({ ok: true });
    pendingAck = null;
    await waitFor(() => batches.length === 2, 5_000, 'catch-up batch');
    const idx = (await idxOf(t.url, 'vehicle', 'SLOW'))!;
    expect(positionsOf([batches[1]!], idx)).toEqual([expect.closeTo(104.3, 5)]);
    expect(inFlightMax).toBe(1);
    socket.close();
  });

  it('answers a sequence gap with a full snapshot', async () => {
    const socket: WallClient = ioClient(t.url, { transports: ['websocket'] });
    const batches: WireBatch[] = [];
    socket.on('wall:batch', (batch, ack) => {
      batches.push(batch);
      ack(batches.length === 2 ? { ok: false, error: 'gap' } : { ok: true });
    });
    await waitFor(() => batches.length >= 1, 5_000);
    await publish({ id: 'GAP', lng: 104.5, lat: 30, ts: Date.now() });
    await waitFor(() => batches.length >= 3, 5_000, 'snapshot after gap');
    expect(batches[0]!.isFull).toBe(true);
    expect(batches[1]!.isFull).toBe(false);
    expect(batches[2]!.isFull).toBe(true);
    expect(batches.map((b) => b.seq)).toEqual([1, 2, 3]);
    socket.close();
  });

  it('scopes a wall to a region it asks for and refuses unknown regions', async () => {
    const wall = connectWall(t.url);
    await waitFor(() => wall.batches.length >= 1, 5_000);
    const res = await wall.socket.emitWithAck('wall:subscribe', {
      protocol: PROTOCOL_VERSION,
      regionCode: '999999999999',
    });
    expect(res).toEqual({ ok: false, error: 'unknown region' });
    const bad = await wall.socket.emitWithAck('wall:subscribe', { protocol: 99, regionCode: null });
    expect(bad.ok).toBe(false);
    wall.socket.close();
  });

  it('tells walls when ingest lags, so old positions are not shown as live', async () => {
    const wall = connectWall(t.url);
    await waitFor(() => wall.batches.length >= 1, 5_000, 'snapshot');
    // A backlog: even the newest report applied is 3 s old when it arrives.
    for (let k = 0; k < 5; k++) {
      await publish({ id: 'LAG', lng: 104 + k / 100, lat: 30, ts: Date.now() - 3_000 });
      await new Promise((r) => setTimeout(r, 30));
    }
    const lagging = await waitFor(() => wall.batches.find((b) => (b.lagMs ?? 0) >= 2_900), 5_000, 'lag');
    expect(lagging.lagMs).toBeLessThan(4_000);
    expect((await (await fetch(`${t.url}/api/health`)).json()).ingestLagMs).toBeGreaterThanOrEqual(2_900);
    // Caught up: fresh reports, and within the one-second window the lag is gone.
    const caughtUp = Date.now();
    await waitFor(
      async () => {
        await publish({ id: 'LAG', lng: 104.2, lat: 30, ts: Date.now() });
        await new Promise((r) => setTimeout(r, 50));
        const last = wall.batches.at(-1)!;
        return Date.now() - caughtUp > 200 && (last.lagMs ?? 0) < 1_000;
      },
      5_000,
      'lag cleared',
    );
    wall.socket.close();
  });

  it('sends heartbeats to an idle wall so its link indicator stays honest', async () => {
    const wall = connectWall(t.url);
    await waitFor(() => wall.batches.length >= 3, 5_000, 'heartbeats');
    expect(wall.batches.slice(1).every((b) => !b.isFull)).toBe(true);
    // The handshake gives a busy wall PING_TIMEOUT_MS, not Socket.IO's 20 s, before it calls the link dead.
    expect((wall.socket.io.engine as unknown as { _pingTimeout: number })._pingTimeout).toBe(PING_TIMEOUT_MS);
    wall.socket.close();
  });

  it('feeds HTTP ingest through the same path, with per-item reasons and a token', async () => {
    expect((await post('vehicles', [], 'wrong-token-wrong-token-xx')).status).toBe(401);
    const r = await post('vehicles', [
      { id: 'H1', lng: 104.1, lat: 30.6, ts: Date.now(), crs: 'gcj02' },
      { id: 'H2', lng: 'x', lat: 30.6, ts: Date.now() },
    ]);
    expect(r.status).toBe(202);
    expect(await r.json()).toEqual({ accepted: 1, rejected: [{ index: 1, reason: 'lng:invalid_type' }] });
    // GCJ-02 input is stored as WGS-84: a few hundred metres away from the given numbers.
    const v = t.app.ctx.live.vehicle.getById('H1')!;
    expect(Math.abs(v.lng - 104.1)).toBeGreaterThan(0.001);
    expect(Math.abs(v.lng - 104.1)).toBeLessThan(0.01);
    const bad = await post('incidents', { id: 'X', title: '' });
    expect(bad.status).toBe(400);
    const ok = await post('incidents', {
      id: 'HTTP-1',
      category: 'emergency',
      title: '燃气泄漏',
      lng: 104.07,
      lat: 30.67,
      priority: 1,
      source: 'sensor',
      reportedAt: new Date().toISOString(),
    });
    expect(ok.status).toBe(202);
    expect(await t.app.ctx.sql.get(sql`SELECT state FROM incidents WHERE id='HTTP-1'`)).toEqual({
      state: 'reported',
    });
    // Registered as unassigned by its first report (written at the next tick).
    const vehicle = await waitFor(
      () =>
        t.app.ctx.sql.get<{ is_unassigned: number | boolean }>(
          sql`SELECT is_unassigned FROM vehicles WHERE id='H1'`,
        ),
      5_000,
    );
    expect(flag(vehicle.is_unassigned)).toBe(true);
  });

  it('feeds an incidents-only socket the incident board without positions or figures', async () => {
    const wall = connectWall(t.url);
    const feed = connectWall(t.url, { feed: 'incidents' });
    await waitFor(() => wall.batches.length >= 1 && feed.batches.length >= 1, 5_000, 'snapshots');
    await publish({ id: 'FEED', lng: 104.3, lat: 30.6, ts: Date.now() });
    const res = await post('incidents', {
      id: 'FEED-1',
      category: 'dispute',
      title: '邻里纠纷',
      lng: 104.07,
      lat: 30.67,
      priority: 2,
      source: 'grid_worker',
      reportedAt: new Date().toISOString(),
    });
    expect(res.status).toBe(202);
    const idx = await waitForIdx(t.url, 'vehicle', 'FEED');
    await waitFor(() => positionsOf(wall.batches, idx).length > 0, 5_000, 'the wall sees the unit');
    await waitFor(
      () => feed.batches.some((b) => b.incidents?.some((v) => v.id === 'FEED-1')),
      5_000,
      'the feed sees the incident',
    );
    expect(wall.batches.some((b) => b.incidents?.some((v) => v.id === 'FEED-1'))).toBe(true);
    for (const b of feed.batches) {
      expect(b.vehicle ?? b.worker ?? b.camera ?? b.stats).toBeUndefined();
    }
    expect(feed.batches[0]!.isFull).toBe(true);
    wall.socket.close();
    feed.socket.close();
  });

  it('serves Prometheus metrics with rejection counts to the local host', async () => {
    const text = await (await fetch(`${t.url}/metrics`)).text();
    expect(text).toMatch(/pingan_ingest_rejected_total\{path="http:vehicle",reason="lng:invalid_type"\} 1/);
    expect(text).toMatch(/pingan_socket_clients/);
  });
});

describe('a wall slow to acknowledge', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { INGEST_TOKEN }, ackTiming: { slowMs: 300, giveUpMs: 3_000 } });
  });
  afterAll(async () => t.close());

  it('gets no snapshot piled on past the slow limit, then the latest state as a delta; one that never answers is disconnected', async () => {
    const socket: WallClient = ioClient(t.url, { transports: ['websocket'], reconnection: false });
    const batches: WireBatch[] = [];
    let pendingAck: ((r: { ok: true }) => void) | null = null;
    socket.on('wall:batch', (batch, ack) => {
      batches.push(batch);
      pendingAck = ack;
    });
    await waitFor(() => batches.length === 1, 5_000, 'snapshot');
    pendingAck!({ ok: true });
    await publish(t, { id: 'BUSY', lng: 104.1, lat: 30, ts: Date.now() });
    await waitFor(() => batches.length === 2, 5_000, 'a delta');
    // The wall is busy: past the slow limit, the server waits (no full snapshot on top of what it holds).
    for (let k = 2; k <= 9; k++) {
      await publish(t, { id: 'BUSY', lng: 104 + k / 10, lat: 30, ts: Date.now() });
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(batches).toHaveLength(2);
    expect(t.app.hub.metrics.slowAcks).toBe(1);
    pendingAck!({ ok: true });
    await waitFor(() => batches.length === 3, 5_000, 'the latest state');
    expect(batches[2]!.isFull).toBe(false);
    const idx = (await idxOf(t.url, 'vehicle', 'BUSY'))!;
    expect(positionsOf([batches[2]!], idx)).toEqual([expect.closeTo(104.9, 5)]);
    // Now it never answers: disconnected at the give-up limit.
    pendingAck!({ ok: true });
    await publish(t, { id: 'BUSY', lng: 105, lat: 30, ts: Date.now() });
    await waitFor(() => batches.length === 4, 5_000, 'one more delta');
    await waitFor(() => socket.disconnected, 8_000, 'disconnected by the server');
    expect(t.app.hub.metrics.ackGiveUps).toBe(1);
    // The one connection, no refused batch: a wall that keeps coming back would show in `connect`.
    const text = await (await fetch(`${t.url}/metrics`)).text();
    expect(text).toMatch(/pingan_realtime_batches\{what="connect"\} 1$/m);
    expect(text).toMatch(/pingan_realtime_batches\{what="refused"\} 0$/m);
    expect(text).toMatch(/pingan_realtime_batches\{what="ack_give_up"\} 1$/m);
    socket.close();
  });
});
