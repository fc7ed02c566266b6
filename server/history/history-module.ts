import Database from 'better-sqlite3';
import { Gauge, type Registry } from 'prom-client';
import type { Clock } from '@/lib/clock';
import { ENTITY_KINDS, type PositionOrigin } from '@/lib/realtime/position-codec';
import type { RegionGate } from '../auth/region-scope';
import type { Route } from '../http/router';
import type { LiveState, TickChanges } from '../live/live-state';
import type { Logger } from '../logger';
import type { Scope } from '../realtime/scope';
import { HistoryReader } from './history-reader';
import { createHistoryRoutes } from './history-routes';
import { HistoryWriter } from './history-writer';

/** Bytes of the database file the history connection maps (reads only; writes go through the WAL). */
export const HISTORY_MMAP_BYTES = 2 ** 30;

export interface HistoryModuleDeps {
  /** The app's connection; history opens its own to the same file (see below). */
  sqlite: Database.Database;
  live: LiveState;
  clock: Clock;
  logger: Logger;
  retentionDays: number;
  origin: () => PositionOrigin;
  resolveScope: (regionCode: string) => Scope | null;
  registry?: Registry;
}

export interface HistoryModule {
  writer: HistoryWriter;
  reader: HistoryReader;
  routes(opts: { isOpen: boolean; regions: RegionGate }): Route[];
  onTick(changes: TickChanges): void;
  close(): void;
}

/**
 * Position history (issue 17): a writer fed by each sealed tick, a reader, and the /api/history routes.
 * It writes through its own connection with synchronous=NORMAL: under WAL that never corrupts, and losing the
 * last second of history in a power cut is acceptable, while the app's connection keeps FULL for dispatch and
 * audit rows (an fsync per history commit, 20 a second, would be most of its cost).
 */
export function createHistoryModule(d: HistoryModuleDeps): HistoryModule {
  const file = d.sqlite.name;
  const isFile = file !== '' && file !== ':memory:' && !d.sqlite.memory;
  const sqlite = isFile ? new Database(file) : d.sqlite;
  if (isFile) {
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('busy_timeout = 5000');
    // A frame reads a whole bucket's rows (~140 MB for a province): mapped pages skip a read() and a copy
    // per page. Address space only; the OS page cache holds the data either way.
    sqlite.pragma(`mmap_size = ${HISTORY_MMAP_BYTES}`);
  }
  const writer = new HistoryWriter(sqlite, d.live, d.clock, d.logger, d.retentionDays);
  const reader = new HistoryReader(sqlite, d.live, writer);
  // Each entity's last stored state, so the first keyframe after a restart still holds units and cameras
  // that have not reported since.
  try {
    const states = reader.frame(d.clock.now());
    for (const kind of ENTITY_KINDS) {
      const s = states[kind];
      for (let i = 0; i < s.count; i++)
        if (s.ts[i]! >= 0)
          writer.seedLast(kind, i, {
            ts: s.ts[i]!,
            lngE6: s.lngE6[i]!,
            latE6: s.latE6[i]!,
            speed10: s.speed10[i]!,
            heading: s.heading[i]!,
            status: s.status[i]!,
          });
    }
  } catch (err) {
    d.logger.error({ err }, 'history: could not read the last stored states');
  }
  if (d.registry) {
    const s = writer.stats;
    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({
        name,
        help,
        registers: [d.registry!],
        collect() {
          this.set(read());
        },
      });
    gauge('pingan_history_points_total', 'Positions and camera status changes recorded', () => s.points);
    gauge('pingan_history_bytes_written_total', 'Segment bytes written to SQLite', () => s.bytesWritten);
    gauge(
      'pingan_history_dropped_points_total',
      'Points dropped because held closed segments hit PENDING_BYTES_HARD (the disk failed for minutes)',
      () => s.droppedPoints,
    );
    gauge(
      'pingan_history_write_errors_total',
      'History transactions that failed (kept and retried)',
      () => s.writeErrors,
    );
  }
  let isClosed = false;
  return {
    writer,
    reader,
    routes: ({ isOpen, regions }) =>
      createHistoryRoutes({
        sqlite,
        live: d.live,
        reader,
        origin: d.origin,
        resolveScope: d.resolveScope,
        isOpen,
        regions,
      }),
    onTick(changes) {
      if (isClosed) return;
      try {
        writer.onTick(changes);
      } catch (err) {
        d.logger.error({ err }, 'history: tick failed');
      }
    },
    close() {
      if (isClosed) return;
      isClosed = true;
      try {
        writer.flushAll();
      } catch (err) {
        d.logger.error({ err }, 'history: final write failed');
      }
      if (sqlite !== d.sqlite) sqlite.close();
    },
  };
}
