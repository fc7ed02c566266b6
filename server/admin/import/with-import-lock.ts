import { sql } from 'drizzle-orm';
import type { SqlDb, SqlRunner } from '../../db/sql-db';

const tails = new WeakMap<SqlDb, Promise<unknown>>();

/** 'import' in ASCII: the transaction-scoped advisory lock every process's import write takes on PostgreSQL. */
export const IMPORT_WRITE_LOCK = 26_982_728_921_716;

/**
 * One import at a time per database in this process: an import checks its file against what is stored, then
 * writes; a second import committing in between would make the first one's checks stale.
 */
export function withImportLock<T>(db: SqlDb, fn: () => Promise<T>): Promise<T> {
  const prev = tails.get(db) ?? Promise.resolve();
  const run = prev.then(fn, fn);
  tails.set(
    db,
    run.catch(() => undefined),
  );
  return run;
}

/** The newest import run: read before an import's checks, compared again in its write (takeImportWrite). */
export async function latestImportRun(q: SqlRunner): Promise<number> {
  const r = await q.get<{ id: number | null }>(sql`SELECT max(id) AS id FROM import_runs`);
  return Number(r?.id ?? 0);
}

/** Another process committed an import after this one's checks: they are run again on what is stored now. */
export class StaleImportChecks extends Error {
  constructor() {
    super('another import committed since this import was checked');
  }
}

/** How often an import re-runs its checks after losing to another process's import before giving up. */
export const IMPORT_CHECK_TRIES = 3;

/**
 * First step of an import's write transaction. Another process (`npm run import`, a second server) imports
 * into the same database without this process's queue: on PostgreSQL the advisory lock makes the writes take
 * turns (on SQLite BEGIN IMMEDIATE already does), and a run committed since `seen` means the checks were made
 * against territory or registries that have changed since, so they are thrown away and re-run.
 */
export async function takeImportWrite(tx: SqlRunner, seen: number): Promise<void> {
  if (tx.dialect === 'postgres') await tx.run(sql`SELECT pg_advisory_xact_lock(${IMPORT_WRITE_LOCK})`);
  if ((await latestImportRun(tx)) !== seen) throw new StaleImportChecks();
}

/** Runs `attempt` again (fresh checks) while another process's import keeps overtaking it. */
export async function retryStaleChecks<T>(attempt: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (e) {
      if (!(e instanceof StaleImportChecks) || tries >= IMPORT_CHECK_TRIES) throw e;
    }
  }
}
