import {
  getTableColumns,
  getTableName,
  Param,
  sql,
  SQL,
  StringChunk,
  type InferInsertModel,
  type SQLChunk,
} from 'drizzle-orm';
import { getTableConfig, type SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { SqlRunner } from '../db/sql-db';

/**
 * Bound parameters per PostgreSQL statement, well under its 65,535: a province seed has 3.5 million rows, and
 * one statement per row would cost a round trip each.
 */
export const MAX_PARAMS_PER_INSERT = 16_000;
/** Rows per statement at most, whatever the width: past a few hundred the gain is gone and the SQL text grows. */
export const MAX_ROWS_PER_INSERT = 500;

/**
 * Inserts many rows in statements of at most MAX_ROWS_PER_INSERT rows, with column names taken from the
 * drizzle table so the schema stays the single source of truth (the PostgreSQL tables name their columns
 * alike). Call inside a transaction. `replace` lets a re-seed overwrite, by primary key, what an interrupted
 * seed (or an early device report) left behind.
 *
 * PostgreSQL gets multi-row VALUES lists, which it types by the target columns. SQLite gets the rows as one
 * JSON array unpacked by json_each: rendering thousands of bound parameters through drizzle took four times
 * the CPU of the former prepared one-row statement, this about 1.7 times (100,000 camera rows: ~0.8 s
 * against ~0.45 s), and one parameter keeps the statement text fixed.
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
  const into = `INSERT INTO "${getTableName(table)}" (${columns.map((c) => `"${c.name}"`).join(', ')}) `;
  const tail = onConflict === 'replace' ? conflictClause(table, columns) : '';
  const perStatement = Math.max(
    1,
    Math.min(MAX_ROWS_PER_INSERT, Math.floor(MAX_PARAMS_PER_INSERT / columns.length)),
  );
  const write =
    db.dialect === 'sqlite'
      ? // `WHERE true` keeps SQLite from reading ON CONFLICT as a join constraint of the SELECT.
        (chunk: unknown[][]) =>
          db.run(
            sql`${sql.raw(`${into}SELECT ${columns.map((_, i) => `value ->> ${i}`).join(', ')} FROM json_each(`)}${JSON.stringify(chunk)}${sql.raw(`) WHERE true${tail}`)}`,
          )
      : (chunk: unknown[][]) => {
          // Flat chunks: drizzle renders a nested template per row several times slower.
          const parts: SQLChunk[] = [new StringChunk(`${into}VALUES `)];
          chunk.forEach((values, i) => {
            parts.push(new StringChunk(i === 0 ? '(' : ', ('));
            values.forEach((v, j) => {
              if (j > 0) parts.push(new StringChunk(', '));
              parts.push(new Param(v));
            });
            parts.push(new StringChunk(')'));
          });
          parts.push(new StringChunk(tail));
          return db.run(new SQL(parts));
        };
  let n = 0;
  let chunk: unknown[][] = [];
  for (const row of rows) {
    const r = row as Record<string, unknown>;
    chunk.push(columns.map((c) => r[c.key] ?? c.fallback));
    if (chunk.length >= perStatement) {
      await write(chunk);
      n += chunk.length;
      chunk = [];
    }
  }
  if (chunk.length > 0) {
    await write(chunk);
    n += chunk.length;
  }
  return n;
}

function conflictClause(table: SQLiteTable, columns: { name: string; isPrimary: boolean }[]): string {
  const composite = getTableConfig(table).primaryKeys[0]?.columns.map((c) => c.name);
  const keys = composite ?? columns.filter((c) => c.isPrimary).map((c) => c.name);
  if (keys.length === 0) throw new Error(`${getTableName(table)} has no primary key to replace by`);
  const rest = columns.filter((c) => !keys.includes(c.name));
  const set = rest.map((c) => `"${c.name}" = excluded."${c.name}"`).join(', ');
  return ` ON CONFLICT (${keys.map((k) => `"${k}"`).join(', ')}) ${set ? `DO UPDATE SET ${set}` : 'DO NOTHING'}`;
}
