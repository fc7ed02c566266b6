import type Database from 'better-sqlite3';
import {
  DEFAULT_TIME_LIMITS,
  TimeLimitConfigSchema,
  setActiveTimeLimits,
  type TimeLimitConfig,
} from '@/lib/domain/time-limits';
import type { Logger } from '../logger';

/** The `meta` row holding the deployment's 时限 as a full TimeLimitConfig (milliseconds). */
export const TIME_LIMITS_META_KEY = 'time_limits';

export interface StoredTimeLimits {
  config: TimeLimitConfig;
  /** When an admin last saved them; null: never (the defaults apply). */
  updatedAt: number | null;
}

/** The stored limits, or the defaults when none were saved (or the row is unreadable, which is logged). */
export function readTimeLimits(sqlite: Database.Database, logger?: Logger): StoredTimeLimits {
  const row = sqlite
    .prepare<[string], { value: string; updatedAt: number }>(
      'SELECT value, updated_at AS updatedAt FROM meta WHERE key = ?',
    )
    .get(TIME_LIMITS_META_KEY);
  if (!row) return { config: DEFAULT_TIME_LIMITS, updatedAt: null };
  try {
    return { config: TimeLimitConfigSchema.parse(JSON.parse(row.value)), updatedAt: row.updatedAt };
  } catch (err) {
    logger?.error({ err: String(err) }, 'stored time limits unreadable; the defaults apply');
    return { config: DEFAULT_TIME_LIMITS, updatedAt: null };
  }
}

/** Writes the limits (call inside the caller's transaction, with its audit row). */
export function writeTimeLimits(sqlite: Database.Database, config: TimeLimitConfig, now: number): void {
  sqlite
    .prepare(
      `INSERT INTO meta (key, value, updated_at) VALUES (?, ?, ?)
       ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    )
    .run(TIME_LIMITS_META_KEY, JSON.stringify(config), now);
}

/** Makes the stored limits the ones every lamp in this process uses (at start, and after each save). */
export function applyStoredTimeLimits(sqlite: Database.Database, logger?: Logger): StoredTimeLimits {
  const stored = readTimeLimits(sqlite, logger);
  setActiveTimeLimits(stored.config);
  return stored;
}

/** Other server processes sharing the database (scale-out) pick up an admin's change within this long. */
export const TIME_LIMITS_REFRESH_MS = 10_000;

/**
 * Re-reads the stored limits every `everyMs` and applies them when their `updated_at` moved, so a change
 * saved by another process sharing this database reaches this one's lamps without a restart. Applies only
 * changes (never re-applies what it saw at start), and stops by itself once the database is closed.
 */
export function watchStoredTimeLimits(
  sqlite: Database.Database,
  logger?: Logger,
  everyMs = TIME_LIMITS_REFRESH_MS,
): () => void {
  let seen = readTimeLimits(sqlite, logger).updatedAt;
  const timer = setInterval(() => {
    try {
      const stored = readTimeLimits(sqlite, logger);
      if (stored.updatedAt === seen) return;
      seen = stored.updatedAt;
      setActiveTimeLimits(stored.config);
    } catch {
      clearInterval(timer); // the database was closed: the app that owned it is gone
    }
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
