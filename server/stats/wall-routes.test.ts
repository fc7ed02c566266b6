import { afterAll, describe, expect, it } from 'vitest';
import { FakeClock } from '@/lib/clock';
import { STATS_REFRESH_MAX_MS } from '@/lib/wall/stats';
import { openDatabase } from '../db/open-database';
import { sqliteSqlDb, type SqlDb } from '../db/sql-db';
import { LiveState } from '../live/live-state';
import { createLogger } from '../logger';
import {
  createStatsProvider,
  STATS_MAX_TIME_SHARE,
  STATS_REFRESH_MS,
  STATS_SLOW_MS,
  statsRefreshMs,
} from './wall-routes';

const NOW = Date.UTC(2026, 10, 23, 4, 0, 0);

describe('the stats provider the hub ticks read', () => {
  const db = openDatabase(':memory:');
  afterAll(() => db.$client.close());
  const sql = sqliteSqlDb(db.$client);

  /** The database with a switch: while `blocked`, every read waits until released. */
  function gated(inner: SqlDb) {
    let release: () => void = () => {};
    let gate: Promise<void> | null = null;
    let failing = false;
    const wait = async () => {
      if (gate) await gate;
      if (failing) throw new Error('database down');
    };
    const db: SqlDb = {
      ...inner,
      all: async (q) => (await wait(), inner.all(q)),
      get: async (q) => (await wait(), inner.get(q)),
    };
    return {
      db,
      block() {
        gate = new Promise((r) => (release = r));
      },
      release() {
        gate = null;
        release();
      },
      fail: (v: boolean) => (failing = v),
    };
  }

  it('answers at once from the last figures and recomputes beside the tick, never inside it', async () => {
    const clock = new FakeClock(NOW);
    const g = gated(sql);
    const stats = createStatsProvider({ sql: g.db, live: new LiveState(clock), clock });
    g.block();
    // The first tick has nothing yet, and does not wait for the database.
    expect(stats.latest(null)).toBeUndefined();
    expect(stats.latest(null)).toBeUndefined();
    g.release();
    await new Promise((r) => setTimeout(r, 10));
    const first = stats.latest(null)!;
    expect(first.at).toBe(NOW);
    // The same object until the figures are due again (the hub resends only after a recompute).
    expect(stats.latest(null)).toBe(first);
    expect(await stats.get(null)).toBe(first);

    clock.advance(STATS_REFRESH_MS);
    g.block();
    // Due: the tick still gets the previous figures at once while the new ones are read.
    expect(stats.latest(null)).toBe(first);
    g.release();
    await new Promise((r) => setTimeout(r, 10));
    const second = stats.latest(null)!;
    expect(second).not.toBe(first);
    expect(second.at).toBe(NOW + STATS_REFRESH_MS);
  });

  it('recomputes a scope slow to compute less often, so that it takes at most a set share of the time', async () => {
    const clock = new FakeClock(NOW);
    const g = gated(sql);
    const stats = createStatsProvider({ sql: g.db, live: new LiveState(clock), clock });
    g.block();
    const pending = stats.get(null);
    const slowMs = 2 * STATS_SLOW_MS;
    await new Promise((r) => setTimeout(r, slowMs));
    g.release();
    const first = await pending;
    // Not due after the usual interval, nor just before the slow one…
    clock.advance(STATS_REFRESH_MS);
    expect(stats.latest(null)).toBe(first);
    clock.advance(slowMs / STATS_MAX_TIME_SHARE - STATS_REFRESH_MS - 1);
    expect(stats.latest(null)).toBe(first);
    await new Promise((r) => setTimeout(r, 10));
    expect(stats.latest(null)).toBe(first);
    // …and due well after (the compute's real time, which sets the interval, may have been a little longer).
    clock.advance(3 * (slowMs / STATS_MAX_TIME_SHARE));
    expect(stats.latest(null)).toBe(first);
    await new Promise((r) => setTimeout(r, 10));
    expect(stats.latest(null)).not.toBe(first);
    // A fast compute brings the usual interval back.
    const second = stats.latest(null)!;
    clock.advance(STATS_REFRESH_MS);
    stats.latest(null);
    await new Promise((r) => setTimeout(r, 10));
    expect(stats.latest(null)).not.toBe(second);
  });

  it('never keeps figures past STATS_REFRESH_MAX_MS, however long one compute took', () => {
    expect(statsRefreshMs(10)).toBe(STATS_REFRESH_MS);
    expect(statsRefreshMs(NaN)).toBe(STATS_REFRESH_MS);
    expect(statsRefreshMs(1_000)).toBe(1_000 / STATS_MAX_TIME_SHARE);
    expect(statsRefreshMs(1_000)).toBeLessThan(STATS_REFRESH_MAX_MS);
    // A cold compute under a burst (measured: ~10 s at province scale) must not hold 3 minutes' old figures.
    expect(statsRefreshMs(10_000)).toBe(STATS_REFRESH_MAX_MS);
    expect(statsRefreshMs(Infinity)).toBe(STATS_REFRESH_MAX_MS);
  });

  it('keeps the last figures when a recompute fails, and does not retry on every tick', async () => {
    const clock = new FakeClock(NOW);
    const g = gated(sql);
    const stats = createStatsProvider({
      sql: g.db,
      live: new LiveState(clock),
      clock,
      logger: createLogger('silent'),
    });
    const first = await stats.get(null);
    clock.advance(STATS_REFRESH_MS);
    g.fail(true);
    expect(stats.latest(null)).toBe(first);
    await new Promise((r) => setTimeout(r, 10));
    expect(stats.latest(null)).toBe(first);
    await expect(stats.get(null)).rejects.toThrow('database down');
    g.fail(false);
    // The failed scope is left alone for a refresh interval (by real time), then tried again.
    expect(stats.latest(null)).toBe(first);
    await new Promise((r) => setTimeout(r, 10));
    expect(stats.latest(null)).toBe(first);
  });

  it('drops figures begun before an invalidation (a territory import)', async () => {
    const clock = new FakeClock(NOW);
    const g = gated(sql);
    const stats = createStatsProvider({ sql: g.db, live: new LiveState(clock), clock });
    g.block();
    const before = stats.get(null);
    stats.invalidate();
    g.release();
    const answered = await before;
    // Whoever waited is answered, but the figures are not kept: the next ask computes anew.
    const next = await stats.get(null);
    expect(next).not.toBe(answered);
    expect(await stats.get(null)).toBe(next);
  });
});
