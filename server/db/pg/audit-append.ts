/**
 * Appending to the audit chain on PostgreSQL: the protocol the database enforces
 * (drizzle-pg/0001_audit_triggers.sql). Several processes append to one chain, so reading the head and
 * inserting the row after it must not interleave: the appender takes a transaction-scoped advisory lock
 * first, and holds it until its transaction commits with the row (and the change it records) in it.
 */
import type pg from 'pg';
import type { Clock } from '@/lib/clock';
import type { AuditChainKey } from '../../audit/audit-key';
import { auditRowOf, GENESIS_HASH, rowHash, type AuditEntry } from '../../audit/audit-log';

/** 'pingan' in ASCII; the trigger takes the same key. */
export const AUDIT_APPEND_LOCK = 123_598_126_145_902;

/**
 * Appends one row inside the caller's open transaction (so the change and its record commit together)
 * and returns its id. The lock is held until that transaction ends, so every audited transaction in every
 * process waits for it from here to its commit: append as the last step before COMMIT.
 */
export async function appendAuditPg(
  client: pg.ClientBase,
  entry: AuditEntry,
  opts: { clock: Clock; chain: AuditChainKey | null },
): Promise<number> {
  await client.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_APPEND_LOCK]);
  const head = await client.query<{ hash: string }>('SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1');
  const prev = head.rows[0]?.hash ?? GENESIS_HASH;
  const row = auditRowOf(entry, opts.clock.now());
  // The id is drawn under the lock, so ids rise in chain order and the key follows the row's id exactly
  // as on SQLite (keyed from the marker's row on).
  const next = await client.query<{ id: number }>(
    `SELECT nextval(pg_get_serial_sequence('audit_log', 'id')) AS id`,
  );
  const id = next.rows[0]!.id;
  const key = opts.chain && id >= opts.chain.fromId ? opts.chain.key : null;
  const hash = rowHash(prev, row, key);
  const r = await client.query<{ id: number }>(
    `INSERT INTO audit_log (id, at, actor, role, client_address, action, object_type, object_id, before, after, result, reason, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
    [
      id,
      row.at,
      row.actor,
      row.role,
      row.client_address,
      row.action,
      row.object_type,
      row.object_id,
      row.before,
      row.after,
      row.result,
      row.reason,
      prev,
      hash,
    ],
  );
  return r.rows[0]!.id;
}
