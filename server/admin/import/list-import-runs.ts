import type { Db } from '../../db/open-database';

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

export function listImportRuns(db: Db, limit = IMPORT_RUNS_LIST_MAX): ImportRunRow[] {
  return db.$client
    .prepare(
      `SELECT id, kind, file_name AS fileName, sha256, created, updated, unchanged, actor, at
       FROM import_runs ORDER BY id DESC LIMIT ?`,
    )
    .all(Math.min(Math.max(limit, 1), IMPORT_RUNS_LIST_MAX)) as ImportRunRow[];
}
