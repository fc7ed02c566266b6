import { io as ioClient } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, type WireBatch } from '@/lib/realtime/contract';
import { decodePositions } from '@/lib/realtime/position-codec';
import { waitFor, type WallClient } from '../helpers/test-app';
import { CENTER, STATUS, startDispatchKit, type DispatchKit } from './dispatch-test-kit';

/**
 * Issue 16, item 5: a full snapshot is millions of entities at province scale, so a client must not be able
 * to force one at will (resync, negative acknowledgement, re-subscription), nor multiply itself with sockets.
 * Real app, real SQLite, real Socket.IO clients; the app's clock is the kit's fake one, so the snapshot
 * interval passes only when the test says so.
 */
const BURST = 50;
/** More than any sensible minimum interval between full snapshots; the app's clock is moved by this. */
const PAST_THE_INTERVAL_MS = 60_000;
/** Far more sockets than any per-principal cap allows. */
const MANY_SOCKETS = 40;

let kit: DispatchKit;
let token: string;

beforeAll(async () => {
  kit = await startDispatchKit();
  const admin = await kit.login('admin');
  const created = await kit.api('POST', '/api/display-tokens', {
    cookie: admin,
    body: { name: '被滥用的屏' },
  });
  expect(created.status).toBe(201);
  token = created.body.token as string;
  const live = kit.t.app.ctx.live;
  for (let k = 0; k < 3; k++)
    await kit.placeUnit(live.vehicle, `AMP-${k}`, CENTER.lng + k / 1000, CENTER.lat, STATUS.patrol);
  await kit.addIncident('AMP-INC-1');
});

afterAll(async () => {
  await kit?.close();
});

function openWall(auth: Record<string, unknown>) {
  const socket: WallClient = ioClient(kit.t.url, { transports: ['websocket'], auth, reconnection: false });
  const batches: WireBatch[] = [];
  socket.on('wall:batch', (batch, ack) => {
    batches.push(batch);
    ack({ ok: true });
  });
  return { socket, batches };
}

/** Resolves once the server sealed (and flushed) `n` more ticks: a condition, not a duration. */
async function ticksPass(n: number): Promise<void> {
  const live = kit.t.app.ctx.live;
  const until = live.sealedTick + n;
  await waitFor(() => live.sealedTick >= until, 10_000, `${n} ticks`);
}

describe('full snapshots per client', () => {
  it(`coalesces ${BURST} resyncs into at most one more full snapshot, which is complete and correct`, async () => {
    const wall = openWall({ token });
    await waitFor(() => wall.batches.some((b) => b.isFull), 5_000, 'first snapshot');
    const hub = kit.t.app.hub;
    const fullBefore = hub.metrics.fullSent;
    for (let k = 0; k < BURST; k++) {
      const res = await wall.socket.emitWithAck('wall:resync');
      expect(res.ok).toBe(true);
      // Give the server a tick or two to answer it, as it would answer a wall that truly lost its state.
      await ticksPass(2);
    }
    const fulls = () => wall.batches.filter((b) => b.isFull).length;
    expect(fulls(), 'full snapshots sent while the burst lasted').toBeLessThanOrEqual(2);

    // What happened meanwhile must reach the wall in the deferred snapshot: it is coalesced, never dropped.
    await kit.addIncident('AMP-INC-2');
    kit.clock.advance(PAST_THE_INTERVAL_MS);
    await waitFor(
      () => wall.batches.some((b) => b.isFull && b.incidents?.some((v) => v.id === 'AMP-INC-2')),
      10_000,
      'the deferred full snapshot',
    );
    await ticksPass(3);
    expect(fulls()).toBeLessThanOrEqual(2);
    expect(hub.metrics.fullSent - fullBefore).toBeLessThanOrEqual(1);

    const last = wall.batches.filter((b) => b.isFull).at(-1)!;
    expect((last.incidents ?? []).map((v) => v.id).sort()).toEqual(['AMP-INC-1', 'AMP-INC-2']);
    const live = kit.t.app.ctx.live;
    const idx = [...decodePositions(last.vehicle as Uint8Array).idx].sort();
    expect(idx).toEqual(['AMP-0', 'AMP-1', 'AMP-2'].map((id) => live.vehicle.indexOf(id)!).sort());
    // And it goes on as a live wall: the next change comes as a delta on top of that snapshot.
    await kit.addIncident('AMP-INC-3');
    const delta = await waitFor(
      () => wall.batches.find((b) => !b.isFull && b.incidents?.some((v) => v.id === 'AMP-INC-3')),
      5_000,
      'a delta after the snapshot',
    );
    expect(delta.seq).toBe(wall.batches.indexOf(delta) + 1);
    wall.socket.close();
  });

  it('coalesces negative acknowledgements the same way', async () => {
    const socket: WallClient = ioClient(kit.t.url, {
      transports: ['websocket'],
      auth: { token },
      reconnection: false,
    });
    const batches: WireBatch[] = [];
    socket.on('wall:batch', (batch, ack) => {
      batches.push(batch);
      // A hostile wall: it refuses every batch after the first, each refusal asking for a snapshot.
      ack(batches.length === 1 ? { ok: true } : { ok: false, error: 'gap' });
    });
    await waitFor(() => batches.length >= 1, 5_000, 'first snapshot');
    for (let k = 0; k < 20; k++) {
      await kit.addIncident(`NACK-${k}`);
      await ticksPass(2);
    }
    expect(batches.filter((b) => b.isFull).length).toBeLessThanOrEqual(2);
    socket.close();
  });
});

