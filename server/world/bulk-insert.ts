import { getTableColumns, getTableName, sql, type InferInsertModel, type SQL } from 'drizzle-orm';
import { getTableConfig, type SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { SqlRunner } from '../db/sql-db';

/**
 * Bound parameters per statement, under both engines' limits (SQLite 32,766, PostgreSQL 65,535): a
 * province seed has 3.5 million rows, and one statement per row costs a round trip each on PostgreSQL and
 * ~10 µs of statement overhead each on SQLite.
 */
export const MAX_PARAMS_PER_INSERT = 16_000;
/** Rows per statement at most, whatever the width: past a few hundred the gain is gone and the SQL text grows. */
export const MAX_ROWS_PER_INSERT = 500;

/**
 * Inserts many rows as multi-row INSERTs of a bounded size, with column names taken from the drizzle table
 * so the schema stays the single source of truth (the PostgreSQL tables name their columns alike). Call
 * inside a transaction. `replace` lets a re-seed overwrite, by primary key, what an interrupted seed (or an
 * early device report) left behind.
 */
export async function bulkInsert<T extends SQLiteTable>(
  db: SqlRunner,
  table: T,
  rows: Iterable<InferInsertModel<T>>,
  onConflict: 'fail' | 'replace' = 'fail',
): Promise<number> {
  const columns = Object.entries(getTableColumns(table)).map(([key, col]) => {
    const c = col as unknown as { name: string; default?: unknown; primary?: boolean };
    // A missing value takes the column's plain default; SQL-expression defaults must be given explicitly.
    return {
      key,
      name: c.name,
      isPrimary: c.primary === true,
      fallback: typeof c.default === 'object' ? null : (c.default ?? null),
    };
  });
  const head = sql.raw(
    `INSERT INTO "${getTableName(table)}" (${columns.map((c) => `"${c.name}"`).join(', ')}) VALUES `,
  );
  const tail = onConflict === 'replace' ? conflictClause(table, columns) : sql``;
  const perStatement = Math.max(
    1,
    Math.min(MAX_ROWS_PER_INSERT, Math.floor(MAX_PARAMS_PER_INSERT / columns.length)),
  );
  let n = 0;
  let chunk: SQL[] = [];
  const flush = async () => {
    if (chunk.length === 0) return;
    await db.run(sql`${head}${sql.join(chunk, sql`, `)}${tail}`);
    n += chunk.length;
    chunk = [];
  };
  for (const row of rows) {
    const r = row as Record<string, unknown>;
    chunk.push(
      sql`(${sql.join(
        columns.map((c) => sql`${r[c.key] ?? c.fallback}`),
        sql`, `,
      )})`,
    );
    if (chunk.length >= perStatement) await flush();
  }
  await flush();
  return n;
}

function conflictClause(table: SQLiteTable, columns: { name: string; isPrimary: boolean }[]): SQL {
  const composite = getTableConfig(table).primaryKeys[0]?.columns.map((c) => c.name);
  const keys = composite ?? columns.filter((c) => c.isPrimary).map((c) => c.name);
  if (keys.length === 0) throw new Error(`${getTableName(table)} has no primary key to replace by`);
  const rest = columns.filter((c) => !keys.includes(c.name));
  const set = rest.map((c) => `"${c.name}" = excluded."${c.name}"`).join(', ');
  return sql.raw(
    ` ON CONFLICT (${keys.map((k) => `"${k}"`).join(', ')}) ${set ? `DO UPDATE SET ${set}` : 'DO NOTHING'}`,
  );
}
