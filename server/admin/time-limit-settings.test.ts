import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_TIME_LIMITS,
  activeTimeLimits,
  parseTimeLimitConfig,
  setActiveTimeLimits,
} from '@/lib/domain/time-limits';
import { SQL_BACKENDS, type TestSqlDb } from '@/tests/helpers/sql-backends';
import { openDatabase } from '../db/open-database';
import { sqliteSqlDb } from '../db/sql-db';
import {
  TIME_LIMITS_META_KEY,
  TIME_LIMITS_REFRESH_MS,
  readTimeLimits,
  startTimeLimits,
  watchStoredTimeLimits,
  writeTimeLimits,
} from './time-limit-settings';

afterEach(() => {
  vi.useRealTimers();
  setActiveTimeLimits(DEFAULT_TIME_LIMITS);
});

for (const backend of SQL_BACKENDS) {
  describe.skipIf(backend.unavailable !== null)(`stored time limits on ${backend.name}`, () => {
    let t: TestSqlDb;
    beforeAll(async () => {
      t = await backend.open();
    });
    afterAll(async () => {
      await t?.close();
    });

    it('reads the defaults until saved, and falls back to them when the row is unreadable', async () => {
      expect(await readTimeLimits(t.db)).toEqual({ config: DEFAULT_TIME_LIMITS, updatedAt: null });
      const c = parseTimeLimitConfig('{"minutes":{"1":{"accept":5}}}');
      await t.db.transaction((tx) => writeTimeLimits(tx, c, 1_000));
      expect(await readTimeLimits(t.db)).toEqual({ config: c, updatedAt: 1_000 });
      await t.db.run(sql`UPDATE meta SET value = '{"yellowRatio":7}' WHERE key = ${TIME_LIMITS_META_KEY}`);
      expect((await readTimeLimits(t.db)).config).toBe(DEFAULT_TIME_LIMITS);
      await t.db.run(sql`DELETE FROM meta WHERE key = ${TIME_LIMITS_META_KEY}`);
    });

    it('applies what is stored before resolving, and follows a change saved by another process', async () => {
      const stored = parseTimeLimitConfig('{"yellowRatio":0.7}');
      await writeTimeLimits(t.another(), stored, 2_000);
      const started = await startTimeLimits(t.db, undefined, 20);
      // Applied by the time start resolves: nothing computes a lamp on the defaults meanwhile.
      expect(activeTimeLimits()).toEqual(stored);
      expect(started.stored.updatedAt).toBe(2_000);

      const c = parseTimeLimitConfig('{"yellowRatio":0.6}');
      await writeTimeLimits(t.another(), c, 3_000);
      await vi.waitFor(() => expect(activeTimeLimits()).toEqual(c), { timeout: 2_000, interval: 10 });
      // Only changes are applied: this process's own later setting is not overwritten by an unchanged row.
      setActiveTimeLimits(DEFAULT_TIME_LIMITS);
      await new Promise((r) => setTimeout(r, 100));
      expect(activeTimeLimits()).toBe(DEFAULT_TIME_LIMITS);
      started.stop();
      await writeTimeLimits(t.another(), stored, 4_000);
      await new Promise((r) => setTimeout(r, 100));
      expect(activeTimeLimits()).toBe(DEFAULT_TIME_LIMITS);
    });
  });
}

describe('the stored time limits watch', () => {
  it('stops by itself once its database is closed', async () => {
    vi.useFakeTimers();
    const db = openDatabase(':memory:');
    watchStoredTimeLimits(sqliteSqlDb(db.$client), null);
    db.$client.close();
    await vi.advanceTimersByTimeAsync(3 * TIME_LIMITS_REFRESH_MS);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps watching after a failed read', async () => {
    vi.useFakeTimers();
    const db = openDatabase(':memory:');
    const sql = sqliteSqlDb(db.$client);
    db.$client.exec('ALTER TABLE meta RENAME TO meta_away');
    const stop = watchStoredTimeLimits(sql, null);
    await vi.advanceTimersByTimeAsync(TIME_LIMITS_REFRESH_MS);
    db.$client.exec('ALTER TABLE meta_away RENAME TO meta');
    const c = parseTimeLimitConfig('{"yellowRatio":0.55}');
    await writeTimeLimits(sql, c, 5_000);
    await vi.advanceTimersByTimeAsync(TIME_LIMITS_REFRESH_MS);
    expect(activeTimeLimits()).toEqual(c);
    stop();
    db.$client.close();
  });
});
