import type Database from 'better-sqlite3';
import { handingsOf, type Handing, type HandingEvent } from '@/lib/departments/report-rates';

/**
 * Reads handings (assignments of incidents to departments) and the timeline after them from SQLite, for a
 * department's queue and for the wall's 报到率. The rules that read them are pure (lib/departments).
 */

/** Incidents whose timelines are read in one statement (SQLite's bound-parameter limit is far above). */
const IN_CHUNK = 500;
/** Period starts whose handings are kept (today, 7 days, 旬, month, and a briefing's). */
const SINCE_CACHE_MAX = 8;

type HandingRow = Handing & { gridCode: string | null };

interface EventRow {
  incidentId: string;
  at: number;
  type: string;
  toState: string | null;
  data: string | null;
}
interface IncidentHead {
  id: string;
  priority: number;
  category: string;
  receivedAt: number;
  gridCode: string | null;
}

function toHandingEvent(r: EventRow): HandingEvent {
  if (r.type !== 'assign' || !r.data) return { at: r.at, type: r.type, toState: r.toState };
  try {
    const d = JSON.parse(r.data) as { assigneeKind?: unknown; assigneeId?: unknown };
    return {
      at: r.at,
      type: r.type,
      toState: r.toState,
      assigneeKind: typeof d.assigneeKind === 'string' ? d.assigneeKind : null,
      assigneeId: typeof d.assigneeId === 'string' ? d.assigneeId : null,
    };
  } catch {
    return { at: r.at, type: r.type, toState: r.toState }; // a damaged row is no handing
  }
}

export function createHandingReader(sqlite: Database.Database) {
  const heads = (ids: string[]) =>
    sqlite
      .prepare<string[], IncidentHead>(
        `SELECT id, priority, category, received_at AS receivedAt, grid_code AS gridCode FROM incidents
         WHERE id IN (${ids.map(() => '?').join(',')})`,
      )
      .all(...ids);
  const events = (ids: string[]) =>
    sqlite
      .prepare<string[], EventRow>(
        `SELECT incident_id AS incidentId, at, type, to_state AS toState, data FROM incident_events
         WHERE incident_id IN (${ids.map(() => '?').join(',')}) ORDER BY incident_id, at, id`,
      )
      .all(...ids);
  const handedTo = sqlite.prepare<[string, number, number], { id: string }>(
    `SELECT incident_id AS id FROM incident_events
     WHERE type = 'assign' AND json_extract(data, '$.assigneeKind') = 'department'
       AND json_extract(data, '$.assigneeId') = ?
     GROUP BY incident_id ORDER BY MAX(at) DESC LIMIT ? OFFSET ?`,
  );
  const handedSince = sqlite.prepare<[number], { id: string }>(
    `SELECT DISTINCT incident_id AS id FROM incident_events
     WHERE type = 'assign' AND at >= ? AND json_extract(data, '$.assigneeKind') = 'department'`,
  );

  /** Every handing of these incidents, with each incident's grid code. */
  function handingsFor(ids: readonly string[]): HandingRow[] {
    const out: HandingRow[] = [];
    for (let k = 0; k < ids.length; k += IN_CHUNK) {
      const chunk = ids.slice(k, k + IN_CHUNK);
      const byId = new Map<string, HandingEvent[]>();
      for (const r of events(chunk)) {
        const list = byId.get(r.incidentId) ?? [];
        list.push(toHandingEvent(r));
        byId.set(r.incidentId, list);
      }
      for (const h of heads(chunk))
        for (const x of handingsOf(h, byId.get(h.id) ?? [])) out.push({ ...x, gridCode: h.gridCode });
    }
    return out;
  }

  const maxEventId = sqlite.prepare<[], { id: number | null }>('SELECT MAX(id) AS id FROM incident_events');
  const touchedSince = sqlite.prepare<[number], { id: string }>(
    'SELECT DISTINCT incident_id AS id FROM incident_events WHERE id > ?',
  );
  /**
   * Handings per period start, kept up to date incrementally: the timeline only grows (AUTOINCREMENT ids), so
   * after the first full read only incidents with events past the last id seen are read again. A wall
   * recomputes every few seconds; a month of a busy district is ~30k handings, too many to reread each time.
   */
  const bySince = new Map<number, { lastId: number; byIncident: Map<string, HandingRow[]> }>();

  function refreshed(since: number) {
    const lastId = maxEventId.get()?.id ?? 0;
    let entry = bySince.get(since);
    const changed = entry
      ? lastId > entry.lastId
        ? touchedSince.all(entry.lastId).map((r) => r.id)
        : []
      : null;
    if (!entry) {
      entry = { lastId, byIncident: new Map() };
      bySince.set(since, entry);
      if (bySince.size > SINCE_CACHE_MAX) bySince.delete(bySince.keys().next().value!);
    }
    const ids = changed ?? handedSince.all(since).map((r) => r.id);
    const fresh = new Map<string, HandingRow[]>();
    for (const h of handingsFor(ids))
      if (h.handedAt >= since) fresh.set(h.incidentId, [...(fresh.get(h.incidentId) ?? []), h]);
    for (const id of ids) {
      const list = fresh.get(id);
      if (list) entry.byIncident.set(id, list);
      else entry.byIncident.delete(id);
    }
    entry.lastId = lastId;
    return entry;
  }

  return {
    handingsFor,
    /** The incidents most recently handed to a department, newest first (bounded by `limit`). */
    incidentsHandedTo: (departmentId: string, limit: number): string[] =>
      handedTo.all(departmentId, limit, 0).map((r) => r.id),
    /** Handings made since `since` (an incident handed earlier too brings its earlier handings; filter by handedAt). */
    handingsSince: (since: number): HandingRow[] => [...refreshed(since).byIncident.values()].flat(),
  };
}

export type HandingReader = ReturnType<typeof createHandingReader>;
