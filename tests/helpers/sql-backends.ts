/**
 * The system of record on each engine, for tests that must hold on both (issue 19): a migrated SQLite file
 * in a temporary directory, and a PostgreSQL database of its own (tests/helpers/pg.ts), dropped after,
 * collated as a Chinese deployment's would be (ICU zh-CN), so SQL that leans on byte order shows it.
 * PostgreSQL is skipped, saying why, where none answers (CI starts one: .ci/run).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase, type Db } from '@/server/db/open-database';
import { createPgPool, migratePg } from '@/server/db/pg/open-pg';
import { pgSqlDb, sqliteSqlDb, type SqlDb } from '@/server/db/sql-db';
import { createTestPgDatabase, pgUnavailable } from './pg';

export interface TestSqlDb {
  db: SqlDb;
  /**
   * Another pool on the same database, as a second server process would hold. On SQLite the same
   * connection: a process holds one, and two in one thread would wait on each other's write lock.
   */
  another(): SqlDb;
  /** SQLite only: the drizzle handle, for a test that reads the file directly. */
  sqlite?: Db;
  close(): Promise<void>;
}

export interface SqlBackend {
  name: 'sqlite' | 'postgres';
  /** Why this backend is skipped, or null. */
  unavailable: string | null;
  open(): Promise<TestSqlDb>;
}

const pgReason = await pgUnavailable();
if (pgReason) console.warn(`PostgreSQL backend tests skipped: ${pgReason}`);

export const SQL_BACKENDS: SqlBackend[] = [
  {
    name: 'sqlite',
    unavailable: null,
    async open() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-sql-'));
      const file = path.join(dir, 'pingan.db');
      const first = openDatabase(file);
      return {
        db: sqliteSqlDb(first.$client),
        sqlite: first,
        another: () => sqliteSqlDb(first.$client),
        async close() {
          first.$client.close();
          fs.rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'postgres',
    unavailable: pgReason,
    async open() {
      const database = await createTestPgDatabase({ collation: 'zh-CN' });
      const pool = createPgPool(database.url);
      await migratePg(pool);
      const extra: SqlDb[] = [];
      return {
        db: pgSqlDb(pool),
        another() {
          const other = pgSqlDb(createPgPool(database.url));
          extra.push(other);
          return other;
        },
        async close() {
          await Promise.all([pool.end(), ...extra.map((d) => d.close())]);
          await database.drop();
        },
      };
    },
  },
];
