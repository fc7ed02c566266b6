import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '@/lib/clock';
import { openDatabase } from '@/server/db/open-database';
import { LiveState } from '@/server/live/live-state';
import { createLogger } from '@/server/logger';
import { APPEND_SEGMENT_SQL, SHADOW_KEEP_MS, SWEEP_GRACE_MS, WRITE_ROWS_PER_TICK } from './history-writer';
import { createInThreadHistory } from './in-thread';
import { blockEntity, BLOCK_KEYS } from './block-row';
import { BUCKET_MS, SLOT_BYTES } from './open-runs';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A bucket boundary in the past, where each test's clock starts. */
const T0 = Math.floor(Date.UTC(2026, 10, 23) / BUCKET_MS) * BUCKET_MS;

/** A database file in a fresh directory, removed after the test. */
function dbFile(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(dir);
  return path.join(dir, 'h.db');
}

/** A server process on `file` started now: its own connection, live state (these vehicles) and history. */
function processOn(file: string, clock: FakeClock, ids: string[]) {
  const db = openDatabase(file);
  const live = new LiveState(clock);
  for (const id of ids) live.vehicle.add({ id, name: null, kind: null });
  const h = createInThreadHistory({
    sqlite: db.$client,
    live,
    clock,
    logger: createLogger('error'),
    retentionDays: 30,
  });
  return { db, live, h };
}

/** A fleet reporting every 30 s in shuffled order, as reports arrive at a bucket boundary. */
function setup(units: number) {
  const t0 = T0;
  const clock = new FakeClock(t0);
  const ids = Array.from({ length: units }, (_, i) => `V${i}`);
  const { db, live, h } = processOn(dbFile('pingan-history-writer-'), clock, ids);
  const { writer, reader } = h;
  const order = Array.from({ length: units }, (_, i) => (i * 7919) % units);
  /** Each unit reports once in the tick at `now` (whole seconds), shuffled. */
  const reportAll = (now: number, k: number) => {
    clock.set(now);
    for (const i of order) {
      live.vehicle.ts[i] = now;
      live.vehicle.lng[i] = 120 + i / 1e4 + k / 1e5;
      live.vehicle.lat[i] = 30 + k / 1e5;
      live.vehicle.speed[i] = 30;
      live.vehicle.touch(i, live.tick);
    }
    h.tick(live.seal());
  };
  const idle = (now: number) => {
    clock.set(now);
    h.tick(live.seal());
  };
  return { db, clock, live, writer, reader, reportAll, idle, t0, h };
}

