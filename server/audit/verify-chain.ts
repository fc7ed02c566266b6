/**
 * Verifies an audit chain wherever its rows are (SQLite, PostgreSQL, either side of a move): the keyed-from
 * marker, every row's hash and link (ChainWalk), then each head anchored outside the database still in the
 * chain with its hash. `GET /api/audit/verify` and `npm run db:migrate-to-postgres` both answer with it.
 */
import { sql } from 'drizzle-orm';
import type pg from 'pg';
import { pgClientRunner, type SqlRunner } from '../db/sql-db';
import { anchorProblemOf } from './audit-anchor';
import {
  AUDIT_KEYED_META,
  deriveAuditKey,
  markerProblemOf,
  parseKeyedMarker,
  type AuditChainKey,
} from './audit-key';
import {
  ChainWalk,
  type AnchorCheck,
  type AnchorReadings,
  type AuditRow,
  type VerifyResult,
} from './audit-log';

/** Rows read per round trip (keyset paging: memory stays flat on a long chain). */
const PAGE_ROWS = 2_000;

export interface ChainSource {
  /** The `meta` value of the keyed-from marker; undefined when there is none. */
  keyedMarker(): Promise<string | undefined>;
  /** Every row, in id order. */
  rows(): AsyncIterable<AuditRow>;
  /** The hash of row `id`; undefined when there is no such row. */
  hashAt(id: number): Promise<string | undefined>;
}

/** The chain in any SqlDb, read in keyset pages (memory stays flat on a long chain). */
export function sqlChainSource(db: SqlRunner): ChainSource {
  return {
    async keyedMarker() {
      return (await db.get<{ value: string }>(sql`SELECT value FROM meta WHERE key = ${AUDIT_KEYED_META}`))
        ?.value;
    },
    async *rows() {
      let after = -1;
      for (;;) {
        const page = await db.all<AuditRow>(
          sql`SELECT * FROM audit_log WHERE id > ${after} ORDER BY id LIMIT ${PAGE_ROWS}`,
        );
        yield* page;
        if (page.length < PAGE_ROWS) return;
        after = page[page.length - 1]!.id;
      }
    },
    async hashAt(id) {
      return (await db.get<{ hash: string }>(sql`SELECT hash FROM audit_log WHERE id = ${id}`))?.hash;
    },
  };
}

/** The chain on one PostgreSQL connection (the migration's, inside or outside its transaction). */
export function pgChainSource(client: pg.ClientBase): ChainSource {
  return sqlChainSource(pgClientRunner(client));
}

/**
 * `auditKey`: AUDIT_KEY, needed when the chain is keyed. Without a marker the chain is plain SHA-256
 * whatever the key (the server keys it from its next row on; nothing here writes). `chain`: the key a
 * running server configured (audit-key.ts) instead, checked against the stored marker as it is.
 */
export async function verifyChain(
  source: ChainSource,
  opts: { auditKey?: string; chain?: AuditChainKey | null; anchors?: AnchorReadings } = {},
): Promise<VerifyResult> {
  const marker = parseKeyedMarker(await source.keyedMarker());
  let chain: AuditChainKey | null = null;
  let keyProblem: string | null = null;
  if (opts.chain !== undefined) {
    chain = opts.chain;
    if (chain) keyProblem = markerProblemOf(marker, chain);
    else if (marker)
      keyProblem = 'the chain is keyed but AUDIT_KEY is not configured: its keyed rows cannot be checked';
  } else if (marker && !opts.auditKey)
    keyProblem = 'the chain is keyed but AUDIT_KEY is not set: its keyed rows cannot be checked';
  else if (marker && opts.auditKey) {
    chain = {
      key: deriveAuditKey(opts.auditKey),
      fromId: 'fromId' in marker ? marker.fromId : Number.MAX_SAFE_INTEGER,
    };
    keyProblem = markerProblemOf(marker, chain);
  }
  const keyed = chain ? { fromId: chain.fromId, plainRows: 0 } : null;
  const checks: NonNullable<VerifyResult['anchors']> = {};
  for (const kind of ['file', 'redis'] as const) {
    const reading = opts.anchors?.[kind];
    if (!reading) continue;
    const hash = reading.head && !reading.error ? await source.hashAt(reading.head.id) : undefined;
    const problem = anchorProblemOf(reading, hash === undefined ? undefined : { hash });
    checks[kind] = (problem ? { head: reading.head, problem } : { head: reading.head }) as AnchorCheck;
  }
  const base = {
    ...(keyed ? { keyed } : {}),
    ...(Object.keys(checks).length > 0
      ? { anchors: checks, anchor: opts.anchors?.file?.head ?? opts.anchors?.redis?.head }
      : {}),
  };
  if (keyProblem) return { ok: false, rows: 0, problem: 'key', reason: keyProblem, ...base };

  const walk = new ChainWalk(chain);
  for await (const r of source.rows()) {
    const reason = walk.next(r);
    if (keyed) keyed.plainRows = walk.plainRows;
    if (reason) return { ok: false, rows: walk.rows, firstBadRow: r.id, problem: 'row', reason, ...base };
  }
  for (const kind of ['redis', 'file'] as const) {
    const check = checks[kind];
    if (check?.problem)
      return {
        ok: false,
        rows: walk.rows,
        firstBadRow: check.head?.id,
        problem: 'head',
        reason: `${kind} anchor: ${check.problem}`,
        ...base,
        anchor: check.head,
      };
  }
  return { ok: true, rows: walk.rows, ...base };
}
