/**
 * The store's side of fencing (leader.ts): a leader's write runs in a transaction that first checks the
 * highest fencing token the database has seen (the `meta` row `leader_fence`). A lower token means a newer
 * leader has written since: the write is refused (StaleLeaderError) and the caller steps down. An equal or
 * higher one is recorded and the write goes ahead, all in one transaction, so no write of an old term can
 * land after the first write of a new one.
 *
 * On SQLite the transaction is IMMEDIATE (the write lock first, so two processes serialise on it). On
 * PostgreSQL the same check is a `SELECT … FOR UPDATE` of that row in the write's own transaction.
 */
import type Database from 'better-sqlite3';

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
 * Runs `write` in an immediate transaction guarded by `token`; null (single-process mode: no rival) runs it
 * unguarded. Throws StaleLeaderError when the database holds a newer token; nothing is written then.
 */
export function fencedWrite<T>(sqlite: Database.Database, token: number | null, write: () => T): T {
  return sqlite
    .transaction(() => {
      if (token !== null) {
        const row = sqlite.prepare('SELECT value FROM meta WHERE key = ?').get(LEADER_FENCE_META_KEY) as
          { value: string } | undefined;
        const stored = row ? Number(row.value) : 0;
        if (stored > token) throw new StaleLeaderError(token, stored);
        if (stored < token)
          sqlite
            .prepare(
              `INSERT INTO meta (key, value, updated_at) VALUES (?, ?, ?)
               ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
            )
            .run(LEADER_FENCE_META_KEY, String(token), Date.now());
      }
      return write();
    })
    .immediate();
}
