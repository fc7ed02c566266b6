import { sql } from 'drizzle-orm';
import type { SqlRunner } from './sql-db';

/**
 * How long /api/health waits for the database: well under a load balancer's check timeout, so a hung
 * database reads as down instead of as a hung process.
 */
export const HEALTH_DB_TIMEOUT_MS = 2_000;

/** Whether the database answers a trivial query in time. */
export async function dbHealth(db: SqlRunner, timeoutMs = HEALTH_DB_TIMEOUT_MS): Promise<'up' | 'down'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'down'>((resolve) => {
    timer = setTimeout(() => resolve('down'), timeoutMs);
  });
  try {
    return await Promise.race([db.get(sql`SELECT 1`).then(() => 'up' as const), late]);
  } catch {
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}