describe('history writer', () => {
  it('joins a second segment to its row in SQLite byte for byte: NULs, invalid UTF-8, every byte value', () => {
    const db = openDatabase(dbFile('pingan-history-append-'));
    const append = db.$client.prepare(APPEND_SEGMENT_SQL);
    const parts = [
      Uint8Array.from({ length: 256 }, (_, i) => i),
      new Uint8Array([0, 0, 0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0]),
      Uint8Array.from({ length: 70_000 }, (_, i) => (i * 2_654_435_761) >>> 24),
    ];
    for (const p of parts) append.run(7, -1, p.length, p);
    append.run(7, -2, 1, parts[1]!);
    const row = db.$client
      .prepare('SELECT points, data, typeof(data) AS t FROM history_segments WHERE entity = -1')
      .get() as {
      points: number;
      data: Buffer;
      t: string;
    };
    expect(row.t).toBe('blob');
    expect(row.points).toBe(256 + 10 + 70_000);
    expect(Buffer.compare(row.data, Buffer.concat(parts))).toBe(0);
    db.$client.close();
  });

  it("writes a past bucket's rows in key order after its grace, a bounded number a tick, readable throughout", () => {
    const units = 4 * WRITE_ROWS_PER_TICK + 17;
    const { db, writer, reader, reportAll, idle, t0 } = setup(units);
    // Bucket 0: three reports a unit. Bucket 1: one report closes each unit's bucket-0 segment.
    for (let k = 0; k < 3; k++) reportAll(t0 + 60_000 + k * 30_000, k);
    reportAll(t0 + BUCKET_MS + 1000, 3);
    // Keys are 1..units (given in first-report order), BLOCK_KEYS to a row under entity −(block + 1): rows
    // written in key order are always blocks 0..m, i.e. count = −min(entity). Each unit has 3 points.
    const written = db.$client.prepare(
      'SELECT count(*) AS n, coalesce(-min(entity), 0) AS top, coalesce(sum(points), 0) AS p FROM history_segments WHERE bucket = ?',
    );
    const rows = () => {
      const r = written.get(t0 / BUCKET_MS) as { n: number; top: number; p: number };
      expect(r.n).toBe(r.top);
      return r.p / 3;
    };
    // Held, not written, yet the frame and a track see them.
    expect(rows()).toBe(0);
    const f = reader.frame(t0 + 150_000).vehicle;
    expect(f.ts[5]).toBe(t0 + 120_000);
    expect(reader.track('vehicle', 'V5', 5, t0, t0 + BUCKET_MS).points).toHaveLength(3);

    // Past the grace the sweep runs, then the ordered write: at most WRITE_ROWS_PER_TICK rows a tick.
    let now = t0 + BUCKET_MS + SWEEP_GRACE_MS;
    const counts: number[] = [0];
    for (let tick = 0; tick < 40 && counts.at(-1) !== units; tick++) {
      idle((now += 50));
      counts.push(rows());
    }
    expect(counts.at(-1)).toBe(units);
    for (let k = 1; k < counts.length; k++)
      expect(counts[k]! - counts[k - 1]!).toBeLessThanOrEqual(WRITE_ROWS_PER_TICK + BLOCK_KEYS);
    expect(counts.filter((n) => n > 0 && n < units).length).toBeGreaterThanOrEqual(3);
    expect(reader.track('vehicle', 'V5', 5, t0, t0 + BUCKET_MS).points).toHaveLength(3);
    expect(writer.stats.droppedPoints).toBe(0);
  });

  it('writes a bucket in parts when units report faster than it can be held whole: every point once, in order, held bytes near the bound', () => {
    const units = 600;
    const { db, writer, reader, live, clock, h, idle, t0 } = setup(units);
    const bound = 100_000;
    writer.heldBytesMax = bound;
    // Every unit every 2 s through bucket 0 (300 points a unit, irregular motion: ~900 KB of segments), then
    // one report in bucket 1.
    let seed = 7;
    const rand = () => (seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647;
    const reportAll = (now: number) => {
      clock.set(now);
      for (let i = 0; i < units; i++) {
        live.vehicle.ts[i] = now;
        live.vehicle.lng[i] = 120 + i / 1e3 + rand() / 1e3;
        live.vehicle.lat[i] = 30 + rand() / 1e3;
        live.vehicle.speed[i] = 60 * rand();
        live.vehicle.heading[i] = 360 * rand();
        live.vehicle.touch(i, live.tick);
      }
      h.tick(live.seal());
    };
    const times: number[] = [];
    let lastLngE6 = 0;
    for (let t = t0 + 1000; t < t0 + BUCKET_MS; t += 2000) {
      reportAll(t);
      times.push(t);
      lastLngE6 = Math.round(live.vehicle.lng[7]! * 1e6);
    }
    reportAll(t0 + BUCKET_MS + 1000);
    expect(writer.stats.earlyFlushes).toBeGreaterThan(3);
    // The bound, plus what one tick closes (at most a slot a unit) while a partial write is under way.
    expect(writer.stats.peakHeldBytes).toBeLessThan(bound + units * SLOT_BYTES.vehicle);
    let now = t0 + BUCKET_MS + SWEEP_GRACE_MS;
    for (let tick = 0; tick < 20; tick++) idle((now += 50));
    expect(writer.heldBytes).toBe(0);
    // Each part is rows of its own for the two blocks (none rewritten), no row per entity, none late.
    const rows = db.$client
      .prepare(
        'SELECT entity, points, length(data) AS bytes FROM history_segments WHERE bucket = ? ORDER BY entity',
      )
      .all(t0 / BUCKET_MS) as { entity: number; points: number; bytes: number }[];
    const parts = writer.stats.earlyFlushes + 1;
    expect(rows.map((r) => r.entity).sort((a, b) => b - a)).toEqual(
      Array.from({ length: parts }, (_, p) => [blockEntity(0, p), blockEntity(BLOCK_KEYS, p)])
        .flat()
        .sort((a, b) => b - a),
    );
    expect(rows.reduce((n, r) => n + r.points, 0)).toBe(units * times.length);
    expect(rows.reduce((n, r) => n + r.bytes, 0)).toBeGreaterThan(5 * bound);
    expect(writer.stats.lateRows).toBe(0);
    expect(writer.stats.droppedPoints).toBe(0);
    for (const i of [0, 299, 599]) {
      const ts = reader.track('vehicle', `V${i}`, i, t0, t0 + BUCKET_MS - 1).points.map((p) => p.ts);
      expect(ts).toEqual(times);
    }
    const f = reader.frame(t0 + BUCKET_MS - 500).vehicle;
    expect(f.ts[7]).toBe(times.at(-1));
    expect(f.lngE6[7]).toBe(lastLngE6);
  });

  it('writes a late report for a bucket already written into that row, not lost', () => {
    const { writer, reader, reportAll, idle, live, clock, t0, h } = setup(10);
    reportAll(t0 + 60_000, 0);
    reportAll(t0 + BUCKET_MS + 1000, 1);
    let now = t0 + BUCKET_MS + SWEEP_GRACE_MS;
    for (let k = 0; k < 5; k++) idle((now += 50));
    // A buffered upload for bucket 0 arrives now, then the unit's segment closes on its next report.
    clock.set((now += 50));
    live.vehicle.ts[3] = t0 + 300_000;
    live.vehicle.touch(3, live.tick);
    h.tick(live.seal());
    writer.flushAll();
    expect(writer.stats.lateRows).toBeGreaterThan(0);
    const ts = reader.track('vehicle', 'V3', 3, t0, t0 + BUCKET_MS).points.map((p) => p.ts);
    expect(ts).toEqual([t0 + 60_000, t0 + 300_000]);
  });
});

describe('history after a leader change', () => {
  it("a follower reads what the leader has not written, takes over what a killed leader never wrote, and keeps each unit's key", () => {
    const file = dbFile('pingan-history-handover-');
    const t0 = T0;
    const clock = new FakeClock(t0);
    const processOf = () => processOn(file, clock, ['V1', 'V2', 'V3']);
    // B starts before A, and before anything is stored. Every process sees every report; the leader stores.
    const b = processOf();
    const a = processOf();
    let leader = a;
    const report = (id: string, lng: number) => {
      clock.advance(1000);
      for (const p of [a, b]) {
        if (!p.db.$client.open) continue;
        const i = p.live.vehicle.indexOf(id)!;
        p.live.vehicle.ts[i] = clock.now();
        p.live.vehicle.lng[i] = lng;
        p.live.vehicle.lat[i] = 30;
        p.live.vehicle.touch(i, p.live.tick);
        p.h.tick(p.live.seal(), p === leader);
      }
    };
    report('V1', 120.1);
    report('V2', 120.2);
    // B follows: A has written nothing of this bucket, yet B's track and frame have it.
    expect(b.db.$client.prepare('SELECT count(*) AS n FROM history_segments').get()).toEqual({ n: 0 });
    const track = (p: typeof b, id: string) =>
      p.h.reader.track('vehicle', id, p.live.vehicle.indexOf(id), t0, clock.now()).points.map((q) => q.lngE6);
    expect(track(b, 'V1')).toEqual([120_100_000]);
    const bFrame = b.h.engine.frame(clock.now(), { vehicle: 3, worker: 0, camera: 0 }).vehicle;
    expect(Array.from(bFrame.lngE6)).toEqual([120_100_000, 120_200_000, 0]);
    expect(Array.from(bFrame.ts).map((t) => t >= 0)).toEqual([true, true, false]);
    // A is killed (nothing of its open bucket written); B leads: V3, new to everyone, and V2 again.
    a.db.$client.close();
    leader = b;
    report('V3', 120.3);
    report('V2', 120.25);
    b.h.writer.flushAll();
    const keys = b.db.$client.prepare('SELECT id, key FROM history_entities ORDER BY key').all();
    expect(keys).toEqual([
      { id: 'V1', key: 1 },
      { id: 'V2', key: 2 },
      { id: 'V3', key: 3 },
    ]);
    // Read by a process started after all of it: every point, those of A's time included, each under its unit.
    const r = processOf();
    expect(track(r, 'V1')).toEqual([120_100_000]);
    expect(track(r, 'V2')).toEqual([120_200_000, 120_250_000]);
    expect(track(r, 'V3')).toEqual([120_300_000]);
    expect(b.h.writer.stats.droppedPoints).toBe(0);
  });

  it("a follower's frame places a unit the leader named after it started, asked for by id when few wait", () => {
    const file = dbFile('pingan-history-bind-');
    const clock = new FakeClock(T0 + 1_000);
    const processOf = (ids: string[]) => processOn(file, clock, ids);
    const fleet = Array.from({ length: 40 }, (_, i) => `V${i + 1}`);
    // The follower starts first and serves one unit of the fleet; it waits for that unit's name.
    const follower = processOf(['V40']);
    follower.h.tick(follower.live.seal(), false);
    const leader = processOf(fleet);
    clock.advance(1_000);
    for (let i = 0; i < fleet.length; i++) {
      leader.live.vehicle.ts[i] = clock.now();
      leader.live.vehicle.lng[i] = 120 + i / 100;
      leader.live.vehicle.lat[i] = 30;
      leader.live.vehicle.touch(i, leader.live.tick);
    }
    leader.h.tick(leader.live.seal(), true);
    leader.h.writer.flushAll();
    // 40 keys made since the follower last looked, 1 unit waiting: it asks for that one by id.
    const f = follower.h.engine.frame(clock.now(), { vehicle: 1, worker: 0, camera: 0 }).vehicle;
    expect(f.ts[0]).toBe(clock.now());
    expect(f.lngE6[0]).toBe(120_390_000);
    // The leader's own frame binds nothing new and places its whole fleet.
    const l = leader.h.engine.frame(clock.now(), { vehicle: 40, worker: 0, camera: 0 }).vehicle;
    expect(Array.from(l.ts).every((t) => t === clock.now())).toBe(true);
  });

  it('a process that leads from its first tick gives no unit a key that a dying leader stored after its start', () => {
    const clock = new FakeClock(T0 + 1_000);
    const { db, live, h } = processOn(dbFile('pingan-history-start-'), clock, ['V1', 'V2']);
    // After this process read the stored keys, the old leader's last write names V2 and another unit.
    const ins = db.$client.prepare("INSERT INTO history_entities (key, kind, id) VALUES (?, 'vehicle', ?)");
    ins.run(1, 'V9');
    ins.run(2, 'V2');
    for (let i = 0; i < 2; i++) {
      live.vehicle.ts[i] = clock.now();
      live.vehicle.lng[i] = 120 + i / 10;
      live.vehicle.lat[i] = 30;
      live.vehicle.touch(i, live.tick);
    }
    h.tick(live.seal(), true);
    h.writer.flushAll();
    const keys = db.$client.prepare('SELECT key, id FROM history_entities ORDER BY key').all();
    expect(keys).toEqual([
      { key: 1, id: 'V9' },
      { key: 2, id: 'V2' },
      { key: 3, id: 'V1' },
    ]);
  });

  it('a follower writes nothing, and lets a past bucket go only well after the leader has written it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-history-shadow-'));
    dirs.push(dir);
    const db = openDatabase(path.join(dir, 'h.db'));
    const t0 = Math.floor(Date.UTC(2026, 10, 23) / BUCKET_MS) * BUCKET_MS;
    const clock = new FakeClock(t0);
    const live = new LiveState(clock);
    live.vehicle.add({ id: 'V1', name: null, kind: null });
    // Named by the leader, as it does at the unit's first report.
    db.$client.prepare("INSERT INTO history_entities (key, kind, id) VALUES (1, 'vehicle', 'V1')").run();
    const h = createInThreadHistory({
      sqlite: db.$client,
      live,
      clock,
      logger: createLogger('error'),
      retentionDays: 30,
    });
    const tickAt = (at: number, lng?: number) => {
      clock.set(at);
      if (lng !== undefined) {
        live.vehicle.ts[0] = at;
        live.vehicle.lng[0] = lng;
        live.vehicle.lat[0] = 30;
        live.vehicle.touch(0, live.tick);
      }
      h.tick(live.seal(), false);
    };
    tickAt(t0 + 60_000, 120.1);
    tickAt(t0 + 90_000, 120.2);
    tickAt(t0 + BUCKET_MS + 1_000, 120.3);
    const heldPoints = () =>
      h.reader.track('vehicle', 'V1', 0, t0, t0 + BUCKET_MS - 1).points.map((p) => p.lngE6);
    // Past the grace, when the leader writes the bucket, the follower still holds it...
    for (let at = t0 + BUCKET_MS + SWEEP_GRACE_MS; at < t0 + BUCKET_MS + SWEEP_GRACE_MS + 2_000; at += 50)
      tickAt(at);
    expect(heldPoints()).toEqual([120_100_000, 120_200_000]);
    // ...and lets it go SHADOW_KEEP_MS later, by when the leader's rows hold it.
    for (
      let at = t0 + BUCKET_MS + SWEEP_GRACE_MS + SHADOW_KEEP_MS;
      at < t0 + BUCKET_MS + SWEEP_GRACE_MS + SHADOW_KEEP_MS + 2_000;
      at += 50
    )
      tickAt(at);
    expect(heldPoints()).toEqual([]);
    const written = db.$client
      .prepare(
        'SELECT (SELECT count(*) FROM history_segments) + (SELECT count(*) FROM history_keyframes) AS n',
      )
      .get();
    expect(written).toEqual({ n: 0 });
    expect(h.engine.stats().points).toBe(3);
  });
});
