import type Database from 'better-sqlite3';
import type { Clock } from '@/lib/clock';
import type { LiveState, TickChanges } from '../live/live-state';
import type { Logger } from '../logger';
import { HistoryEngine } from './history-engine';
import { newTickFeed } from './tick-feed';

/**
 * The history engine fed on the calling thread, through the same ring and messages as the worker: for a
 * database without a file (another thread cannot open it), and for tests and benches that step it tick by tick.
 */
export function createInThreadHistory(d: {
  sqlite: Database.Database;
  live: LiveState;
  clock: Clock;
  logger: Logger;
  retentionDays: number;
}) {
  const { keys, ring, feed } = newTickFeed(d.sqlite, d.live);
  const engine = new HistoryEngine(
    d.sqlite,
    { retentionDays: d.retentionDays, keys, ring, now: d.clock.now() },
    d.logger,
  );
  return {
    engine,
    feed,
    writer: engine.writer,
    reader: engine.reader,
    /** One sealed tick, recorded (or, `record` false, only learned) before this returns. */
    tick(changes: TickChanges, record = true): void {
      engine.tick(feed.build(changes, d.clock.now(), record));
    },
  };
}