describe('re-subscriptions', () => {
  it('are answered a few per interval; a flood is refused and ends in one deferred snapshot', async () => {
    const wall = openWall({ token });
    await waitFor(() => wall.batches.some((b) => b.isFull), 5_000, 'first snapshot');
    const answers = await Promise.all(
      Array.from({ length: 200 }, () =>
        wall.socket.emitWithAck('wall:subscribe', { protocol: PROTOCOL_VERSION, regionCode: null }),
      ),
    );
    const refused = answers.filter((a) => !a.ok);
    expect(refused.length, 'subscribes refused out of a burst of 200').toBeGreaterThanOrEqual(150);
    expect(new Set(refused.map((a) => (a.ok ? '' : a.error)))).toEqual(new Set(['too many requests']));
    await ticksPass(3);
    expect(wall.batches.filter((b) => b.isFull).length).toBe(1);
    kit.clock.advance(PAST_THE_INTERVAL_MS);
    await waitFor(() => wall.batches.filter((b) => b.isFull).length === 2, 10_000, 'the deferred snapshot');
    // A new interval, a new allowance: the wall can drill down again.
    const again = await wall.socket.emitWithAck('wall:subscribe', {
      protocol: PROTOCOL_VERSION,
      regionCode: null,
    });
    expect(again.ok).toBe(true);
    wall.socket.close();
  });
});

describe('sockets per principal', () => {
  it('refuses the sockets of one display token beyond the cap, and admits one again once a socket closes', async () => {
    const results: { socket: WallClient; outcome: string }[] = [];
    for (let k = 0; k < MANY_SOCKETS; k++) {
      const socket: WallClient = ioClient(kit.t.url, {
        transports: ['websocket'],
        auth: { token },
        reconnection: false,
      });
      const outcome = await new Promise<string>((resolve) => {
        socket.on('connect', () => resolve('connected'));
        socket.on('connect_error', (e) => resolve(e.message));
      });
      results.push({ socket, outcome });
    }
    const admitted = results.filter((r) => r.outcome === 'connected');
    const refused = results.filter((r) => r.outcome !== 'connected');
    expect(refused.length, 'sockets refused past the per-principal cap').toBeGreaterThan(0);
    expect(admitted.length).toBeGreaterThanOrEqual(2);
    // The newest are the ones refused: the screens already showing keep their link.
    expect(results.slice(0, admitted.length).every((r) => r.outcome === 'connected')).toBe(true);
    expect(new Set(refused.map((r) => r.outcome))).toEqual(new Set(['too many connections']));

    // Another principal is not affected by this one's cap.
    const duty = await kit.login('duty');
    const other = ioClient(kit.t.url, {
      transports: ['websocket'],
      extraHeaders: { cookie: duty },
      reconnection: false,
    });
    await waitFor(() => other.connected, 5_000, 'another principal connected');
    other.close();

    // Closing one admitted socket frees its place.
    admitted[0]!.socket.close();
    await waitFor(
      async () => {
        const again = ioClient(kit.t.url, {
          transports: ['websocket'],
          auth: { token },
          reconnection: false,
        });
        const outcome = await new Promise<string>((resolve) => {
          again.on('connect', () => resolve('connected'));
          again.on('connect_error', (e) => resolve(e.message));
        });
        again.close();
        return outcome === 'connected';
      },
      5_000,
      'a place freed by a closed socket',
    );
    for (const r of results) r.socket.close();

    const text = await (await fetch(`${kit.t.url}/metrics`)).text();
    const m = /pingan_socket_refusals\{reason="too_many_sockets"\} (\d+)/.exec(text);
    expect(m, 'pingan_socket_refusals{reason="too_many_sockets"} on /metrics').not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(refused.length);
  });
});
