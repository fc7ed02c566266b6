import { io as ioClient } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WireBatch } from '@/lib/realtime/contract';
import { CENTER, STATUS, startDispatchKit, type DispatchKit } from './dispatch-test-kit';

/**
 * The server's share of "every wall sees an assignment at once": from the assign request to a wall socket
 * holding the new state. Printed for the notes; the assertion only checks that it arrives.
 */
describe('assignment reaches walls', () => {
  let kit: DispatchKit;
  beforeAll(async () => {
    kit = await startDispatchKit();
  });
  afterAll(async () => kit.t.close());

  it('pushes the dispatched state to a signed-in wall socket', async () => {
    const dispatcher = await kit.login('dispatcher');
    const duty = await kit.login('duty');
    await kit.placeUnit(kit.t.app.ctx.live.vehicle, 'lat-car', CENTER.lng + 0.01, CENTER.lat, STATUS.patrol);
    await kit.addIncident('lat-1');
    const socket = ioClient(kit.t.url, { transports: ['websocket'], extraHeaders: { cookie: duty } });
    let seenAt = 0;
    socket.on('wall:batch', (batch: WireBatch, ack: (r: { ok: true }) => void) => {
      if (batch.incidents?.some((i) => i.id === 'lat-1' && i.state === 'dispatched'))
        seenAt = performance.now();
      ack({ ok: true });
    });
    await new Promise<void>((r) => socket.once('connect', () => r()));
    await new Promise((r) => setTimeout(r, 300));
    const t0 = performance.now();
    const res = await kit.api('POST', '/api/incidents/lat-1/assign', {
      cookie: dispatcher,
      body: { vehicleId: 'lat-car' },
    });
    const answeredMs = performance.now() - t0;
    expect(res.status).toBe(200);
    for (let k = 0; k < 100 && seenAt === 0; k++) await new Promise((r) => setTimeout(r, 20));
    expect(seenAt).toBeGreaterThan(0);
    console.info(
      `assign answered in ${answeredMs.toFixed(0)} ms; wall socket had it ${(seenAt - t0).toFixed(0)} ms after the request`,
    );
    socket.close();
  });
});
