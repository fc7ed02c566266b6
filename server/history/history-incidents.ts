import type Database from 'better-sqlite3';
import { regionPrefix } from '@/lib/domain/region-code';
import type { HistoryIncident, HistoryIncidentEvent, HistoryIncidentsResponse } from '@/lib/history/contract';

/** Incidents one answer carries at most (a district has 150–350 grid incidents a day; a month fits). */
export const HISTORY_INCIDENTS_MAX = 20_000;

/**
 * Incidents alive at any time in [from, to) (reported before `to`, not closed before `from`), in the
 * region by grid code, each with its timeline. Reporter and phone are never part of it.
 */
export function historyIncidents(
  sqlite: Database.Database,
  from: number,
  to: number,
  regionCode: string | null,
): HistoryIncidentsResponse {
  const prefix = regionCode ? regionPrefix(regionCode) : null;
  const rows = sqlite
    .prepare(
      `SELECT id, category, title, priority, source, state, lng, lat, grid_code AS gridCode, reported_at AS reportedAt,
              closed_at AS closedAt, assignee_kind AS assigneeKind, assignee_id AS assigneeId
       FROM incidents
       WHERE reported_at < ? AND (closed_at IS NULL OR closed_at >= ?)
         AND (? IS NULL OR substr(grid_code, 1, length(?)) = ?)
       ORDER BY reported_at LIMIT ?`,
    )
    .all(to, from, prefix, prefix, prefix, HISTORY_INCIDENTS_MAX + 1) as Omit<HistoryIncident, 'timeline'>[];
  const isTruncated = rows.length > HISTORY_INCIDENTS_MAX;
  if (isTruncated) rows.length = HISTORY_INCIDENTS_MAX;
  const events = sqlite.prepare<[string], EventRow>(
    `SELECT at, type, actor, from_state AS fromState, to_state AS toState, note,
            CASE WHEN type = 'assign' THEN data END AS data
     FROM incident_events WHERE incident_id = ? ORDER BY at, id`,
  );
  const incidents: HistoryIncident[] = rows.map((r) => ({
    ...r,
    timeline: events.all(r.id).map(historyEvent),
  }));
  return { from, to, regionCode, incidents, isTruncated };
}

type EventRow = Omit<HistoryIncidentEvent, 'assigneeKind' | 'assigneeId'> & { data: string | null };

/** A step as the answer carries it: an assign step names its unit; no other step's data leaves the server. */
function historyEvent({ data, ...e }: EventRow): HistoryIncidentEvent {
  if (data === null) return e;
  try {
    const d = JSON.parse(data) as { assigneeKind?: unknown; assigneeId?: unknown };
    return typeof d.assigneeKind === 'string' && typeof d.assigneeId === 'string'
      ? { ...e, assigneeKind: d.assigneeKind, assigneeId: d.assigneeId }
      : e;
  } catch {
    return e; // a malformed row names nobody: replay falls back to the final assignee
  }
}
