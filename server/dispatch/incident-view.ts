import type { IncidentCategory, IncidentSource, IncidentState } from '@/lib/domain/enums';
import type { AssigneeKind, IncidentView } from '@/lib/domain/incident';
import type { LifecycleState } from '@/lib/domain/incident-lifecycle';
import type { TimelineEvent } from '@/lib/dispatch/api-types';
import type { incidents } from '../db/schema';
import type { NameLookup } from './name-lookup';

export type IncidentRow = typeof incidents.$inferSelect;

/** Raw selects with camelCase names, so rows match the drizzle row type (quoted: PostgreSQL folds bare names to lower case). */
export const INCIDENT_COLUMNS = `id, source_ref AS "sourceRef", category, title, detail, lng, lat, priority, source, reported_at AS "reportedAt",
  received_at AS "receivedAt", address, reporter, phone, grid_code AS "gridCode", state, assignee_kind AS "assigneeKind",
  assignee_id AS "assigneeId", supervision, satisfaction, updated_at AS "updatedAt", closed_at AS "closedAt"`;

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

/** An incident_events row as the timeline query selects it (data still JSON text). */
export interface IncidentEventRow {
  id: number;
  at: number;
  actor: string;
  type: string;
  fromState: string | null;
  toState: string | null;
  note: string | null;
  data: string | null;
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
    const data = e.data ? (JSON.parse(e.data) as Record<string, unknown>) : null;
    const kind = data?.assigneeKind;
    const id = data?.assigneeId;
    const isAssignee =
      (kind === 'vehicle' || kind === 'worker' || kind === 'department') && typeof id === 'string';
    return {
      ...e,
      data,
      actorName: names.actor(e.actor),
      assigneeName: isAssignee ? names.assignee(kind, id, { isMasked }) : null,
    };
  });
}
