import type Database from 'better-sqlite3';
import { Worker } from 'node:worker_threads';
import { Gauge, type Registry } from 'prom-client';
import type { Clock } from '@/lib/clock';
import type { EntityKind, PositionOrigin } from '@/lib/realtime/position-codec';
import type { RegionGate } from '../auth/region-scope';
import type { SqlDb } from '../db/sql-db';
import type { Route } from '../http/router';
import type { LiveState, TickChanges } from '../live/live-state';
import type { Logger } from '../logger';
import type { Scope } from '../realtime/scope';
import type { EngineInit, EngineStats, HistoryEngine, TrackColumns } from './history-engine';
import {
  HistoryUnavailableError,
  type HistoryReads,
  type HostCall,
  type HostMessage,
  type WorkerMessage,
} from './history-protocol';
import { createHistoryRoutes } from './history-routes';
import { createInThreadHistory } from './in-thread';
import type { SegmentPoint } from './segment-codec';
import { newTickFeed, type TickFeed } from './tick-feed';

/** Reads waiting on the history worker at most; more are refused as busy (each frame holds ~20 MB at province scale). */
export const HISTORY_MAX_PENDING_READS = 16;
/** A worker that died is started again after this long (its ring and open segments are lost, counted). */
export const HISTORY_RESTART_MS = 5_000;
/** Shutdown waits this long for the worker's last write. */
const CLOSE_TIMEOUT_MS = 60_000;
const WORKER_URL = new URL('./history-worker.mjs', import.meta.url);

export interface HistoryModuleDeps {
  /** The app's connection; history opens its own to the same file, in its own thread. */
  sqlite: Database.Database;
  live: LiveState;
  clock: Clock;
  logger: Logger;
  retentionDays: number;
  origin: () => PositionOrigin;
  resolveScope: (regionCode: string) => Scope | null;
  registry?: Registry;
  /** The worker's entry (default ./history-worker.mjs); a test gives one that dies, to see it started again. */
  workerUrl?: URL;
  /**
   * False (HISTORY_ENABLED=0): no worker, nothing recorded, every read answers 503 saying so. For a
   * deployment that keeps no position history, and for the bench that measures what history costs ingest.
   */
  enabled?: boolean;
}

export interface HistoryModule extends HistoryReads {
  /** `sql`: the system of record, where the incident routes read incidents (this module's file is positions only). */
  routes(opts: { isOpen: boolean; regions: RegionGate; sql: SqlDb }): Route[];
  /**
   * The ingest thread's share of each sealed tick: a copy into the ring and one message. Every process calls
   * it and records the points for its own reads; only the one that leads (`record`) stores them.
   */
  onTick(changes: TickChanges, record?: boolean): void;
  /** Closes every open segment and writes everything; answers the writer's counters after it. */
  flush(): Promise<EngineStats>;
  /** The writer's counters now (after every tick posted before this call). */
  readStats(): Promise<EngineStats>;
  /** Points handed to the worker and not yet recorded by it. */
  backlog(): number;
  /** The writer's counters as last reported (about once a second), with the feed's drops. */
  stats(): (EngineStats & { queueDroppedPoints: number; restarts: number }) | null;
  close(): Promise<void>;
}

/** One way to reach the engine: its worker thread, or (a database without a file) the calling thread. */
interface EngineLink {
  tick(m: Extract<HostMessage, { type: 'tick' }>['tick']): void;
  call(c: HostCall): Promise<unknown>;
  stop(): Promise<void>;
}

/**
 * Position history (issue 17): the writer and reader run in a worker thread with their own SQLite connection,
 * so encoding points, keyframes and the bucket writes never lengthen the ingest tick; the ingest thread copies
 * each tick's changed units into a shared ring (tick-feed.ts) and posts one message.
 */
