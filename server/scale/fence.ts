/**
 * The store's side of fencing (leader.ts): a leader's write runs in a transaction that first checks the
 * highest fencing token the database has seen (the `meta` row `leader_fence`). A lower token means a newer
 * leader has written since: the write is refused (StaleLeaderError) and the caller steps down. An equal or
 * higher one is recorded and the write goes ahead, all in one transaction, so no write of an old term can
 * land after the first write of a new one.
 *
 * The check is one upsert that keeps the higher of the stored token and this one and answers what it kept.
 * On SQLite the transaction is IMMEDIATE (the write lock first, so two processes serialise on it). On
 * PostgreSQL the upsert locks the row until this transaction ends, so a rival leader's fenced write waits
 * for this one's commit and then reads its token (READ COMMITTED re-reads a row it waited for): the two
 * cannot both pass the check on what the other has not committed yet, nor can a first-ever row be inserted
 * by both.
 */
import { sql } from 'drizzle-orm';
import type { SqlDb, SqlRunner } from '../db/sql-db';

export const LEADER_FENCE_META_KEY = 'leader_fence';

export class StaleLeaderError extends Error {
  constructor(
    readonly token: number,
    readonly storedToken: number,
  ) {
    super(`fencing token ${token} is older than ${storedToken}: a newer leader has written`);
    this.name = 'StaleLeaderError';
  }
}

/**
 * Inside the caller's transaction: refuses `token` if the database holds a newer one, else records it (and
 * holds the fence row, on PostgreSQL, until the transaction ends).
 */
export async function checkFence(tx: SqlRunner, token: number, now = Date.now()): Promise<void> {
  // Tokens are stored as text (meta is key → text); compared as numbers, or '10' would sort below '9'.
  const row = await tx.get<{ value: string }>(
    sql`INSERT INTO meta (key, value, updated_at) VALUES (${LEADER_FENCE_META_KEY}, ${String(token)}, ${now})
        ON CONFLICT (key) DO UPDATE SET
          value = CASE WHEN CAST(meta.value AS BIGINT) < CAST(excluded.value AS BIGINT)
                       THEN excluded.value ELSE meta.value END,
          updated_at = CASE WHEN CAST(meta.value AS BIGINT) < CAST(excluded.value AS BIGINT)
                       THEN excluded.updated_at ELSE meta.updated_at END
        RETURNING value`,
  );
  const stored = Number(row!.value);
  if (stored > token) throw new StaleLeaderError(token, stored);
}

/**
 * Runs `write` in one transaction guarded by `token`; null (single-process mode: no rival) runs it
 * unguarded. Rejects with StaleLeaderError when the database holds a newer token; nothing is written then.
 */
export function fencedWrite<T>(
  db: SqlDb,
  token: number | null,
  write: (tx: SqlRunner) => Promise<T>,
): Promise<T> {
  return db.transaction(async (tx) => {
    if (token !== null) await checkFence(tx, token);
    return write(tx);
  });
}
