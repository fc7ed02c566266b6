/**
 * The audit chain's key (AUDIT_KEY). A plain SHA-256 chain proves nothing against whoever can write the
 * database file: they edit a row and recompute every hash after it. With HMAC-SHA256 under a secret kept
 * outside the database (and its backups) they cannot produce a chain that verifies.
 *
 * A chain that began unkeyed continues: the first start with a key records in `meta` the row id from which
 * rows are keyed, with a MAC under the key, so that boundary cannot be moved either; rows before it stay
 * plain SHA-256 and are held in place by the first keyed row's link. Once keyed, a process without the key
 * (or with another one) refuses to start or to append: an unkeyed row would break the chain for good.
 *
 * The key is per database handle, set once where the process is wired (`configureSqlAuditChain`), so every
 * SqlAudit over that handle, wherever it is built, uses it.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type Database from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import type { SqlDb, SqliteSqlDb } from '../db/sql-db';
import type { Logger } from '../logger';

/** The `meta` row holding `{ fromId, mac }`: rows with id ≥ fromId are keyed. */
export const AUDIT_KEYED_META = 'audit_chain_keyed_from';
/** HKDF `info`: the chain's key is derived, so AUDIT_KEY is never used raw and could serve other labels. */
const AUDIT_KEY_LABEL = 'pingan/audit chain/v1';

export class AuditKeyError extends Error {}

export interface AuditChainKey {
  key: Buffer;
  /** The first row id hashed with the key; rows before it are plain SHA-256. */
  fromId: number;
}

/** undefined: never configured on this handle (unit tests, tools); null: configured without a key. */
const sqlChainKeys = new WeakMap<SqlDb, AuditChainKey | null>();

export function deriveAuditKey(auditKey: string): Buffer {
  return Buffer.from(hkdfSync('sha256', auditKey, Buffer.alloc(0), AUDIT_KEY_LABEL, 32));
}

/** HMAC-SHA256 under the chain key of a labelled message; the label keeps marker, anchor and rows apart. */
export function auditMac(key: Buffer, label: string, message: string): string {
  return createHmac('sha256', key).update(label).update('\n').update(message).digest('hex');
}

export function isMacEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === 32 && x.length === y.length && timingSafeEqual(x, y);
}

const markerMac = (key: Buffer, fromId: number) => auditMac(key, 'keyed-from', String(fromId));

export type KeyedMarker = { fromId: number; mac: string } | { garbled: string } | null;

export function readKeyedMarker(sqlite: Database.Database): KeyedMarker {
  const row = sqlite.prepare('SELECT value FROM meta WHERE key = ?').get(AUDIT_KEYED_META) as
    { value: string } | undefined;
  return parseKeyedMarker(row?.value);
}

/** The marker from its `meta` value (undefined: no row), whichever database it was read from. */
export function parseKeyedMarker(value: string | undefined): KeyedMarker {
  if (value === undefined) return null;
  try {
    const v = JSON.parse(value) as { fromId?: unknown; mac?: unknown };
    if (Number.isSafeInteger(v.fromId) && typeof v.mac === 'string')
      return { fromId: v.fromId as number, mac: v.mac };
  } catch {
    // reported below
  }
  return { garbled: value.slice(0, 200) };
}

/** Why the stored marker does not fit this key (moved, removed, garbled), or null when it does. */
export function markerProblemOf(marker: KeyedMarker, chain: AuditChainKey): string | null {
  if (!marker) return `the marker of the keyed chain (meta ${AUDIT_KEYED_META}) was removed`;
  if ('garbled' in marker) return `the marker of the keyed chain (meta ${AUDIT_KEYED_META}) is not readable`;
  if (marker.fromId !== chain.fromId || !isMacEqual(marker.mac, markerMac(chain.key, marker.fromId)))
    return `the marker of the keyed chain (meta ${AUDIT_KEYED_META}) was altered`;
  return null;
}

/**
 * Sets this database's chain key from AUDIT_KEY (absent: none), keying the chain from the next row on the
 * first keyed start (the marker is a `meta` row every process sharing the database reads). Throws
 * AuditKeyError, with what to do, when the key and the database disagree.
 */
export async function configureSqlAuditChain(
  db: SqlDb,
  opts: { auditKey?: string; logger?: Logger },
): Promise<AuditChainKey | null> {
  const readMarker = async () =>
    parseKeyedMarker(
      (await db.get<{ value: string }>(sql`SELECT value FROM meta WHERE key = ${AUDIT_KEYED_META}`))?.value,
    );
  const marker = await readMarker();
  if (!opts.auditKey) {
    refuseUnkeyedStart(marker);
    sqlChainKeys.set(db, null);
    return null;
  }
  const key = deriveAuditKey(opts.auditKey);
  if (!marker) {
    const last = await db.get<{ id: number | null }>(sql`SELECT max(id) AS id FROM audit_log`);
    const fromId = (last?.id ?? 0) + 1;
    // DO NOTHING: a sibling process sharing the database may have keyed it a moment ago; its marker stands.
    const inserted = await db.run(
      sql`INSERT INTO meta (key, value, updated_at) VALUES (${AUDIT_KEYED_META}, ${markerValue(key, fromId)}, ${Date.now()})
          ON CONFLICT (key) DO NOTHING`,
    );
    if (inserted.changes > 0) logKeyed(opts.logger, fromId);
  }
  const chain = chainOf(key, await readMarker());
  sqlChainKeys.set(db, chain);
  return chain;
}

/**
 * The chain key configured on this SqlDb. On SQLite, where nobody configured one (unit tests, tools), none,
 * unless the chain is keyed: appending unkeyed would break it for good. On PostgreSQL
 * configureSqlAuditChain must have run.
 */
export function sqlAuditChainOf(db: SqlDb): AuditChainKey | null {
  const chain = sqlChainKeys.get(db);
  if (chain !== undefined) return chain;
  if (db.dialect === 'sqlite') {
    if (readKeyedMarker((db as SqliteSqlDb).sqlite) === null) return null;
    throw new AuditKeyError('the audit chain is keyed: this process needs AUDIT_KEY to append to it');
  }
  throw new Error('the audit chain was not configured on this database (configureSqlAuditChain)');
}

function refuseUnkeyedStart(marker: KeyedMarker): void {
  if (marker)
    throw new AuditKeyError(
      `the audit chain is keyed (HMAC-SHA256${'fromId' in marker ? ` from row ${marker.fromId}` : ''}): set AUDIT_KEY to the key it was keyed with`,
    );
}

const markerValue = (key: Buffer, fromId: number) => JSON.stringify({ fromId, mac: markerMac(key, fromId) });

function logKeyed(logger: Logger | undefined, fromId: number): void {
  logger?.info(
    { fromId, plainRows: fromId - 1 },
    'audit chain keyed with AUDIT_KEY from this row on; earlier rows stay plain SHA-256',
  );
}

/** The chain the stored marker describes under this key; throws (with what to do) when they disagree. */
function chainOf(key: Buffer, stored: KeyedMarker): AuditChainKey {
  const chain: AuditChainKey = {
    key,
    fromId: stored && 'fromId' in stored ? stored.fromId : Number.MAX_SAFE_INTEGER,
  };
  const problem = markerProblemOf(stored, chain);
  if (problem)
    throw new AuditKeyError(
      `AUDIT_KEY is not the key this audit chain was keyed with, or ${problem}: start with the original key (GET /api/audit/verify then tells what changed)`,
    );
  return chain;
}
