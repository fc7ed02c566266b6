import type Database from 'better-sqlite3';
import { regionPrefix } from '@/lib/domain/region-code';
import type { HistoryIncident, HistoryIncidentsResponse } from '@/lib/history/contract';

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
  const events = sqlite.prepare(
    `SELECT at, type, actor, from_state AS fromState, to_state AS toState, note
     FROM incident_events WHERE incident_id = ? ORDER BY at, id`,
  );
  const incidents: HistoryIncident[] = rows.map((r) => ({
    ...r,
    timeline: events.all(r.id) as HistoryIncident['timeline'],
  }));
  return { from, to, regionCode, incidents, isTruncated };
}
