import { sql } from 'drizzle-orm';
import type { SqlRunner } from '../../db/sql-db';

/** Runs listed at most, newest first. */
export const IMPORT_RUNS_LIST_MAX = 200;

export interface ImportRunRow {
  id: number;
  kind: string;
  fileName: string | null;
  sha256: string;
  created: number;
  updated: number;
  unchanged: number;
  actor: string;
  at: number;
}

export function listImportRuns(q: SqlRunner, limit = IMPORT_RUNS_LIST_MAX): Promise<ImportRunRow[]> {
  return q.all<ImportRunRow>(
    sql`SELECT id, kind, file_name AS "fileName", sha256, created, updated, unchanged, actor, at
        FROM import_runs ORDER BY id DESC LIMIT ${Math.min(Math.max(limit, 1), IMPORT_RUNS_LIST_MAX)}`,
  );
}
