import type Database from 'better-sqlite3';
import type { TimeLimitConfig } from '@/lib/domain/time-limits';
import { departmentRates, type Handing } from '@/lib/departments/report-rates';
import { DEPT_STATS_MAX, type DepartmentStat } from '@/lib/wall/stats';
import { createHandingReader, type HandingReader } from '../departments/department-handings';

/**
 * 报到率 and 按时办结率 per department for a wall's scope and period (docs/kpis.md): the handings made in the
 * period to incidents in the scope, answered as lib/departments/report-rates.ts counts them. The lowest
 * 报到率 comes first (the departments a leader has to chase), then the most handed; bounded by DEPT_STATS_MAX.
 */
const readers = new WeakMap<Database.Database, { reader: HandingReader; names: Database.Statement }>();

export function departmentStats(
  sqlite: Database.Database,
  o: { prefix: string; since: number; until?: number; now: number; limits: TimeLimitConfig },
): DepartmentStat[] {
  let r = readers.get(sqlite);
  if (!r) {
    r = {
      reader: createHandingReader(sqlite),
      names: sqlite.prepare('SELECT id, name FROM departments'),
    };
    readers.set(sqlite, r);
  }
  const byDept = new Map<string, Handing[]>();
  for (const h of r.reader.handingsSince(o.since)) {
    if (o.until !== undefined && h.handedAt >= o.until) continue;
    if (o.prefix !== '' && !h.gridCode?.startsWith(o.prefix)) continue;
    const list = byDept.get(h.departmentId) ?? [];
    list.push(h);
    byDept.set(h.departmentId, list);
  }
  if (byDept.size === 0) return [];
  const names = new Map((r.names.all() as { id: string; name: string }[]).map((d) => [d.id, d.name]));
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
