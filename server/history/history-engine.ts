/**
 * Everything of position history that runs beside the ingest rather than on it: the writer, the reader and
 * their SQLite connection. In a server it lives in the history worker's thread (history-worker.ts); the host
 * (history-module.ts) talks to it in messages, and the ingest thread's share is the tick feed's copy.
 */
import { readFileSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';
import type Database from 'better-sqlite3';
import { FakeClock } from '@/lib/clock';
import { ENTITY_KINDS, type EntityKind, type PositionOrigin } from '@/lib/realtime/position-codec';
import type { Logger } from '../logger';
import { regionScope } from '../realtime/scope';
import { packFrameState } from './frame-pack';
import type { FrameRegion } from './history-protocol';
import { HistoryReader, type FrameState } from './history-reader';
import { HistoryWriter, type HistoryStats, type StartKeys } from './history-writer';
import { ringColumns, type RingColumns, type TickMessage } from './tick-ring';

export interface EngineInit {
  retentionDays: number;
  keys: StartKeys;
  ring: SharedArrayBuffer;
  now: number;
}

export interface TrackRequest {
  kind: EntityKind;
  id: string;
  idx: number | undefined;
  from: number;
  to: number;
}

/** A track as a frame's columns, so a 100,000-point answer crosses threads as six transferred buffers. */
export type TrackColumns = Omit<FrameState, 'count'> & { n: number; isTruncated: boolean };

/** Upper bounds (ms) of the tick-time histogram the engine keeps; the last bucket is everything slower. */
export const TICK_MS_BOUNDS = [0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] as const;

export interface EngineStats extends HistoryStats {
  /** Ticks recorded per TICK_MS_BOUNDS bucket (one more for slower), and the slowest, in the worker's wall ms. */
  tickMsCounts: number[];
  tickMsMax: number;
  unknownUnits: number;
  shadowUnkeyed: number;
  corruptRows: number;
  /** Bytes the open segments' columns take (what a province's history holds in memory). */
  openRunsBytes: number;
  /** Closed segments held for ordered writing now. */
  heldBytes: number;
  /** The worker thread's own JS heap and the memory its typed arrays and buffers hold (its V8 isolate). */
  heapUsedBytes: number;
  externalBytes: number;
  /** CPU the engine's thread has used (Linux: /proc/thread-self; elsewhere null). */
  threadCpuMs: number | null;
}

/** The calling thread's CPU time: per thread on Linux, where process.cpuUsage() would add every thread's. */
export function threadCpuMs(): number | null {
  try {
    const f = readFileSync('/proc/thread-self/stat', 'latin1');
    const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 (utime, stime) in clock ticks of 10 ms; rest[0] is field 3.
    return (Number(rest[11]) + Number(rest[12])) * 10;
  } catch {
    return null;
  }
}

export class HistoryEngine {
  readonly writer: HistoryWriter;
  readonly reader: HistoryReader;
  private readonly clock: FakeClock;
  private readonly ring: RingColumns;
  private readonly tickMsCounts = new Array<number>(TICK_MS_BOUNDS.length + 1).fill(0);
  private tickMsMax = 0;

  /** `writeSqlite`: the writer's own connection to the same file (the worker's has no mapped pages). */
  constructor(sqlite: Database.Database, init: EngineInit, logger: Logger, writeSqlite = sqlite) {
    // The ingest thread's clock, as each message carries it (tests drive a fake one).
    this.clock = new FakeClock(init.now);
    this.ring = ringColumns(init.ring);
    this.writer = new HistoryWriter(writeSqlite, this.clock, logger, init.retentionDays, init.keys);
    this.reader = new HistoryReader(sqlite, this.writer);
    // Each entity's last stored state, so the first keyframe after a restart still holds units and cameras
    // that have not reported since.
    try {
      const states = this.reader.frame(init.now);
      for (const kind of ENTITY_KINDS) {
        const s = states[kind];
        for (let i = 0; i < s.count; i++)
          if (s.ts[i]! >= 0)
            this.writer.seedLast(kind, i, {
              ts: s.ts[i]!,
              lngE6: s.lngE6[i]!,
              latE6: s.latE6[i]!,
              speed10: s.speed10[i]!,
              heading: s.heading[i]!,
              status: s.status[i]!,
            });
      }
    } catch (err) {
      logger.error({ err }, 'history: could not read the last stored states');
    }
  }

  tick(msg: TickMessage): void {
    this.clock.set(msg.now);
    let n = 0;
    for (const kind of ENTITY_KINDS) n += msg.ranges[kind].n;
    const t0 = performance.now();
    try {
      this.writer.onTick(msg, this.ring);
    } finally {
      const ms = performance.now() - t0;
      let b = 0;
      while (b < TICK_MS_BOUNDS.length && ms > TICK_MS_BOUNDS[b]!) b++;
      this.tickMsCounts[b] = this.tickMsCounts[b]! + 1;
      if (ms > this.tickMsMax) this.tickMsMax = ms;
      // The points are recorded (or failed and logged): their ring space goes back either way.
      Atomics.add(this.ring.freed, 0, n);
    }
  }

  track(q: TrackRequest): TrackColumns {
    const { points, isTruncated } = this.reader.track(q.kind, q.id, q.idx, q.from, q.to);
    const n = points.length;
    const t: TrackColumns = {
      n,
      ts: new Float64Array(n),
      lngE6: new Int32Array(n),
      latE6: new Int32Array(n),
      speed10: new Uint16Array(n),
      heading: new Uint16Array(n),
      status: new Uint8Array(n),
      isTruncated,
    };
    for (let i = 0; i < n; i++) {
      const p = points[i]!;
      t.ts[i] = p.ts;
      t.lngE6[i] = p.lngE6;
      t.latE6[i] = p.latE6;
      t.speed10[i] = p.speed10;
      t.heading[i] = p.heading;
      t.status[i] = p.status;
    }
    return t;
  }

  frame(at: number, counts: Record<EntityKind, number>): Record<EntityKind, FrameState> {
    this.writer.bindStoredKeys();
    return this.reader.frame(at, counts);
  }

  /** The frame as GET /api/history/frame answers it: each kind packed as the live snapshot, cut to the region. */
  packedFrame(
    at: number,
    counts: Record<EntityKind, number>,
    origin: PositionOrigin,
    region: FrameRegion | null,
  ): Record<EntityKind, Uint8Array> {
    const states = this.frame(at, counts);
    const scope = region ? regionScope(region.code, region.bbox) : null;
    const out = {} as Record<EntityKind, Uint8Array>;
    for (const kind of ENTITY_KINDS) out[kind] = packFrameState(kind, states[kind], origin, scope);
    return out;
  }

  stats(): EngineStats {
    let openRunsBytes = 0;
    for (const r of Object.values(this.writer.runs)) openRunsBytes += r.bytes;
    // Per isolate: in the worker (production) the history thread's own; run in-thread (tests), the process's.
    const heap = getHeapStatistics();
    return {
      ...this.writer.stats,
      tickMsCounts: [...this.tickMsCounts],
      tickMsMax: this.tickMsMax,
      unknownUnits: this.writer.unknownUnits,
      shadowUnkeyed: this.writer.shadowUnkeyed,
      corruptRows: this.reader.corruptRows,
      openRunsBytes,
      heldBytes: this.writer.heldBytes,
      heapUsedBytes: heap.used_heap_size,
      externalBytes: heap.external_memory,
      threadCpuMs: threadCpuMs(),
    };
  }

  /** Closes every open segment and writes everything (shutdown, and tests that read SQLite directly). */
  flushAll(): void {
    this.writer.flushAll();
  }

  close(): void {
    this.writer.flushAll();
  }
}

/** The buffers of a track or frame answer, handed over rather than copied. */
export function transferablesOf(
  value: TrackColumns | Record<EntityKind, FrameState> | Record<EntityKind, Uint8Array>,
): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  // Views at the top (a track's columns, a packed frame's kinds) or one level down (a frame's states).
  const add = (o: object) => {
    for (const v of Object.values(o)) {
      if (ArrayBuffer.isView(v)) {
        if (v.buffer instanceof ArrayBuffer) out.push(v.buffer);
      } else if (v !== null && typeof v === 'object') add(v as object);
    }
  };
  add(value);
  return out;
}
