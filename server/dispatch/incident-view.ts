import { sql } from 'drizzle-orm';
import type { IncidentCategory, IncidentSource, IncidentState } from '@/lib/domain/enums';
import type { AssigneeKind, IncidentView } from '@/lib/domain/incident';
import type { LifecycleState } from '@/lib/domain/incident-lifecycle';
import type { TimelineEvent } from '@/lib/dispatch/api-types';
import type { incidents } from '../db/schema';
import { jsonValue } from '../db/sql-db';
import type { NameLookup, NameRefs } from './name-lookup';

export type IncidentRow = typeof incidents.$inferSelect;

/** Raw selects with camelCase names, so rows match the drizzle row type (quoted: PostgreSQL folds bare names to lower case). */
export const INCIDENT_COLUMNS = `id, source_ref AS "sourceRef", category, title, detail, lng, lat, priority, source, reported_at AS "reportedAt",
  received_at AS "receivedAt", address, reporter, phone, grid_code AS "gridCode", state, assignee_kind AS "assigneeKind",
  assignee_id AS "assigneeId", supervision, satisfaction, updated_at AS "updatedAt", closed_at AS "closedAt"`;

/** An incident's timeline, to be followed by its id (and an ORDER BY). */
export const TIMELINE_SELECT = sql.raw(
  'SELECT id, at, actor, type, from_state AS "fromState", to_state AS "toState", note, data FROM incident_events WHERE incident_id =',
);

/** What walls and the console are sent: no reporter or phone (a wall is seen by a room). */
export function toIncidentView(row: IncidentRow): IncidentView {
  return {
    id: row.id,
    category: row.category as IncidentCategory,
    title: row.title,
    priority: row.priority,
    source: row.source as IncidentSource,
    state: row.state as IncidentState,
    lng: row.lng,
    lat: row.lat,
    address: row.address,
    gridCode: row.gridCode,
    reportedAt: row.reportedAt,
    receivedAt: row.receivedAt,
    updatedAt: row.updatedAt,
    assigneeKind: row.assigneeKind,
    assigneeId: row.assigneeId,
    supervision: row.supervision,
  };
}

export function toLifecycleState(row: IncidentRow): LifecycleState {
  return {
    state: row.state as IncidentState,
    assigneeKind: row.assigneeKind as AssigneeKind | null,
    assigneeId: row.assigneeId,
    supervision: row.supervision,
    satisfaction: row.satisfaction,
    updatedAt: row.updatedAt,
    closedAt: row.closedAt,
  };
}

/** An incident_events row as the timeline query selects it (data not yet parsed). */
export interface IncidentEventRow {
  id: number;
  at: number;
  actor: string;
  type: string;
  fromState: string | null;
  toState: string | null;
  note: string | null;
  /** JSON text on SQLite, parsed jsonb on PostgreSQL. */
  data: unknown;
}

/** The assignee by name ("城西派出所巡逻车01", "张** (专职网格员)"), or null when unassigned. */
export function assigneeNameOf(
  row: Pick<IncidentRow, 'assigneeKind' | 'assigneeId'>,
  names: NameLookup,
  isMasked: boolean,
): string | null {
  return row.assigneeKind && row.assigneeId
    ? names.assignee(row.assigneeKind, row.assigneeId, { isMasked })
    : null;
}

/**
 * The timeline as every page shows it: who acted by name (`actorName`), and each assignment with the unit's
 * name (`assigneeName`) beside its id in `data`, so no page has to look names up or shows a bare id.
 */
export function describeTimeline(
  events: IncidentEventRow[],
  names: NameLookup,
  isMasked: boolean,
): TimelineEvent[] {
  return events.map((e) => {
    const data = jsonValue<Record<string, unknown>>(e.data);
    const unit = assigneeOf(data);
    return {
      ...e,
      data,
      actorName: names.actor(e.actor),
      assigneeName: unit ? names.assignee(unit[0], unit[1], { isMasked }) : null,
    };
  });
}

/** The unit an event's data assigns, if any. */
function assigneeOf(data: Record<string, unknown> | null): [AssigneeKind, string] | null {
  const kind = data?.assigneeKind;
  const id = data?.assigneeId;
  return (kind === 'vehicle' || kind === 'worker' || kind === 'department') && typeof id === 'string'
    ? [kind, id]
    : null;
}

/** Every name an incident's page shows: its assignee, and each event's actor and assigned unit. */
export function timelineNameRefs(
  row: Pick<IncidentRow, 'assigneeKind' | 'assigneeId'>,
  events: IncidentEventRow[],
): NameRefs {
  const assignees: [AssigneeKind, string][] = [];
  if (row.assigneeKind && row.assigneeId) assignees.push([row.assigneeKind as AssigneeKind, row.assigneeId]);
  for (const e of events) {
    const unit = assigneeOf(jsonValue<Record<string, unknown>>(e.data));
    if (unit) assignees.push(unit);
  }
  return { assignees, actors: events.map((e) => e.actor) };
}
