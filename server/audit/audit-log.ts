import type { AuditHead, AuditRow, AuditVerifyResult } from '@/lib/dispatch/api-types';
import { createHash, createHmac } from 'node:crypto';
import type { AnchorReading } from './audit-anchor';
import type { AuditChainKey } from './audit-key';

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

/** Where the chain's head was anchored outside the database, as read for one verification. */
export interface AnchorReadings {
  /** The file beside the database (the database's writer can usually rewrite it too). */
  file?: AnchorReading;
  /** Redis (REDIS_URL): out of the database writer's reach. */
  redis?: AnchorReading;
}

export interface AnchorCheck {
  head: AuditHead | null;
  /** Why the chain no longer holds this head; absent when it does. */
  problem?: string;
}

export type VerifyResult = Omit<AuditVerifyResult, 'problem'> & {
  /** `key`: the keyed chain's marker was altered, or the chain is keyed and this process has no key. */
  problem?: AuditVerifyResult['problem'] | 'key';
  /** HMAC-keyed from row `fromId` on (rows before it are plain SHA-256); absent: the chain is unkeyed. */
  keyed?: { fromId: number; plainRows: number };
  /** Each anchor the head was compared with; absent: not anchored. */
  anchors?: { file?: AnchorCheck; redis?: AnchorCheck };
};

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
 * The row an entry is stored (and hashed) as, stamped `at`: one shape for every backend, so SQLite and
 * PostgreSQL chains hash the same bytes for the same entry.
 */
export function auditRowOf(entry: AuditEntry, at: number): Omit<AuditRow, 'id' | 'prev_hash' | 'hash'> {
  return {
    at,
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
}

/**
 * Every column that states a fact goes into the hash, in a fixed order, as stored (JSON text stays text):
 * changing any byte of a row, or removing or re-ordering rows, breaks the chain from there on. With a key
 * (AUDIT_KEY, audit-key.ts) it is an HMAC, which nobody without the key can recompute.
 */
export function rowHash(
  prevHash: string,
  r: Omit<AuditRow, 'id' | 'prev_hash' | 'hash'>,
  key: Buffer | null = null,
): string {
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
  const h = key ? createHmac('sha256', key) : createHash('sha256');
  return h.update(prevHash).update('\n').update(JSON.stringify(fields)).digest('hex');
}

/**
 * One pass over the chain in id order, row by row: verify-chain.ts judges every chain with it, on either
 * engine and either side of a move.
 */
export class ChainWalk {
  rows = 0;
  /** Rows before the keyed-from row of a keyed chain (plain SHA-256). */
  plainRows = 0;
  private prev = GENESIS_HASH;

  constructor(private readonly chain: AuditChainKey | null) {}

  /** Takes the next row: why it breaks the chain, or null when it continues it. */
  next(r: AuditRow): string | null {
    this.rows++;
    const key = this.chain && r.id >= this.chain.fromId ? this.chain.key : null;
    if (this.chain && !key) this.plainRows++;
    if (r.prev_hash !== this.prev || rowHash(this.prev, r, key) !== r.hash)
      return `row ${r.id} does not match its ${key ? 'keyed hash (HMAC)' : 'hash'} or its link to the row before`;
    this.prev = r.hash;
    return null;
  }
}
