import { sql } from 'drizzle-orm';
import type { IncidentView } from '@/lib/domain/incident';
import type { SqlRunner } from '../db/sql-db';
import type { LiveState } from './live-state';

/** Open incidents come back onto the board at start: the walls show what the database holds, not what Redis had. */
export async function loadOpenIncidents(db: SqlRunner, live: LiveState): Promise<void> {
  const rows = await db.all<IncidentView>(
    sql`SELECT id, category, title, priority, source, state, lng, lat, address, grid_code AS "gridCode",
               reported_at AS "reportedAt", received_at AS "receivedAt", updated_at AS "updatedAt",
               assignee_kind AS "assigneeKind", assignee_id AS "assigneeId", supervision
        FROM incidents WHERE state NOT IN ('closed', 'cancelled') ORDER BY reported_at`,
  );
  for (const r of rows) live.incidents.upsert(r);
}
