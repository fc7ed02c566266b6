/**
 * B7 (history write) and B8 (replay reads), on the product's own history module (server/history) over a real
 * SQLite file, fed the way the app feeds it: reports land in the live state's columns, each tick seals and
 * hands its changes to the writer. Simulated time (a FakeClock), so 25 minutes of a fleet take seconds.
 *
 * The naive baseline stores the same positions one row per position (entity, ts, lng, lat, speed, heading,
 * status, with an (entity, ts) index), written in one transaction per tick.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { FakeClock } from '@/lib/clock';
import { findStops, trackDistanceM } from '@/lib/history/track-summary';
import { decodePositions, originForBbox } from '@/lib/realtime/position-codec';
import { openDatabase } from '@/server/db/open-database';
import { TICK_MS_BOUNDS } from '@/server/history/history-engine';
import { createHistoryModule } from '@/server/history/history-module';
import { BUCKET_MS } from '@/server/history/open-runs';
import { LiveState } from '@/server/live/live-state';
import { createLogger } from '@/server/logger';

export interface HistoryBenchOptions {
  /** Units in the fleet, each reporting every `reportEveryMs`. */
  units: number;
  reportEveryMs: number;
  /** Simulated minutes written (whole buckets after the first report make the steady state). */
  minutes: number;
  /** Positions also written the naive way (a prefix of the run: its per-position cost is flat). */
  naivePositions: number;
  trackRuns: number;
  frameRuns: number;
  /**
   * Write runs for the writer's CPU figure (each a fresh database, the same fleet and minutes); the first is
   * the one the other figures come from. The figure is their median, with min and max: on a shared machine
   * one run's CPU per position moves by ±10 %.
   */
  writeRuns: number;
}

export interface HistoryBenchResult {
  units: number;
  positions: number;
  positionsPerS: number;
  simulatedS: number;
  /**
   * Segment rows + keyframes on disk, bytes per position (dbstat, whole pages incl. slack): what grows with
   * positions. Entity names are once per unit (namesBytesPerUnit): over the 30-day retention a unit at 30 s
   * stores 86,400 positions, so in this 20-minute run they would weigh ~2,000 times their steady-state share.
   */
  bytesPerPosition: number;
  namesBytesPerUnit: number;
  /** The same with the names, as this 20-minute run holds them. */
  bytesPerPositionWithNames: number;
  segmentBytesPerPosition: number;
  /** Encoded points alone (blob bytes), and points per row: what the pages hold besides slack and keys. */
  payloadBytesPerPosition: number;
  pointsPerRow: number;
  keyframeBytesPerPosition: number;
  /** Writer thread CPU (user + system) per position, µs, and as a share of one core at 33,000 positions/s. */
  cpuUsPerPosition: number;
  corePctAt33k: number;
  /** corePctAt33k over every write run: median (= corePctAt33k), min, max, and each run's. */
  corePctRuns: { median: number; min: number; max: number; runs: number[] };
  /** The writer's tick in its worker thread (wall ms): p99 as a histogram bound, and the slowest. */
  writerTickMs: { p99AtMost: number; max: number };
  /**
   * What history adds to the ingest thread's tick: the copy of its changed units into the ring and one message
   * (main-thread wall time). What that does to the real server's latency is B7ingest (ingest-cost.ts).
   */
  feedTickMs: { p99: number; max: number };
  naiveBytesPerPosition: number;
  naiveCpuUsPerPosition: number;
  naiveCorePctAt33k: number;
  /** One unit's 24 h track (2,880 points at 30 s): reader + stops + distance + JSON, ms. */
  trackMs: { median: number; min: number; max: number };
  naiveTrackMs: { median: number; min: number; max: number };
  trackPoints: number;
  /** Every unit as of one instant, packed as the live snapshot, ms. */
  frameMs: { median: number; min: number; max: number };
  /** The same frames in CPU time (process: the wall time above includes waiting for a core). */
  frameCpuMs: { median: number; min: number; max: number };
  /** The bare SQLite scan of the rows a frame reads (no decoding): the floor of the frame's time, ms. */
  frameScanMs: { median: number; min: number; max: number };
  naiveFrameMs: { median: number; min: number; max: number };
  frameUnits: number;
  writerHeapMb: number;
  /** Most closed-segment bytes the writer held for ordered writing, MB, and rows it wrote late. */
  heldPeakMb: number;
  lateRows: number;
  /** Points the writer dropped at its pending bound (must be 0: the disk kept up). */
  droppedPoints: number;
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const r = (v: number) => Math.round(v * 100) / 100;
  return { median: r(s[Math.floor(s.length / 2)]!), min: r(s[0]!), max: r(s[s.length - 1]!) };
};
const p99max = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const r = (v: number) => Math.round(v * 1000) / 1000;
  return { p99: r(s[Math.floor(s.length * 0.99)] ?? 0), max: r(s[s.length - 1] ?? 0) };
};
/** CPU of the whole process (the history worker's thread included). */
const cpuUs = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/**
 * Ticks are simulated faster than real time, so the bench waits while the worker is this many points behind
 * (a server's ticks come every 50 ms and never outrun it at 33 k/s); without the wait its ring would fill.
 */
