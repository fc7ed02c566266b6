import { sql } from 'drizzle-orm';
import { regionPrefix } from '@/lib/domain/region-code';
import { flag, type SqlRunner } from '../db/sql-db';
import { HttpError, type Principal } from '../http/router';

/** What a worker account is bound to, read per request (an admin may rebind or disable the worker). */
export interface WorkerContext {
  workerId: string;
  name: string | null;
  gridCode: string | null;
  gridName: string | null;
  center: [number, number] | null;
  /**
   * The prefix every report's place must lie in: the account's own region when an admin set one, else the
   * worker's community (社区: the grids a worker walks lie in it), else their grid.
   */
  scopePrefix: string | null;
}

interface Row {
  workerId: string | null;
  name: string | null;
  gridCode: string | null;
  gridName: string | null;
  communityCode: string | null;
  centerLng: number | null;
  centerLat: number | null;
  disabledAt: number | null;
  hasWorker: number | boolean | null;
}

export function createWorkerContexts(db: SqlRunner) {
  /** The bound worker of a signed-in worker account, or a 403 saying why there is none. */
  return async function workerOf(p: Principal): Promise<WorkerContext> {
    const r = await db.get<Row>(
      sql`SELECT u.worker_id AS "workerId", w.name, w.grid_code AS "gridCode", g.name AS "gridName",
            g.community_code AS "communityCode", g.center_lng AS "centerLng", g.center_lat AS "centerLat",
            w.disabled_at AS "disabledAt", (w.id IS NOT NULL) AS "hasWorker"
          FROM users u LEFT JOIN workers w ON w.id = u.worker_id LEFT JOIN grids g ON g.code = w.grid_code
          WHERE u.username = ${p.username}`,
    );
    if (!r?.workerId || !flag(r.hasWorker))
      throw new HttpError(403, '该账号未绑定网格员', { reason: 'worker_not_bound' });
    if (r.disabledAt !== null) throw new HttpError(403, '该网格员已停用', { reason: 'worker_disabled' });
    const own = p.regionCode ? regionPrefix(p.regionCode) : null;
    const community = r.communityCode ? regionPrefix(r.communityCode) : null;
    return {
      workerId: r.workerId,
      name: r.name,
      gridCode: r.gridCode,
      gridName: r.gridName,
      center: r.centerLng !== null && r.centerLat !== null ? [r.centerLng, r.centerLat] : null,
      scopePrefix: own ?? community ?? r.gridCode,
    };
  };
}

export type WorkerContexts = ReturnType<typeof createWorkerContexts>;
