import { sql } from 'drizzle-orm';
import type { SqlRunner } from '../db/sql-db';
import type { Clock } from '@/lib/clock';
import { createUser, DEFAULT_DEMO_PASSWORD, hasUser } from '../auth/accounts';

/** The demo's grid worker account: signs in on a phone at /m as a real worker of the demo world. */
export const DEMO_WORKER_USERNAME = 'grid01';

/**
 * Demo mode: `grid01` (with the demo password) bound to the first active grid worker that has a grid, so the
 * phone page reports inside that grid's community. Left alone when it exists; none without a seeded world.
 */
export async function seedDemoWorkerAccount(
  db: SqlRunner,
  clock: Clock,
  password: string = DEFAULT_DEMO_PASSWORD,
): Promise<string | null> {
  if (await hasUser(db, DEMO_WORKER_USERNAME)) return null;
  const worker = await db.get<{ id: string; name: string | null }>(
    sql`SELECT w.id, w.name FROM workers w JOIN grids g ON g.code = w.grid_code
        WHERE w.disabled_at IS NULL AND w.is_unassigned = ${false} ORDER BY w.id LIMIT 1`,
  );
  if (!worker) return null;
  await createUser(db, clock, {
    username: DEMO_WORKER_USERNAME,
    role: 'worker',
    password,
    displayName: worker.name ?? '网格员',
    workerId: worker.id,
  });
  return worker.id;
}