const BENCH_MAX_BACKLOG = 50_000;

/** Deterministic pseudo-random numbers (mulberry32), so runs compare. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function runHistoryBench(
  o: HistoryBenchOptions,
  log: (s: string) => void,
): Promise<HistoryBenchResult> {
  const main = (await runOnce(o, log, false)) as HistoryBenchResult;
  const runs = [main.corePctAt33k];
  log(`history: write run 1: writer ${main.corePctAt33k} % of a core at 33,000 positions/s`);
  for (let r = 1; r < o.writeRuns; r++) {
    log(`history: write run ${r + 1} of ${o.writeRuns} (writer CPU only)`);
    runs.push((await runOnce({ ...o, naivePositions: 0 }, log, true)) as number);
    log(`history: write run ${r + 1}: writer ${runs[r]} % of a core at 33,000 positions/s`);
  }
  const s = stats(runs);
  main.corePctRuns = { ...s, runs };
  main.corePctAt33k = s.median;
  main.cpuUsPerPosition = Math.round(((s.median * 1e4) / 33_000) * 100) / 100;
  return main;
}

/** One write run; the main one also reads (track, frame) and returns every figure, a write-only one its core %. */
async function runOnce(
  o: HistoryBenchOptions,
  log: (s: string) => void,
  writeOnly: boolean,
): Promise<HistoryBenchResult | number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-history-bench-'));
  const db = openDatabase(path.join(dir, 'history.db'));
  const TICK_MS = 50;
  // Start on a bucket boundary and write whole buckets: every row full, as all but the current bucket are.
  const t0 = Math.floor(Date.UTC(2026, 10, 23, 0, 0, 0) / BUCKET_MS) * BUCKET_MS;
  const clock = new FakeClock(t0);
  const live = new LiveState(clock);
  const store = live.vehicle;
  const rand = rng(17);
  // A province-sized box (Zhejiang-like, ~4° × 4°); a quarter of the units parked with GPS jitter.
  const unitLng = new Float64Array(o.units);
  const unitLat = new Float64Array(o.units);
  const unitHeading = new Float64Array(o.units);
  const unitSpeed = new Float64Array(o.units);
  const parked = new Uint8Array(o.units);
  for (let i = 0; i < o.units; i++) {
    store.add({ id: `浙A${String(i).padStart(7, '0')}`, name: null, kind: null });
    unitLng[i] = 118 + rand() * 4;
    unitLat[i] = 28 + rand() * 4;
    unitHeading[i] = rand() * 360;
    unitSpeed[i] = rand() * 60;
    parked[i] = rand() < 0.25 ? 1 : 0;
  }
  const logger = createLogger('error');
  const origin = originForBbox(117, 27, 123, 33);
  const history = createHistoryModule({
    sqlite: db.$client,
    live,
    clock,
    logger,
    retentionDays: 30,
    origin: () => origin,
    resolveScope: () => null,
  });
  const naive = new Database(path.join(dir, 'naive.db'));
  naive.pragma('journal_mode = WAL');
  naive.pragma('synchronous = NORMAL');
  naive.exec(`CREATE TABLE positions (entity INTEGER NOT NULL, ts INTEGER NOT NULL, lng REAL NOT NULL, lat REAL NOT NULL,
    speed REAL, heading REAL, status INTEGER);
    CREATE INDEX positions_entity_ts ON positions (entity, ts);`);
  const naiveInsert = naive.prepare('INSERT INTO positions VALUES (?, ?, ?, ?, ?, ?, ?)');

  // Each unit reports every reportEveryMs at its own phase, with ±500 ms of terminal clock jitter.
  const phase = Float64Array.from({ length: o.units }, () => rand() * o.reportEveryMs);
  const order = Array.from({ length: o.units }, (_, i) => i).sort((a, b) => phase[a]! - phase[b]!);
  const ticks = Math.round((o.minutes * 60_000) / TICK_MS);
  let cursor = 0;
  let round = 0;
  let positions = 0;
  let naiveWritten = 0;
  let naiveCpu = 0;
  // History's share of the ingest thread per tick (main-thread wall time).
  const feedMs: number[] = [];
  // The writer's own CPU is its thread's (Linux per-thread accounting): startup (module load, the seeding
  // frame) is left out, the final flush counted.
  const startStats = await history.readStats();
  const inLng = new Float64Array(o.units);
  const inLat = new Float64Array(o.units);
  const inSpeed = new Float64Array(o.units);
  const inHeading = new Float64Array(o.units);
  const inStatus = new Uint8Array(o.units);
  const inTs = new Float64Array(o.units);
  const mPerDegLat = 111_320;
  for (let k = 0; k < ticks; k++) {
    const now = t0 + k * TICK_MS;
    clock.set(now);
    const due: number[] = [];
    // Units whose phase falls in this tick, in phase order, wrapping once per report period.
    for (;;) {
      const i = order[cursor]!;
      if (round * o.reportEveryMs + phase[i]! >= now - t0 + TICK_MS) break;
      due.push(i);
      if (++cursor === o.units) {
        cursor = 0;
        round++;
      }
    }
    // The simulator's motion (not timed), staged per unit; then the ingest step the tick times.
    for (const i of due) {
      const dt = o.reportEveryMs / 1000;
      if (parked[i]) {
        inLng[i] = unitLng[i]! + (rand() - 0.5) * 4e-5;
        inLat[i] = unitLat[i]! + (rand() - 0.5) * 4e-5;
        inSpeed[i] = 0;
        inStatus[i] = 1;
      } else {
        unitHeading[i] = (unitHeading[i]! + (rand() - 0.5) * 40 + 360) % 360;
        unitSpeed[i] = Math.max(0, Math.min(80, unitSpeed[i]! + (rand() - 0.5) * 10));
        const d = (unitSpeed[i]! / 3.6) * dt;
        const h = (unitHeading[i]! * Math.PI) / 180;
        unitLat[i] = unitLat[i]! + (d * Math.cos(h)) / mPerDegLat;
        unitLng[i] = unitLng[i]! + (d * Math.sin(h)) / (mPerDegLat * Math.cos((unitLat[i]! * Math.PI) / 180));
        inLng[i] = Math.round(unitLng[i]! * 1e6) / 1e6;
        inLat[i] = Math.round(unitLat[i]! * 1e6) / 1e6;
        inSpeed[i] = Math.round(unitSpeed[i]! * 10) / 10;
        inStatus[i] = rand() < 0.001 ? 2 : 0;
      }
      inHeading[i] = Math.round(unitHeading[i]!);
      // JT/T 808 terminals stamp whole seconds (BCD time), ±1 s around their schedule.
      inTs[i] = Math.round(now / 1000 + (rand() - 0.5) * 2) * 1000;
    }
    // Ingest: the reports land in the live columns and the tick seals (what the server's tick does before
    // history; its parsing and the walls' encoding are the pipeline bench's).
    while (history.backlog() > BENCH_MAX_BACKLOG) await sleep(1);
    for (const i of due) {
      store.lng[i] = inLng[i]!;
      store.lat[i] = inLat[i]!;
      store.speed[i] = inSpeed[i]!;
      store.status[i] = inStatus[i]!;
      store.heading[i] = inHeading[i]!;
      store.ts[i] = inTs[i]!;
      store.touch(i, live.tick);
    }
    positions += due.length;
    const changes = live.seal();
    // Main-thread wall time: process CPU would add the worker's thread, busy on the other core meanwhile.
    const w0 = performance.now();
    history.onTick(changes);
    feedMs.push(performance.now() - w0);
    if (naiveWritten < o.naivePositions && due.length > 0) {
      const n0 = performance.now();
      naive.transaction(() => {
        for (const i of due)
          naiveInsert.run(
            i,
            store.ts[i],
            store.lng[i],
            store.lat[i],
            store.speed[i],
            store.heading[i],
            store.status[i],
          );
      })();
      naiveCpu += (performance.now() - n0) * 1000;
      naiveWritten += due.length;
    }
    if (k % Math.round(60_000 / TICK_MS) === 0 && k > 0)
      log(
        `history: ${Math.round((k * TICK_MS) / 60_000)} simulated min, ${positions.toLocaleString()} positions`,
      );
  }
  // Steady-state bytes: everything written so far (the open last bucket is closed and written too).
  const endStats = await history.flush();
  const heapMb = endStats.openRunsBytes / 2 ** 20;
  if (startStats.threadCpuMs === null || endStats.threadCpuMs === null)
    throw new Error('the history bench needs per-thread CPU accounting (Linux /proc/thread-self)');
  const writerCpu = (endStats.threadCpuMs - startStats.threadCpuMs) * 1000;
  if (writeOnly) {
    await history.close();
    db.$client.close();
    naive.close();
    fs.rmSync(dir, { recursive: true, force: true });
    return Math.round(((writerCpu / positions) * 33_000) / 1e2) / 100;
  }
  const size = (d: Database.Database, name: string) =>
    (
      d.prepare('SELECT coalesce(sum(pgsize), 0) AS s FROM dbstat WHERE name = ?').get(name) as {
        s: number;
      }
    ).s;
  const droppedPoints = endStats.droppedPoints + (history.stats()?.queueDroppedPoints ?? 0);
  const heldPeakMb = Math.round(endStats.peakHeldBytes / 2 ** 20);
  const lateRows = endStats.lateRows;
  const sqlite = db.$client;
  const segBytes = size(sqlite, 'history_segments');
  const kfBytes = size(sqlite, 'history_keyframes');
  const entBytes = size(sqlite, 'history_entities') + size(sqlite, 'history_entities_kind_id_idx');
  const payload = sqlite
    .prepare('SELECT sum(length(data)) AS b, sum(points) AS p, count(*) AS n FROM history_segments')
    .get() as {
    b: number;
    p: number;
    n: number;
  };
  const naiveBytes = size(naive, 'positions') + size(naive, 'positions_entity_ts');

  // B8 track: one unit's 24 h at 30 s, through the writer into a database of its own (a keyframe per bucket of
  // a province would make this part of the run as long as the rest; a track reads one row per bucket either way).
  const tdb = openDatabase(path.join(dir, 'track.db'));
  const tLive = new LiveState(clock);
  const tStore = tLive.vehicle;
  const trackUnit = tStore.add({ id: 'TRACK-1', name: null, kind: null });
  const tHistory = createHistoryModule({
    sqlite: tdb.$client,
    live: tLive,
    clock,
    logger,
    retentionDays: 30,
    origin: () => origin,
    resolveScope: () => null,
  });
  const dayStart = t0 + 3_600_000;
  for (let k = 0; k < 2_880; k++) {
    const now = dayStart + k * 30_000;
    clock.set(now);
    tStore.ts[trackUnit] = now;
    tStore.lng[trackUnit] = 120.1 + (k % 400) * 1e-4;
    tStore.lat[trackUnit] = 30.2 + Math.floor(k / 400) * 1e-3;
    tStore.speed[trackUnit] = k % 40 < 10 ? 0 : 30;
    tStore.touch(trackUnit, tLive.tick);
    while (tHistory.backlog() > BENCH_MAX_BACKLOG) await sleep(1);
    tHistory.onTick(tLive.seal());
    naiveInsert.run(1e9, now, tStore.lng[trackUnit], tStore.lat[trackUnit], tStore.speed[trackUnit], 0, 0);
  }
  await tHistory.flush();
  const trackId = 'TRACK-1';
  const trackTimes: number[] = [];
  const naiveTrackTimes: number[] = [];
  let trackPoints = 0;
  const naiveTrack = naive.prepare('SELECT * FROM positions WHERE entity = ? AND ts BETWEEN ? AND ?');
  for (let r = 0; r < o.trackRuns; r++) {
    const a = performance.now();
    const { points } = await tHistory.track('vehicle', trackId, dayStart, dayStart + 86_400_000);
    const out = points.map((q) => ({
      ts: q.ts,
      lng: q.lngE6 / 1e6,
      lat: q.latE6 / 1e6,
      speed: q.speed10 / 10,
      heading: q.heading,
      status: 'patrol',
    }));
    JSON.stringify({ points: out, stops: findStops(out), distanceM: trackDistanceM(out) });
    trackTimes.push(performance.now() - a);
    trackPoints = points.length;
    const b = performance.now();
    const rows = naiveTrack.all(1e9, dayStart, dayStart + 86_400_000) as {
      ts: number;
      lng: number;
      lat: number;
    }[];
    const nout = rows.map((q) => ({ ts: q.ts, lng: q.lng, lat: q.lat }));
    JSON.stringify({ points: nout, stops: findStops(nout), distanceM: trackDistanceM(nout) });
    naiveTrackTimes.push(performance.now() - b);
  }

  // B8 frame: every unit as of 30 s before the end: a keyframe plus a bucket's 19 points a unit, the worst case.
  const at = t0 + ticks * TICK_MS - 30_000;
  const frameTimes: number[] = [];
  const frameCpuTimes: number[] = [];
  const naiveFrameTimes: number[] = [];
  let frameUnits = 0;
  const naiveFrame = naive.prepare(
    'SELECT entity, max(ts) AS ts, lng, lat, speed, heading, status FROM positions WHERE ts BETWEEN ? AND ? GROUP BY entity',
  );
  const naiveLast = (
    naive.prepare('SELECT max(ts) AS t FROM positions WHERE entity < 1e9').get() as { t: number }
  ).t;
  // The floor under any frame read from per-entity rows: the bare scan of the rows it reads (no decoding).
  const scanTimes: number[] = [];
  const scan = db.$client
    .prepare('SELECT entity, data FROM history_segments WHERE bucket BETWEEN ? AND ?')
    .raw();
  for (let r = 0; r < o.frameRuns; r++) {
    const a = performance.now();
    let rows = 0;
    for (const _ of scan.iterate(Math.floor(at / BUCKET_MS), Math.floor(at / BUCKET_MS))) rows++;
    scanTimes.push(performance.now() - a);
    if (rows === 0) throw new Error('frame scan read no rows');
  }
  for (let r = 0; r < o.frameRuns; r++) {
    const a = performance.now();
    const u0 = cpuUs();
    // As the route answers it: read and packed in the worker (server/history/frame-pack.ts).
    const packed = (await history.frame(at, origin, null)).vehicle;
    frameCpuTimes.push((cpuUs() - u0) / 1000);
    frameTimes.push(performance.now() - a);
    frameUnits = decodePositions(packed).count;
    // Naive: the latest row per unit within one report period before the instant (its index is per unit).
    const b = performance.now();
    naiveFrame.all(naiveLast - o.reportEveryMs, naiveLast);
    naiveFrameTimes.push(performance.now() - b);
  }
  await history.close();
  await tHistory.close();
  db.$client.close();
  tdb.$client.close();
  naive.close();
  fs.rmSync(dir, { recursive: true, force: true });

  // The writer's tick in its thread, from its histogram: p99 as the bound of the bucket it falls in.
  const totalTicks = endStats.tickMsCounts.reduce((a, b) => a + b, 0);
  let seen = 0;
  let p99Bucket = 0;
  while (p99Bucket < endStats.tickMsCounts.length - 1) {
    seen += endStats.tickMsCounts[p99Bucket]!;
    if (seen >= totalTicks * 0.99) break;
    p99Bucket++;
  }
  const simulatedS = (ticks * TICK_MS) / 1000;
  const cpuPerPos = writerCpu / positions;
  const naiveCpuPerPos = naiveWritten ? naiveCpu / naiveWritten : 0;
  const r2 = (v: number) => Math.round(v * 100) / 100;
  return {
    units: o.units,
    positions,
    positionsPerS: Math.round(positions / simulatedS),
    simulatedS,
    bytesPerPosition: r2((segBytes + kfBytes) / positions),
    namesBytesPerUnit: r2(entBytes / o.units),
    bytesPerPositionWithNames: r2((segBytes + kfBytes + entBytes) / positions),
    segmentBytesPerPosition: r2(segBytes / positions),
    payloadBytesPerPosition: r2(payload.b / payload.p),
    pointsPerRow: r2(payload.p / payload.n),
    keyframeBytesPerPosition: r2(kfBytes / positions),
    cpuUsPerPosition: r2(cpuPerPos),
    corePctAt33k: r2((cpuPerPos * 33_000) / 1e4),
    writerTickMs: {
      p99AtMost: TICK_MS_BOUNDS[p99Bucket] ?? Number.POSITIVE_INFINITY,
      max: r2(endStats.tickMsMax),
    },
    feedTickMs: p99max(feedMs),
    corePctRuns: { median: 0, min: 0, max: 0, runs: [] },
    naiveBytesPerPosition: r2(naiveBytes / Math.max(1, naiveWritten + 2_880)),
    naiveCpuUsPerPosition: r2(naiveCpuPerPos),
    naiveCorePctAt33k: r2((naiveCpuPerPos * 33_000) / 1e4),
    trackMs: stats(trackTimes),
    naiveTrackMs: stats(naiveTrackTimes),
    trackPoints,
    frameMs: stats(frameTimes),
    frameCpuMs: stats(frameCpuTimes),
    frameScanMs: stats(scanTimes),
    naiveFrameMs: stats(naiveFrameTimes),
    frameUnits,
    writerHeapMb: Math.round(heapMb),
    heldPeakMb,
    lateRows,
    droppedPoints,
  };
}
