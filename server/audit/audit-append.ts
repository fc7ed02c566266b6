/**
 * Appending to the audit chain through a SqlDb, on either engine, inside the caller's transaction (so the
 * change and its record commit or vanish together).
 *
 * On PostgreSQL several processes append to one chain, so reading the head and inserting the row after it
 * must not interleave: the appender takes a transaction-scoped advisory lock first, and holds it until its
 * transaction commits with the row (and the change it records) in it; the trigger (drizzle-pg/
 * 0001_audit_triggers.sql) refuses a row that does not continue the head. On SQLite the transaction is
 * IMMEDIATE, so the write lock already serialises every appender in every process.
 */
import { sql } from 'drizzle-orm';
import type { Clock } from '@/lib/clock';
import type { SqlDb, SqlRunner } from '../db/sql-db';
import { sqlAuditChainOf, type AuditChainKey } from './audit-key';
import { auditRowOf, GENESIS_HASH, rowHash, type AuditEntry } from './audit-log';

/** 'pingan' in ASCII; the trigger and audit_log_lock_head() (drizzle-pg/) take the same key. */
export const AUDIT_APPEND_LOCK = 123_598_126_145_902;

/**
 * Appends one row inside the caller's open transaction and returns its id. On PostgreSQL the lock is held
 * until that transaction ends, so every audited transaction in every process waits for it from here to its
 * commit: append as the last step before COMMIT.
 */
export async function appendAudit(
  tx: SqlRunner,
  entry: AuditEntry,
  opts: { clock: Clock; chain: AuditChainKey | null },
): Promise<number> {
  const isPg = tx.dialect === 'postgres';
  // On PostgreSQL the lock, the head and the id in one round trip (drizzle-pg/0003_audit_lock_head.sql): the
  // id is drawn under the lock, so ids rise in chain order and the key follows the row's id exactly (keyed
  // from the marker's row on). On SQLite the marker's row is the next id when the key was configured, so
  // every row appended since is keyed.
  const head = isPg
    ? (await tx.get<{ hash: string | null; id: number }>(
        sql`SELECT head_hash AS hash, next_id AS id FROM audit_log_lock_head()`,
      ))!
    : await tx.get<{ hash: string }>(sql`SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1`);
  const prev = head?.hash ?? GENESIS_HASH;
  const row = auditRowOf(entry, opts.clock.now());
  const id = isPg ? (head as { id: number }).id : null;
  const key = opts.chain && (id === null || id >= opts.chain.fromId) ? opts.chain.key : null;
  const hash = rowHash(prev, row, key);
  const inserted = await tx.get<{ id: number }>(
    sql`INSERT INTO audit_log (${sql.raw(id === null ? '' : 'id, ')}at, actor, role, client_address, action, object_type, object_id, before, after, result, reason, prev_hash, hash)
        VALUES (${id === null ? sql`` : sql`${id}, `}${row.at}, ${row.actor}, ${row.role}, ${row.client_address}, ${row.action}, ${row.object_type},
          ${row.object_id}, ${row.before}, ${row.after}, ${row.result}, ${row.reason}, ${prev}, ${hash})
        RETURNING id`,
  );
  return inserted!.id;
}

/** The audit log of one SqlDb, keyed as configured on it (audit-key.ts). */
export class SqlAudit {
  constructor(
    private readonly db: SqlDb,
    private readonly clock: Clock,
  ) {}

  /** Appends inside the caller's transaction `tx` (the change and its record commit together). */
  append(tx: SqlRunner, entry: AuditEntry): Promise<number> {
    return appendAudit(tx, entry, { clock: this.clock, chain: sqlAuditChainOf(this.db) });
  }

  /**
   * Appends in a transaction of its own (a refusal, whose change never happened), or a savepoint of the
   * transaction `via` is in.
   */
  appendAlone(entry: AuditEntry, via: SqlRunner = this.db): Promise<number> {
    return via.transaction((tx) => this.append(tx, entry));
  }
}
