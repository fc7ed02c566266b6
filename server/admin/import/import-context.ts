import type { Clock } from '@/lib/clock';
import type { ImportKind, ImportResult, IssueList } from '@/lib/import/issues';
import type { SqlAudit } from '../../audit/audit-append';
import type { SqlDb } from '../../db/sql-db';
import type { GridLocator } from '../../live/grid-locator';
import type { LiveState } from '../../live/live-state';

/** Who imports: a signed-in admin (HTTP) or the operator at the command line. */
export interface ImportActor {
  username: string;
  role: string;
  clientAddress: string | null;
}

/** What every import verb needs. `live` is the running app's state (absent for the command line). */
export interface ImportContext {
  sql: SqlDb;
  /** The audit log of `sql`: every import, committed or refused, is audited. */
  audit: SqlAudit;
  clock: Clock;
  actor: ImportActor;
  live?: LiveState;
  /** The running app's grid locator (the command line builds its own from the database). */
  grids?: () => GridLocator;
}

export interface ImportFile {
  bytes: Uint8Array;
  name: string | null;
}

export interface ImportOptions {
  dryRun: boolean;
}

/**
 * The answer of one import, filled as its checks run: every verb starts from the same counts of zero and the
 * issues found so far, and overrides what it counted.
 */
export function importResultBuilder(
  kind: ImportKind,
  file: ImportFile,
  opts: ImportOptions,
  sha256: string,
  issues: { errors: IssueList; warnings: IssueList },
): (over?: Partial<ImportResult>) => ImportResult {
  const { errors, warnings } = issues;
  return (over = {}) => ({
    ok: errors.count === 0,
    dryRun: opts.dryRun,
    kind,
    fileName: file.name,
    sha256,
    created: 0,
    updated: 0,
    unchanged: 0,
    errors: errors.listed('错误'),
    warnings: warnings.listed('警告'),
    moreErrors: errors.more,
    moreWarnings: warnings.more,
    ...over,
  });
}
