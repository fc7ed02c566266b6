import { sql } from 'drizzle-orm';
import type { SqlRunner } from '../../db/sql-db';

/**
 * Rows per INSERT: 500 rows of at most 9 columns stay far under SQLite's 32,766 bound variables (and
 * PostgreSQL's 65,535), while a province's import still takes a few hundred statements, not a million.
 */
export const UPSERT_BATCH_ROWS = 500;

/**
 * Multi-row `INSERT … ON CONFLICT (key) DO UPDATE` in batches, inside the caller's transaction. Table and
 * column names are the callers' fixed identifiers, never input.
 */
export async function upsertRows(
  tx: SqlRunner,
  spec: { table: string; key: string; columns: string[]; update: string[]; rows: unknown[][] },
): Promise<void> {
  const head = sql.raw(`INSERT INTO ${spec.table} (${spec.columns.join(', ')}) VALUES `);
  const tail = sql.raw(
    ` ON CONFLICT (${spec.key}) DO UPDATE SET ${spec.update.map((c) => `${c} = excluded.${c}`).join(', ')}`,
  );
  for (let i = 0; i < spec.rows.length; i += UPSERT_BATCH_ROWS) {
    const values = spec.rows.slice(i, i + UPSERT_BATCH_ROWS).map(
      (r) =>
        sql`(${sql.join(
          r.map((v) => sql`${v}`),
          sql`, `,
        )})`,
    );
    await tx.run(sql`${head}${sql.join(values, sql`, `)}${tail}`);
  }
}
