import { sql } from 'drizzle-orm';
import { handingsOf, type Handing, type HandingEvent } from '@/lib/departments/report-rates';
import { inList, jsonValue, type SqlRunner } from '../db/sql-db';

/**
 * Reads handings (assignments of incidents to departments) and the timeline after them, on either engine,
 * for a department's queue (server/departments/department-routes.ts) and the wall's 报到率
 * (server/stats/department-stats.ts). The rules that read them are pure (lib/departments), so the wall and
 * the department's queue count alike.
 */

/** Incidents whose timelines are read in one statement. */
const IN_CHUNK = 500;

export type HandingRow = Handing & { gridCode: string | null };

interface EventRow {
  incidentId: string;
  at: number;
  type: string;
  toState: string | null;
  /** JSON text on SQLite, parsed jsonb on PostgreSQL. */
  data: unknown;
}

function toHandingEvent(r: EventRow): HandingEvent {
  if (r.type !== 'assign' || r.data === null) return { at: r.at, type: r.type, toState: r.toState };
  try {
    const d = jsonValue<{ assigneeKind?: unknown; assigneeId?: unknown }>(r.data);
    return {
      at: r.at,
      type: r.type,
      toState: r.toState,
      assigneeKind: typeof d?.assigneeKind === 'string' ? d.assigneeKind : null,
      assigneeId: typeof d?.assigneeId === 'string' ? d.assigneeId : null,
    };
  } catch {
    return { at: r.at, type: r.type, toState: r.toState }; // a damaged row is no handing
  }
}

/** Every handing of these incidents, with each incident's grid code. */
export async function handingsFor(db: SqlRunner, ids: readonly string[]): Promise<HandingRow[]> {
  const out: HandingRow[] = [];
  for (let k = 0; k < ids.length; k += IN_CHUNK) {
    const chunk = ids.slice(k, k + IN_CHUNK);
    const byId = new Map<string, HandingEvent[]>();
    for (const r of await db.all<EventRow>(
      sql`SELECT incident_id AS "incidentId", at, type, to_state AS "toState", data FROM incident_events
          WHERE incident_id IN ${inList(db, chunk)} ORDER BY incident_id, at, id`,
    )) {
      const list = byId.get(r.incidentId) ?? [];
      list.push(toHandingEvent(r));
      byId.set(r.incidentId, list);
    }
    const heads = await db.all<{
      id: string;
      priority: number;
      category: string;
      receivedAt: number;
      gridCode: string | null;
    }>(
      sql`SELECT id, priority, category, received_at AS "receivedAt", grid_code AS "gridCode" FROM incidents
          WHERE id IN ${inList(db, chunk)}`,
    );
    for (const h of heads)
      for (const x of handingsOf(h, byId.get(h.id) ?? [])) out.push({ ...x, gridCode: h.gridCode });
  }
  return out;
}

/** The incidents most recently handed to a department, newest first (bounded by `limit`). */
export async function incidentsHandedTo(
  db: SqlRunner,
  departmentId: string,
  limit: number,
): Promise<string[]> {
  const rows = await db.all<{ id: string }>(
    sql`SELECT incident_id AS id FROM incident_events
        WHERE type = 'assign' AND data ->> 'assigneeKind' = 'department' AND data ->> 'assigneeId' = ${departmentId}
        GROUP BY incident_id ORDER BY MAX(at) DESC, incident_id LIMIT ${limit}`,
  );
  return rows.map((r) => r.id);
}
