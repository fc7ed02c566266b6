import { sql } from 'drizzle-orm';
import {
  DEFAULT_TIME_LIMITS,
  TimeLimitConfigSchema,
  setActiveTimeLimits,
  type TimeLimitConfig,
} from '@/lib/domain/time-limits';
import type { SqlDb, SqlRunner, SqliteSqlDb } from '../db/sql-db';
import type { Logger } from '../logger';

/** The `meta` row holding the deployment's 时限 as a full TimeLimitConfig (milliseconds). */
export const TIME_LIMITS_META_KEY = 'time_limits';

export interface StoredTimeLimits {
  config: TimeLimitConfig;
  /** When an admin last saved them; null: never (the defaults apply). */
  updatedAt: number | null;
}

/** The stored limits, or the defaults when none were saved (or the row is unreadable, which is logged). */
export async function readTimeLimits(db: SqlRunner, logger?: Logger): Promise<StoredTimeLimits> {
  const row = await db.get<{ value: string; updatedAt: number }>(
    sql`SELECT value, updated_at AS "updatedAt" FROM meta WHERE key = ${TIME_LIMITS_META_KEY}`,
  );
  if (!row) return { config: DEFAULT_TIME_LIMITS, updatedAt: null };
  try {
    return { config: TimeLimitConfigSchema.parse(JSON.parse(row.value)), updatedAt: row.updatedAt };
  } catch (err) {
    logger?.error({ err: String(err) }, 'stored time limits unreadable; the defaults apply');
    return { config: DEFAULT_TIME_LIMITS, updatedAt: null };
  }
}

/** Writes the limits (call inside the caller's transaction, with its audit row). */
export async function writeTimeLimits(db: SqlRunner, config: TimeLimitConfig, now: number): Promise<void> {
  await db.run(
    sql`INSERT INTO meta (key, value, updated_at) VALUES (${TIME_LIMITS_META_KEY}, ${JSON.stringify(config)}, ${now})
        ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  );
}

/** Makes the stored limits the ones every lamp in this process uses. */
export async function applyStoredTimeLimits(db: SqlRunner, logger?: Logger): Promise<StoredTimeLimits> {
  const stored = await readTimeLimits(db, logger);
  setActiveTimeLimits(stored.config);
  return stored;
}

/** Other server processes sharing the database (scale-out) pick up an admin's change within this long. */
export const TIME_LIMITS_REFRESH_MS = 10_000;

/** A SQLite connection closed, or a PostgreSQL pool ended: the app that owned the database is gone. */
function isClosed(db: SqlDb, err: unknown): boolean {
  if (db.dialect === 'sqlite') return !(db as SqliteSqlDb).sqlite.open;
  return /after calling end on the pool/i.test(String((err as Error | null)?.message));
}

/**
 * Re-reads the stored limits every `everyMs` and applies them when their `updated_at` moved from `seen`
 * (what the caller applied, or read, last), so a change saved by another process sharing this database
 * reaches this one's lamps without a restart. Applies only changes (never re-applies what it saw), one read
 * at a time; a failed read is logged and tried again, and it stops by itself once the database is closed.
 */
export function watchStoredTimeLimits(
  db: SqlDb,
  seen: number | null,
  logger?: Logger,
  everyMs = TIME_LIMITS_REFRESH_MS,
): () => void {
  let timer: NodeJS.Timeout | null = null;
  let isStopped = false;
  const schedule = () => {
    if (isStopped) return;
    timer = setTimeout(() => void check(), everyMs);
    timer.unref();
  };
  async function check(): Promise<void> {
    try {
      const stored = await readTimeLimits(db, logger);
      if (stored.updatedAt !== seen) {
        seen = stored.updatedAt;
        setActiveTimeLimits(stored.config);
      }
    } catch (err) {
      if (isClosed(db, err)) return;
      logger?.warn({ err }, 'stored time limits could not be read; tried again shortly');
    }
    schedule();
  }
  schedule();
  return () => {
    isStopped = true;
    if (timer) clearTimeout(timer);
  };
}

/**
 * At start, before anything computes a lamp (the ticks, the overdue watch, the wall's figures): the stored
 * limits are applied, awaited, and followed from then on. Resolves with what was applied and the stop.
 */
export async function startTimeLimits(
  db: SqlDb,
  logger?: Logger,
  everyMs = TIME_LIMITS_REFRESH_MS,
): Promise<{ stored: StoredTimeLimits; stop: () => void }> {
  const stored = await applyStoredTimeLimits(db, logger);
  return { stored, stop: watchStoredTimeLimits(db, stored.updatedAt, logger, everyMs) };
}
