import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '@/lib/clock';
import { openDatabase } from '@/server/db/open-database';
import { LiveState } from '@/server/live/live-state';
import { ANNOUNCE_PER_TICK, readStartKeys, TickFeed } from './tick-feed';
import { newRingBuffer, ringColumns, RING_POINTS_MIN } from './tick-ring';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function setup(units: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-tick-feed-'));
  dirs.push(dir);
  const db = openDatabase(path.join(dir, 'f.db'));
  const clock = new FakeClock(Date.UTC(2026, 10, 23));
  const live = new LiveState(clock);
  for (let i = 0; i < units; i++) live.vehicle.add({ id: `V${i}`, name: null, kind: null });
  const ring = ringColumns(newRingBuffer(RING_POINTS_MIN));
  /** Every unit in [from, to) reports once; then the tick seals. */
  const report = (from: number, to: number) => {
    clock.advance(50);
    for (let i = from; i < to; i++) {
      live.vehicle.ts[i] = clock.now();
      live.vehicle.lng[i] = 120 + i / 1e6;
      live.vehicle.lat[i] = 30;
      live.vehicle.touch(i, live.tick);
    }
    return live.seal();
  };
  return { db, live, ring, report, clock };
}

describe('tick feed', () => {
  it('copies each changed unit once into the ring, wrapping, and names each unit once, changed or not', () => {
    const { db, live, ring, report, clock } = setup(RING_POINTS_MIN);
    const feed = new TickFeed(live, ring, readStartKeys(db.$client, live));
    const a = feed.build(report(0, 3), clock.now());
    expect(a.ranges.vehicle).toEqual({ start: 0, n: 3 });
    // The changed units first, then a bounded share of those that have not changed (a frame places them too).
    expect(a.newUnits.vehicle.ids.slice(0, 4)).toEqual(['V0', 'V1', 'V2', 'V3']);
    expect(a.newUnits.vehicle.idx).toEqual(Array.from({ length: ANNOUNCE_PER_TICK }, (_, i) => i));
    Atomics.add(ring.freed, 0, 3);
    // Most of the ring, handed back, then a tick that runs over its end.
    const b = feed.build(report(0, RING_POINTS_MIN - 5), clock.now());
    expect(b.ranges.vehicle).toEqual({ start: 3, n: RING_POINTS_MIN - 5 });
    expect(b.newUnits.vehicle.idx).toHaveLength(RING_POINTS_MIN - 5 - ANNOUNCE_PER_TICK);
    Atomics.add(ring.freed, 0, RING_POINTS_MIN - 5);
    const c = feed.build(report(10, 20), clock.now());
    expect(c.ranges.vehicle).toEqual({ start: RING_POINTS_MIN - 2, n: 10 });
    expect(c.newUnits.vehicle.idx).toEqual([]);
    const mask = ring.capacity - 1;
    const got = Array.from({ length: 10 }, (_, k) => ring.idx[(c.ranges.vehicle.start + k) & mask]);
    expect(got).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    expect(ring.lng[(c.ranges.vehicle.start + 9) & mask]).toBeCloseTo(120 + 19 / 1e6, 9);
    expect(feed.pending()).toBe(10);
    expect(feed.droppedPoints).toBe(0);
  });

  it('drops a tick that does not fit, counted, and still names its new units', () => {
    const { db, live, ring, report, clock } = setup(RING_POINTS_MIN + 100);
    const feed = new TickFeed(live, ring, readStartKeys(db.$client, live));
    feed.build(report(0, RING_POINTS_MIN - 50), clock.now());
    // Nothing handed back yet: 100 more do not fit.
    const full = feed.build(report(RING_POINTS_MIN - 50, RING_POINTS_MIN + 50), clock.now());
    expect(full.ranges.vehicle.n).toBe(0);
    expect(full.newUnits.vehicle.idx).toHaveLength(100);
    expect(feed.droppedPoints).toBe(100);
    expect(feed.droppedTicks).toBe(1);
    // Once the writer hands its space back, ticks go through again.
    Atomics.add(ring.freed, 0, RING_POINTS_MIN - 50);
    expect(feed.build(report(0, 100), clock.now()).ranges.vehicle.n).toBe(100);
    expect(feed.pending()).toBe(100);
  });
});
