import type { AuditRow, AuditVerifyResult } from '@/lib/dispatch/api-types';
import type Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import type { Clock } from '@/lib/clock';
import { anchorProblem, type AnchorReading } from './audit-anchor';

/** The chain's anchor: the first row's prev_hash. */
export const GENESIS_HASH = '0'.repeat(64);
/** Rows one listing page returns at most. */
export const AUDIT_PAGE_MAX = 500;

export type AuditResult = 'ok' | 'denied' | 'error';

export interface AuditEntry {
  actor: string;
  role: string;
  clientAddress: string | null;
  action: string;
  objectType: string;
  objectId: string | null;
  before?: unknown;
  after?: unknown;
  result: AuditResult;
  reason?: string | null;
}

export type { AuditRow };

export type VerifyResult = AuditVerifyResult;

export interface AuditFilter {
  actor?: string;
  action?: string;
  objectType?: string;
  objectId?: string;
  result?: AuditResult;
  fromMs?: number;
  toMs?: number;
  /** Rows with id below this (paging backwards from the newest). */
  beforeId?: number;
  limit?: number;
}

function toJson(v: unknown): string | null {
  return v === undefined || v === null ? null : JSON.stringify(v);
}

/**
 * Every column that states a fact goes into the hash, in a fixed order, as stored (JSON text stays text):
 * changing any byte of a row, or removing or re-ordering rows, breaks the chain from there on.
 */
export function rowHash(prevHash: string, r: Omit<AuditRow, 'id' | 'prev_hash' | 'hash'>): string {
  const fields = [
    r.at,
    r.actor,
    r.role,
    r.client_address,
    r.action,
    r.object_type,
    r.object_id,
    r.before,
    r.after,
    r.result,
    r.reason,
  ];
  return createHash('sha256').update(prevHash).update('\n').update(JSON.stringify(fields)).digest('hex');
}

/**
 * The append-only, hash-chained audit log (DESIGN §5). `append` must run inside the same SQLite transaction
 * as the change it records (callers use `sqlite.transaction(...).immediate()`), so a change and its record
 * commit or vanish together; on its own it opens its own transaction.
 */
export class AuditLog {
  private readonly lastHash: Database.Statement<[], { hash: string }>;
  private readonly insert: Database.Statement;
  private readonly appendTx: Database.Transaction<(entry: AuditEntry) => number>;

  constructor(
    private readonly sqlite: Database.Database,
    private readonly clock: Clock,
  ) {
    this.lastHash = sqlite.prepare('SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1');
    this.insert = sqlite.prepare(
      `INSERT INTO audit_log (at, actor, role, client_address, action, object_type, object_id, before, after, result, reason, prev_hash, hash)
       VALUES (@at, @actor, @role, @client_address, @action, @object_type, @object_id, @before, @after, @result, @reason, @prev_hash, @hash)`,
    );
    // Nested inside a caller's transaction this becomes a savepoint; alone, it is its own transaction.
    this.appendTx = sqlite.transaction((entry: AuditEntry) => {
      const prev = this.lastHash.get()?.hash ?? GENESIS_HASH;
      const row = {
        at: this.clock.now(),
        actor: entry.actor,
        role: entry.role,
        client_address: entry.clientAddress,
        action: entry.action,
        object_type: entry.objectType,
        object_id: entry.objectId,
        before: toJson(entry.before),
        after: toJson(entry.after),
        result: entry.result,
        reason: entry.reason ?? null,
      };
      const hash = rowHash(prev, row);
      return Number(this.insert.run({ ...row, prev_hash: prev, hash }).lastInsertRowid);
    });
  }

  append(entry: AuditEntry): number {
    return this.sqlite.inTransaction ? this.appendTx(entry) : this.appendTx.immediate(entry);
  }

  /**
   * Recomputes the chain from the first row (streams, so a long log costs time, not memory), then checks
   * that the head anchored outside the database is still in it: the chain alone cannot tell that its
   * newest rows were removed.
   */
  verify(anchor?: AnchorReading): VerifyResult {
    let prev = GENESIS_HASH;
    let rows = 0;
    for (const r of this.sqlite
      .prepare('SELECT * FROM audit_log ORDER BY id')
      .iterate() as Iterable<AuditRow>) {
      rows++;
      if (r.prev_hash !== prev || rowHash(prev, r) !== r.hash)
        return {
          ok: false,
          rows,
          firstBadRow: r.id,
          problem: 'row',
          reason: `row ${r.id} does not match its hash or its link to the row before`,
        };
      prev = r.hash;
    }
    if (!anchor) return { ok: true, rows };
    const problem = anchorProblem(this.sqlite, anchor);
    if (problem)
      return {
        ok: false,
        rows,
        firstBadRow: anchor.head?.id,
        problem: 'head',
        reason: problem,
        anchor: anchor.head,
      };
    return { ok: true, rows, anchor: anchor.head };
  }

  list(filter: AuditFilter): AuditRow[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    const eq = (col: string, v: string | number | undefined) => {
      if (v !== undefined && v !== '') {
        where.push(`${col} = ?`);
        args.push(v);
      }
    };
    eq('actor', filter.actor);
    eq('action', filter.action);
    eq('object_type', filter.objectType);
    eq('object_id', filter.objectId);
    eq('result', filter.result);
    const cmp = (clause: string, v: number | undefined) => {
      if (v !== undefined) {
        where.push(clause);
        args.push(v);
      }
    };
    cmp('at >= ?', filter.fromMs);
    cmp('at < ?', filter.toMs);
    cmp('id < ?', filter.beforeId);
    const limit = Math.min(Math.max(filter.limit ?? 100, 1), AUDIT_PAGE_MAX);
    const sql = `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${limit}`;
    return this.sqlite.prepare(sql).all(...args) as AuditRow[];
  }
}
