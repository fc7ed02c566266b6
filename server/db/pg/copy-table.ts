/**
 * Copying one table from SQLite to PostgreSQL (migrate-from-sqlite.ts runs it for every table): values are
 * converted by the PostgreSQL column's kind, and rows go over in multi-row INSERTs of a bounded size.
 */
import type Database from 'better-sqlite3';
import { getTableConfig, type PgColumn, type PgTable } from 'drizzle-orm/pg-core';
import type pg from 'pg';

/** A value SQLite holds that the PostgreSQL column cannot take: the move stops and says where. */
export class CopyRefused extends Error {}

/** PostgreSQL takes at most 65,535 bind parameters per statement. */
const PG_MAX_PARAMS = 65_535;
/**
 * Blob bytes one INSERT carries at most (a batch is sent whole): 1,000 rows of photos at up to 9 MB each
 * would be one 9 GB statement. A single row over it still goes, alone.
 */
export const COPY_BATCH_MAX_BYTES = 64 * 1024 * 1024;

export const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

function primaryColumns(table: PgTable): string[] {
  const cfg = getTableConfig(table);
  const single = cfg.columns.filter((c) => c.primary).map((c) => c.name);
  return single.length > 0 ? single : (cfg.primaryKeys[0]?.columns.map((c) => c.name) ?? []);
}

/** One SQLite value as the PostgreSQL column wants it; throws with why it cannot be. */
export function convertValue(value: unknown, col: PgColumn): unknown {
  if (value === null) return null;
  const kind = col.getSQLType();
  const asInteger = (): number => {
    if (typeof value === 'bigint') {
      if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER))
        throw new Error(`${value} is beyond 2^53`);
      return Number(value);
    }
    if (typeof value === 'number' && Number.isInteger(value)) return value;
    throw new Error(`is not an integer (${typeof value} ${String(value).slice(0, 40)})`);
  };
  switch (kind) {
    case 'boolean': {
      const n = asInteger();
      if (n !== 0 && n !== 1) throw new Error(`is a flag but holds ${n}`);
      return n === 1;
    }
    case 'integer':
    case 'bigint':
      return asInteger();
    case 'double precision':
      if (typeof value === 'number' || typeof value === 'bigint') return Number(value);
      throw new Error(`is not a number (${typeof value})`);
    case 'bytea':
      if (Buffer.isBuffer(value)) return value;
      throw new Error(`is not a blob (${typeof value})`);
    case 'jsonb':
      if (typeof value !== 'string') throw new Error(`is not JSON text (${typeof value})`);
      try {
        JSON.parse(value);
      } catch {
        throw new Error(`is not valid JSON: ${value.slice(0, 60)}`);
      }
      return value; // PostgreSQL parses the text itself
    case 'text':
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'bigint') return String(value);
      throw new Error(`is not text (${typeof value})`);
    default:
      throw new Error(`has a column kind the copy does not know: ${kind}`);
  }
}

export async function copyTable(
  sqlite: Database.Database,
  client: pg.ClientBase,
  table: PgTable,
  batchRows: number,
  maxBatchBytes = COPY_BATCH_MAX_BYTES,
): Promise<number> {
  const cfg = getTableConfig(table);
  const cols = cfg.columns;
  const names = cols.map((c) => quote(c.name)).join(', ');
  const order = primaryColumns(table).map(quote).join(', ');
  const perBatch = Math.max(1, Math.min(batchRows, Math.floor(PG_MAX_PARAMS / cols.length)));
  const select = sqlite.prepare(`SELECT ${names} FROM ${quote(cfg.name)} ORDER BY ${order}`).raw(true);
  select.safeIntegers(true);
  const insertFor = (rows: number) => {
    const tuples: string[] = [];
    for (let r = 0; r < rows; r++)
      tuples.push(`(${cols.map((_, c) => `$${r * cols.length + c + 1}`).join(', ')})`);
    return `INSERT INTO ${quote(cfg.name)} (${names}) VALUES ${tuples.join(', ')}`;
  };
  const fullInsert = insertFor(perBatch);
  let params: unknown[] = [];
  let inBatch = 0;
  let batchBytes = 0;
  let copied = 0;
  const flush = async () => {
    if (inBatch === 0) return;
    await client.query(inBatch === perBatch ? fullInsert : insertFor(inBatch), params);
    copied += inBatch;
    params = [];
    inBatch = 0;
    batchBytes = 0;
  };
  for (const row of select.iterate() as Iterable<unknown[]>) {
    for (let c = 0; c < cols.length; c++) {
      try {
        const value = convertValue(row[c], cols[c]!);
        if (Buffer.isBuffer(value)) batchBytes += value.length;
        params.push(value);
      } catch (e) {
        const key = primaryColumns(table)
          .map((k) => `${k}=${String(row[cols.findIndex((x) => x.name === k)])}`)
          .join(',');
        throw new CopyRefused(`${cfg.name} row ${key}: column ${cols[c]!.name} ${(e as Error).message}`);
      }
    }
    if (++inBatch === perBatch || batchBytes >= maxBatchBytes) await flush();
  }
  await flush();
  return copied;
}

/** Identity sequences continue after the highest id SQLite issued (sqlite_sequence remembers deleted ones). */
export async function resetSequences(
  sqlite: Database.Database,
  client: pg.ClientBase,
  tables: readonly PgTable[],
): Promise<void> {
  const issued = new Map<string, number>();
  const hasSeq = sqlite.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'`).get();
  if (hasSeq)
    for (const r of sqlite.prepare('SELECT name, seq FROM sqlite_sequence').all() as {
      name: string;
      seq: number;
    }[])
      issued.set(r.name, r.seq);
  for (const table of tables) {
    const cfg = getTableConfig(table);
    for (const col of cfg.columns.filter((c) => c.generatedIdentity)) {
      const max = await client.query<{ max: number | null }>(
        `SELECT max(${quote(col.name)}) AS max FROM ${quote(cfg.name)}`,
      );
      const last = Math.max(max.rows[0]!.max ?? 0, issued.get(cfg.name) ?? 0);
      // setval(seq, 1, false) leaves an untouched sequence starting at 1.
      await client.query(`SELECT setval(pg_get_serial_sequence($1, $2), $3, $4)`, [
        cfg.name,
        col.name,
        Math.max(last, 1),
        last > 0,
      ]);
    }
  }
}
