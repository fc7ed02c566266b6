/**
 * Every row of a large table in keyset pages, for the reads that load a whole registry (a province's 2 M
 * cameras): no page grows with the table's size, no statement holds every row at once, and the event loop
 * turns between pages (on SQLite each statement runs inside it).
 *
 * SQLite pages by rowid, the table's own order: paging 2 M cameras by their text key (`id > ?` on its
 * index) took 10 s of random reads against 1.2 s by rowid. PostgreSQL pages by the key column's index, in its
 * own order; callers that need an order sort what they read.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { SqlRunner } from './sql-db';

export type PagedTable = 'regions' | 'grids' | 'vehicles' | 'workers' | 'cameras';

/** Lets timers, sockets and ingest run between statements: on SQLite every statement holds the event loop. */
export const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function* tablePages<T>(
  db: SqlRunner,
  table: PagedTable,
  /** The primary key, which PostgreSQL pages by. */
  key: 'id' | 'code',
  columns: SQL,
  pageRows: number,
): AsyncGenerator<T[]> {
  let after: string | number = db.dialect === 'sqlite' ? -1 : '';
  for (;;) {
    const rows =
      db.dialect === 'sqlite'
        ? await db.all<T & { k: number }>(
            sql`SELECT rowid AS "k", ${columns} FROM ${sql.raw(table)} WHERE rowid > ${after}
                ORDER BY rowid LIMIT ${pageRows}`,
          )
        : await db.all<T & { k: string }>(
            sql`SELECT ${sql.raw(key)} AS "k", ${columns} FROM ${sql.raw(table)} WHERE ${sql.raw(key)} > ${after}
                ORDER BY ${sql.raw(key)} LIMIT ${pageRows}`,
          );
    yield rows;
    if (rows.length < pageRows) return;
    after = rows[rows.length - 1]!.k;
    await yieldToLoop();
  }
}
