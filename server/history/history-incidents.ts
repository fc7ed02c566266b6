import { sql } from 'drizzle-orm';
import { regionPrefix } from '@/lib/domain/region-code';
import type { HistoryIncident, HistoryIncidentEvent, HistoryIncidentsResponse } from '@/lib/history/contract';
import { assigneeOf } from '@/lib/history/playback';
import { inList, type SqlRunner } from '../db/sql-db';

/** Incidents one answer carries at most (a district has 150–350 grid incidents a day; a month fits). */
export const HISTORY_INCIDENTS_MAX = 20_000;

/**
 * Incidents alive at any time in [from, to) (reported before `to`, not closed before `from`), in the
 * region by grid code, each with its timeline. Reporter and phone are never part of it. Read from the system
 * of record (`db`, either engine), not from position history's file: beside PostgreSQL that file has no
 * incidents.
 */
export async function historyIncidents(
  db: SqlRunner,
  from: number,
  to: number,
  regionCode: string | null,
): Promise<HistoryIncidentsResponse> {
  const prefix = regionCode ? regionPrefix(regionCode) : null;
  const rows = await db.all<Omit<HistoryIncident, 'timeline'>>(
    sql`SELECT id, category, title, priority, source, state, lng, lat, grid_code AS "gridCode", reported_at AS "reportedAt",
               closed_at AS "closedAt", assignee_kind AS "assigneeKind", assignee_id AS "assigneeId"
        FROM incidents
        WHERE reported_at < ${to} AND (closed_at IS NULL OR closed_at >= ${from})
          ${prefix ? sql`AND substr(grid_code, 1, ${prefix.length}) = ${prefix}` : sql``}
        ORDER BY reported_at LIMIT ${HISTORY_INCIDENTS_MAX + 1}`,
  );
  const isTruncated = rows.length > HISTORY_INCIDENTS_MAX;
  if (isTruncated) rows.length = HISTORY_INCIDENTS_MAX;
  // One query for every timeline (not one per incident: a month is thousands of them, each a round trip on PostgreSQL).
  const ids = inList(
    db,
    rows.map((r) => r.id),
  );
  const events = await db.all<EventRow>(
    sql`SELECT incident_id AS "incidentId", at, type, actor, from_state AS "fromState", to_state AS "toState", note,
               CASE WHEN type = 'assign' THEN data END AS data
        FROM incident_events WHERE incident_id IN ${ids} ORDER BY at, id`,
  );
  const timelines = new Map<string, HistoryIncidentEvent[]>(rows.map((r) => [r.id, []]));
  for (const e of events) timelines.get(e.incidentId)?.push(historyEvent(e));
  const incidents: HistoryIncident[] = rows.map((r) => ({ ...r, timeline: timelines.get(r.id)! }));
  return { from, to, regionCode, incidents, isTruncated };
}

/** `data` is JSON text on SQLite, parsed jsonb on PostgreSQL (assigneeOf reads both). */
type EventRow = Omit<HistoryIncidentEvent, 'assigneeKind' | 'assigneeId'> & {
  incidentId: string;
  data: unknown;
};

/** A step as the answer carries it: an assign step names its unit; no other step's data leaves the server. */
function historyEvent({ data, incidentId: _, ...e }: EventRow): HistoryIncidentEvent {
  // A malformed row names nobody: replay falls back to the final assignee.
  const a = data === null ? null : assigneeOf(data);
  return a ? { ...e, assigneeKind: a.kind, assigneeId: a.id } : e;
}
