import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { ImportKind } from '@/lib/import/issues';
import type { SqlRunner } from '../../db/sql-db';
import type { ImportContext } from './import-context';

export function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

// Runs committed by this process: the watcher for other processes' imports skips them.
const madeHere = new WeakMap<object, Set<number>>();

export function isRunMadeHere(db: object, id: number): boolean {
  return madeHere.get(db)?.has(id) ?? false;
}

export interface RunCounts {
  created: number;
  updated: number;
  unchanged: number;
}

/**
 * Versions an import (an `import_runs` row) and audits it (`import.<kind>`), inside the import's own
 * transaction `tx`: the rows, their version and their audit record commit or vanish together. The audit
 * append is the last step (on PostgreSQL it holds the chain's lock until COMMIT).
 */
export async function recordImportRun(
  tx: SqlRunner,
  ctx: ImportContext,
  run: { kind: ImportKind; fileName: string | null; sha256: string } & RunCounts,
  extra: Record<string, unknown> = {},
): Promise<number> {
  const at = ctx.clock.now();
  const { id } = (await tx.get<{ id: number }>(
    sql`INSERT INTO import_runs (kind, file_name, sha256, created, updated, unchanged, actor, at)
        VALUES (${run.kind}, ${run.fileName}, ${run.sha256}, ${run.created}, ${run.updated}, ${run.unchanged},
          ${ctx.actor.username}, ${at})
        RETURNING id`,
  ))!;
  let ids = madeHere.get(ctx.sql);
  if (!ids) madeHere.set(ctx.sql, (ids = new Set()));
  ids.add(id);
  await ctx.audit.append(tx, {
    actor: ctx.actor.username,
    role: ctx.actor.role,
    clientAddress: ctx.actor.clientAddress,
    action: `import.${run.kind}`,
    objectType: 'import',
    objectId: String(id),
    after: { ...run, runId: id, ...extra },
    result: 'ok',
  });
  return id;
}

/** A refused (non-dry) import is audited too, with how many errors stopped it; nothing else is written. */
export async function auditRefusedImport(
  ctx: ImportContext,
  run: { kind: ImportKind; fileName: string | null; sha256: string },
  errorCount: number,
): Promise<void> {
  await ctx.audit.appendAlone({
    actor: ctx.actor.username,
    role: ctx.actor.role,
    clientAddress: ctx.actor.clientAddress,
    action: `import.${run.kind}`,
    objectType: 'import',
    objectId: null,
    after: run,
    result: 'error',
    reason: `${errorCount} errors: nothing written`,
  });
}
