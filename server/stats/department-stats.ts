import { sql } from 'drizzle-orm';
import type { TimeLimitConfig } from '@/lib/domain/time-limits';
import { departmentRates, type Handing } from '@/lib/departments/report-rates';
import { DEPT_STATS_MAX, type DepartmentStat } from '@/lib/wall/stats';
import type { SqlRunner } from '../db/sql-db';
import { handingsFor, type HandingRow } from '../departments/department-handings';

/**
 * 报到率 and 按时办结率 per department for a wall's scope and period (docs/kpis.md): the handings made in the
 * period to incidents in the scope, answered as lib/departments/report-rates.ts counts them. The lowest
 * 报到率 comes first (the departments a leader has to chase), then the most handed; bounded by DEPT_STATS_MAX.
 *
 * Handings are read as the department pages read them (server/departments/department-handings.ts).
 */

/** Period starts whose handings are kept (today, 7 days, 旬, month, and a briefing's). */
const SINCE_CACHE_MAX = 8;
/**
 * PostgreSQL draws identity ids when a row is inserted, not when it commits, so an event may become visible
 * after events with higher ids. The incremental read below re-reads everything past the highest id seen at
 * least this long ago (a transaction still open that long after drawing its id is not expected).
 */
export const HANDING_COMMIT_SETTLE_MS = 60_000;
/**
 * On PostgreSQL, events a first full read may have missed (drawn before the highest id it saw, committed
 * after it) lie among the ids just below that highest id: re-read until the first read settles. Far more
 * than a centre writes in HANDING_COMMIT_SETTLE_MS, and a range of the primary key, so cheap to re-read.
 */
const FIRST_READ_LOOKBACK_IDS = 10_000;

interface SinceEntry {
  /** Every event up to this id has been read (on PostgreSQL: settled, see HANDING_COMMIT_SETTLE_MS). */
  readTo: number;
  /** The highest id seen at each refresh not yet settled: [when, id]. */
  seen: [number, number][];
  byIncident: Map<string, HandingRow[]>;
}

/**
 * Handings per period start, kept up to date incrementally: after the first full read only incidents with
 * events past the last settled id are read again. A wall recomputes every few seconds; a month of a busy
 * district is ~30k handings, too many to reread each time.
 */
class HandingCache {
  private readonly bySince = new Map<number, SinceEntry>();
  /** One refresh at a time: two would each read and both write the same entry. */
  private turn: Promise<unknown> = Promise.resolve();

  constructor(private readonly db: SqlRunner) {}

  handingsSince(since: number, now: number): Promise<HandingRow[]> {
    const next = this.turn.then(() => this.refreshed(since, now));
    this.turn = next.catch(() => {});
    return next.then((e) => [...e.byIncident.values()].flat());
  }

  private async refreshed(since: number, now: number): Promise<SinceEntry> {
    const { db } = this;
    const maxId =
      (await db.get<{ id: number | null }>(sql`SELECT MAX(id) AS id FROM incident_events`))?.id ?? 0;
    let entry = this.bySince.get(since);
    let ids: string[];
    if (entry) {
      ids =
        maxId > entry.readTo
          ? (
              await db.all<{ id: string }>(
                sql`SELECT DISTINCT incident_id AS "id" FROM incident_events WHERE id > ${entry.readTo}`,
              )
            ).map((r) => r.id)
          : [];
    } else {
      ids = (
        await db.all<{ id: string }>(
          sql`SELECT DISTINCT incident_id AS "id" FROM incident_events
              WHERE type = 'assign' AND at >= ${since} AND data ->> 'assigneeKind' = 'department'`,
        )
      ).map((r) => r.id);
      const readTo = db.dialect === 'postgres' ? Math.max(0, maxId - FIRST_READ_LOOKBACK_IDS) : maxId;
      entry = { readTo, seen: [], byIncident: new Map() };
      this.bySince.set(since, entry);
      if (this.bySince.size > SINCE_CACHE_MAX) this.bySince.delete(this.bySince.keys().next().value!);
    }
    const fresh = new Map<string, HandingRow[]>();
    for (const h of await handingsFor(db, ids))
      if (h.handedAt >= since) fresh.set(h.incidentId, [...(fresh.get(h.incidentId) ?? []), h]);
    for (const id of ids) {
      const list = fresh.get(id);
      if (list) entry.byIncident.set(id, list);
      else entry.byIncident.delete(id);
    }
    // SQLite commits in id order (one writer): everything up to the highest id is read at once.
    if (db.dialect === 'sqlite') entry.readTo = maxId;
    else {
      entry.seen.push([now, maxId]);
      while (entry.seen.length > 0 && entry.seen[0]![0] <= now - HANDING_COMMIT_SETTLE_MS)
        entry.readTo = Math.max(entry.readTo, entry.seen.shift()![1]);
    }
    return entry;
  }
}

const caches = new WeakMap<SqlRunner, HandingCache>();

export async function departmentStats(
  db: SqlRunner,
  o: { prefix: string; since: number; until?: number; now: number; limits: TimeLimitConfig },
): Promise<DepartmentStat[]> {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new HandingCache(db)));
  const byDept = new Map<string, Handing[]>();
  for (const h of await cache.handingsSince(o.since, Date.now())) {
    if (o.until !== undefined && h.handedAt >= o.until) continue;
    if (o.prefix !== '' && !h.gridCode?.startsWith(o.prefix)) continue;
    const list = byDept.get(h.departmentId) ?? [];
    list.push(h);
    byDept.set(h.departmentId, list);
  }
  if (byDept.size === 0) return [];
  const names = new Map(
    (await db.all<{ id: string; name: string }>(sql`SELECT id, name FROM departments`)).map((d) => [
      d.id,
      d.name,
    ]),
  );
  const now = o.until !== undefined ? Math.min(o.now, o.until) : o.now;
  return [...byDept]
    .map(([id, hs]) => ({ id, name: names.get(id) ?? id, ...departmentRates(hs, now, o.limits) }))
    .sort(
      (a, b) =>
        (a.ackRate ?? 2) - (b.ackRate ?? 2) ||
        b.handed - a.handed ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    )
    .slice(0, DEPT_STATS_MAX);
}
