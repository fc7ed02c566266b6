import type { IncidentCategory, IncidentSource, IncidentState } from '@/lib/domain/enums';
import type { AssigneeKind, IncidentView } from '@/lib/domain/incident';
import type { LifecycleState } from '@/lib/domain/incident-lifecycle';
import type { incidents } from '../db/schema';

export type IncidentRow = typeof incidents.$inferSelect;

/** Raw better-sqlite3 selects with camelCase names, so rows match the drizzle row type. */
export const INCIDENT_COLUMNS = `id, category, title, detail, lng, lat, priority, source, reported_at AS reportedAt,
  received_at AS receivedAt, address, reporter, phone, grid_code AS gridCode, state, assignee_kind AS assigneeKind,
  assignee_id AS assigneeId, supervision, satisfaction, updated_at AS updatedAt, closed_at AS closedAt`;

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
