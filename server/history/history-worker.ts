/**
 * The history worker thread: one HistoryEngine over its own SQLite connection, answering the host's messages
 * in order (a tick, a read, a flush), so the ingest thread never waits on an encode or a write.
 */
import Database from 'better-sqlite3';
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { createLogger } from '../logger';
import { HistoryEngine, transferablesOf, type EngineInit } from './history-engine';
import {
  HISTORY_MMAP_BYTES,
  HISTORY_WORKER_NICE,
  type HostMessage,
  type WorkerMessage,
} from './history-protocol';

const data = workerData as { file: string; init: EngineInit; logLevel: string };
const port = parentPort!;
const logger = createLogger(data.logLevel).child({ thread: 'history' });
const post = (m: WorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

/**
 * Lowers this thread's priority, not the process's: Linux schedules threads, and setpriority on a thread id
 * renices that thread alone. History can wait in its ring; the ingest thread cannot. With the worker at the
 * same priority, at 300,000 reports/s on 2 cores the walls' p99 update age went from 124 to 200 ms
 * (B7ingestB1). Priority orders the threads; on a host with no core to spare the worker's CPU still counts.
 */
function yieldToIngest(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, HISTORY_WORKER_NICE);
  } catch (err) {
    logger.info({ err }, 'history: the worker thread keeps the normal priority (no per-thread nice here)');
  }
}

let engine: HistoryEngine;
let sqlite: Database.Database;
let writeSqlite: Database.Database;
/** synchronous=NORMAL: under WAL that never corrupts, and losing the last second of history in a power cut
 * is acceptable, while the app's connection keeps FULL for dispatch and audit rows. */
function open(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  return db;
}
yieldToIngest();
try {
  sqlite = open(data.file);
  // A frame reads a whole bucket's rows (~140 MB for a province): mapped pages skip a read() and a copy per
  // page. Reads only: mapped pages count in the process's RSS (page cache the kernel can take back, but RSS
  // all the same), so the writer has a connection of its own without them. What the writer reads (rows it
  // appends to) stays out of RSS: when each part of a bucket was appended to the bucket's rows, the writer's
  // reads through the map put the server's RSS ~135 MB higher at 1 M units every 10 s.
  sqlite.pragma(`mmap_size = ${HISTORY_MMAP_BYTES}`);
  writeSqlite = open(data.file);
  engine = new HistoryEngine(sqlite, data.init, logger, writeSqlite);
  post({ type: 'ready' });
} catch (err) {
  post({ type: 'failed', error: err instanceof Error ? err.message : String(err) });
  throw err;
}

/** Stats go to the host at most this often (its gauges read the latest). */
const STATS_EVERY_MS = 1000;
let statsAt = 0;

port.on('message', (m: HostMessage) => {
  if (m.type === 'tick') {
    try {
      engine.tick(m.tick);
    } catch (err) {
      logger.error({ err }, 'history: tick failed');
    }
    const now = Date.now();
    if (now - statsAt >= STATS_EVERY_MS) {
      statsAt = now;
      post({ type: 'stats', stats: engine.stats() });
    }
    return;
  }
  try {
    switch (m.op) {
      case 'track': {
        const t = engine.track(m.track);
        post({ type: 'reply', id: m.id, ok: true, value: t }, transferablesOf(t));
        return;
      }
      case 'frame': {
        const f = engine.packedFrame(m.at, m.counts, m.origin, m.region);
        post({ type: 'reply', id: m.id, ok: true, value: f }, transferablesOf(f));
        return;
      }
      case 'flush':
        engine.flushAll();
        break;
      case 'stats':
        break;
      case 'close':
        engine.close();
        sqlite.close();
        writeSqlite.close();
        break;
    }
    post({ type: 'reply', id: m.id, ok: true, value: engine.stats() });
  } catch (err) {
    post({ type: 'reply', id: m.id, ok: false, error: err instanceof Error ? err.message : String(err) });
  }
});