export function createHistoryModule(d: HistoryModuleDeps): HistoryModule {
  const file = d.sqlite.name;
  const inThread = file === '' || file === ':memory:' || d.sqlite.memory;
  let feed: TickFeed | null = null;
  let link: EngineLink | null = null;
  let lastStats: EngineStats | null = null;
  let pendingReads = 0;
  let restarts = 0;
  let isClosed = false;
  let restartTimer: NodeJS.Timeout | null = null;
  let lostDrops = 0;
  let warnedFullAt = 0;
  let engineInThread: HistoryEngine | null = null;

  function start(): void {
    if (feed) lostDrops += feed.droppedPoints;
    if (inThread) {
      const h = createInThreadHistory(d);
      feed = h.feed;
      engineInThread = h.engine;
      link = inlineLink(h.engine);
      return;
    }
    const next = newTickFeed(d.sqlite, d.live);
    feed = next.feed;
    link = workerLink({
      retentionDays: d.retentionDays,
      keys: next.keys,
      ring: next.ring,
      now: d.clock.now(),
    });
  }

  function workerLink(init: EngineInit): EngineLink {
    const worker = new Worker(d.workerUrl ?? WORKER_URL, {
      workerData: { file, init, logLevel: d.logger.level },
      name: 'pingan-history',
    });
    const calls = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
    let nextId = 1;
    let isStopping = false;
    const failAll = (why: string) => {
      for (const c of calls.values()) c.reject(new HistoryUnavailableError(why));
      calls.clear();
    };
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'stats') lastStats = m.stats;
      else if (m.type === 'failed') d.logger.error({ error: m.error }, 'history: worker could not start');
      else if (m.type === 'reply') {
        const c = calls.get(m.id);
        calls.delete(m.id);
        if (!c) return;
        if (m.ok) c.resolve(m.value);
        else c.reject(new Error(m.error));
      }
    });
    worker.on('error', (err) => d.logger.error({ err }, 'history: worker failed'));
    worker.on('exit', (code) => {
      failAll('history worker stopped');
      if (isStopping || isClosed) return;
      // Open segments and the ring die with it; the database keeps everything written. The feed is rebuilt,
      // so units are named to the new worker again.
      d.logger.error({ code, restartInMs: HISTORY_RESTART_MS }, 'history: worker exited; starting it again');
      link = null;
      restartTimer = setTimeout(() => {
        restartTimer = null;
        if (isClosed) return;
        restarts++;
        try {
          start();
        } catch (err) {
          d.logger.error({ err }, 'history: restart failed');
        }
      }, HISTORY_RESTART_MS);
    });
    const post = (m: HostMessage) => worker.postMessage(m);
    return {
      tick: (tick) => post({ type: 'tick', tick }),
      call: (c) =>
        new Promise((resolve, reject) => {
          const id = nextId++;
          calls.set(id, { resolve, reject });
          post({ type: 'call', id, ...c });
        }),
      async stop() {
        isStopping = true;
        const closing = new Promise<unknown>((resolve, reject) => {
          const id = nextId++;
          calls.set(id, { resolve, reject });
          post({ type: 'call', id, op: 'close' });
        });
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<void>((resolve) => {
          timer = setTimeout(() => {
            d.logger.error('history: worker did not finish its last write in time');
            resolve();
          }, CLOSE_TIMEOUT_MS);
        });
        try {
          await Promise.race([closing, timeout]);
        } catch (err) {
          d.logger.error({ err }, 'history: final write failed');
        } finally {
          clearTimeout(timer);
          await worker.terminate();
        }
      },
    };
  }

  const isEnabled = d.enabled !== false;

  async function read<T>(c: HostCall): Promise<T> {
    if (!isEnabled)
      throw new HistoryUnavailableError('position history is off in this process (HISTORY_ENABLED=0)');
    if (!link || isClosed) throw new HistoryUnavailableError('history is starting again');
    if (pendingReads >= HISTORY_MAX_PENDING_READS)
      throw new HistoryUnavailableError('history is busy with other reads');
    pendingReads++;
    try {
      return (await link.call(c)) as T;
    } finally {
      pendingReads--;
    }
  }

  if (isEnabled) start();

  if (d.registry && isEnabled) {
    const gauge = (name: string, help: string, pick: (s: EngineStats) => number) =>
      new Gauge({
        name,
        help,
        registers: [d.registry!],
        collect() {
          this.set(lastStats ? pick(lastStats) : 0);
        },
      });
    gauge('pingan_history_points_total', 'Positions and camera status changes recorded', (s) => s.points);
    gauge('pingan_history_bytes_written_total', 'Segment bytes written to SQLite', (s) => s.bytesWritten);
    gauge(
      'pingan_history_dropped_points_total',
      'Points dropped because held closed segments hit PENDING_BYTES_HARD (the disk failed for minutes)',
      (s) => s.droppedPoints,
    );
    gauge(
      'pingan_history_partial_writes_total',
      'Ordered writes of a bucket still filling, started because held closed segments passed PENDING_BYTES_MAX (units report faster than a bucket can be held whole)',
      (s) => s.earlyFlushes,
    );
    gauge(
      'pingan_history_write_errors_total',
      'History transactions that failed (kept and retried)',
      (s) => s.writeErrors,
    );
    new Gauge({
      name: 'pingan_history_queue_dropped_points_total',
      help: 'Points not handed to the history worker because its ring was full (it fell behind)',
      registers: [d.registry],
      collect() {
        this.set(lostDrops + (feed?.droppedPoints ?? 0));
      },
    });
    new Gauge({
      name: 'pingan_history_memory_bytes',
      help: "Memory position history holds, by part: its thread's JS heap and external memory (typed arrays, buffers; open_runs, the open segments, and held_segments, closed ones waiting for ordered writing, are part of it), and the shared tick ring",
      labelNames: ['part'],
      registers: [d.registry],
      collect() {
        const s = lastStats;
        this.set({ part: 'open_runs' }, s?.openRunsBytes ?? 0);
        this.set({ part: 'held_segments' }, s?.heldBytes ?? 0);
        this.set({ part: 'worker_heap' }, s?.heapUsedBytes ?? 0);
        this.set({ part: 'worker_external' }, s?.externalBytes ?? 0);
        this.set({ part: 'ring' }, feed?.ringBytes ?? 0);
      },
    });
    new Gauge({
      name: 'pingan_history_backlog_points',
      help: 'Points handed to the history worker and not yet recorded (its ring holds HISTORY ring capacity)',
      registers: [d.registry],
      collect() {
        this.set(feed?.pending() ?? 0);
      },
    });
    new Gauge({
      name: 'pingan_history_worker_restarts_total',
      help: 'Times the history worker died and was started again',
      registers: [d.registry],
      collect() {
        this.set(restarts);
      },
    });
  }

  const reads: HistoryReads = {
    async track(kind, id, from, to) {
      const idx = d.live.store(kind).indexOf(id);
      const t = await read<TrackColumns>({ op: 'track', track: { kind, id, idx, from, to } });
      const points: SegmentPoint[] = new Array(t.n);
      for (let i = 0; i < t.n; i++)
        points[i] = {
          ts: t.ts[i]!,
          lngE6: t.lngE6[i]!,
          latE6: t.latE6[i]!,
          speed10: t.speed10[i]!,
          heading: t.heading[i]!,
          status: t.status[i]!,
        };
      return { points, isTruncated: t.isTruncated };
    },
    frame(at, origin, region) {
      const counts = { vehicle: 0, worker: 0, camera: 0 };
      for (const kind of Object.keys(counts) as EntityKind[]) counts[kind] = d.live.store(kind).count;
      return read<Record<EntityKind, Uint8Array>>({ op: 'frame', at, counts, origin, region });
    },
  };

  return {
    ...reads,
    routes: ({ isOpen, regions, sql }) =>
      createHistoryRoutes({
        sql,
        live: d.live,
        reads,
        origin: d.origin,
        resolveScope: d.resolveScope,
        isOpen,
        regions,
      }),
    onTick(changes, record = true) {
      if (isClosed || !link || !feed) return;
      const dropped = feed.droppedTicks;
      const tick = feed.build(changes, d.clock.now(), record);
      if (feed.droppedTicks !== dropped && Date.now() - warnedFullAt > 10_000) {
        warnedFullAt = Date.now();
        d.logger.warn(
          { droppedPoints: feed.droppedPoints, droppedTicks: feed.droppedTicks },
          'history: the worker is behind and its ring is full; points dropped',
        );
      }
      link.tick(tick);
    },
    async flush() {
      lastStats = await read<EngineStats>({ op: 'flush' });
      return lastStats;
    },
    async readStats() {
      lastStats = await read<EngineStats>({ op: 'stats' });
      return lastStats;
    },
    backlog: () => feed?.pending() ?? 0,
    stats() {
      if (engineInThread) lastStats = engineInThread.stats();
      return (
        lastStats && {
          ...lastStats,
          queueDroppedPoints: lostDrops + (feed?.droppedPoints ?? 0),
          restarts,
        }
      );
    },
    async close() {
      if (isClosed) return;
      isClosed = true;
      if (restartTimer) clearTimeout(restartTimer);
      await link?.stop();
      link = null;
    },
  };
}

/** The engine on the calling thread: for a database without a file, which another thread cannot open. */
function inlineLink(engine: HistoryEngine): EngineLink {
  return {
    tick: (tick) => engine.tick(tick),
    call(c) {
      try {
        switch (c.op) {
          case 'track':
            return Promise.resolve(engine.track(c.track));
          case 'frame':
            return Promise.resolve(engine.packedFrame(c.at, c.counts, c.origin, c.region));
          case 'flush':
            engine.flushAll();
            return Promise.resolve(engine.stats());
          case 'stats':
            return Promise.resolve(engine.stats());
          case 'close':
            engine.close();
            return Promise.resolve(engine.stats());
        }
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
    },
    async stop() {
      engine.close();
    },
  };
}
