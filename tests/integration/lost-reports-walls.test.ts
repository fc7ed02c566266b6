import { io as ioClient } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WireBatch } from '@/lib/realtime/contract';
import { LOST_REPORTS_KEPT } from '@/server/realtime/hub';
import { startTestApp, waitFor, type TestApp, type WallClient } from '../helpers/test-app';

/**
 * A telemetry loss reaches each wall as a few numbers in its next delta (Hub.reportsLost), also when the
 * wall was busy with a batch meanwhile; a wall that missed more losses than the hub keeps gets a snapshot.
 */
describe('telemetry losses told to walls', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  /** A wall that holds its acknowledgement of the first (full) batch until `release` is called. */
  function heldWall() {
    const socket: WallClient = ioClient(t.url, { transports: ['websocket'], reconnection: false });
    const batches: WireBatch[] = [];
    let held: (() => void) | null = null;
    socket.on('wall:batch', (batch, ack) => {
      batches.push(batch);
      if (batches.length === 1) held = () => ack({ ok: true });
      else ack({ ok: true });
    });
    return {
      socket,
      batches,
      release: () => held?.(),
      isHolding: () => held !== null,
    };
  }

  it('sends every loss since the wall’s last batch, oldest first, in one delta', async () => {
    const wall = heldWall();
    try {
      await waitFor(() => wall.isHolding(), 5_000, 'snapshot in flight');
      const at = [Date.now(), Date.now() + 1];
      for (const a of at) t.app.hub.reportsLost(a);
      wall.release();
      const told = await waitFor(() => wall.batches.find((b) => b.reportsLostAt), 5_000, 'loss told');
      expect(told.isFull).toBe(false);
      expect(told.reportsLostAt).toEqual(at);
      // Told once: later batches (heartbeats) do not repeat it.
      await new Promise((r) => setTimeout(r, 300));
      expect(wall.batches.filter((b) => b.reportsLostAt)).toHaveLength(1);
      expect(wall.batches.filter((b) => b.isFull)).toHaveLength(1);
    } finally {
      wall.socket.close();
    }
  });

  it('sends a snapshot to a wall that missed more losses than are kept', async () => {
    const wall = heldWall();
    try {
      await waitFor(() => wall.isHolding(), 5_000, 'snapshot in flight');
      for (let k = 0; k <= LOST_REPORTS_KEPT; k++) t.app.hub.reportsLost(Date.now() + k);
      wall.release();
      // A snapshot no sooner than the hub's interval between two (3 s).
      await waitFor(() => wall.batches.filter((b) => b.isFull).length === 2, 10_000, 'second snapshot');
      expect(wall.batches.some((b) => b.reportsLostAt)).toBe(false);
    } finally {
      wall.socket.close();
    }
  });
});
