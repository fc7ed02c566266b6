/**
 * Opens what a server process keeps its records in, from its config: the SQLite file at DATABASE_PATH (the
 * embedded default), or PostgreSQL at DATABASE_URL shared by every process (issue 19); and the SQLite file
 * its position history lives in (config.historyPath). Migrates both before anything reads them.
 */
import type Database from 'better-sqlite3';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { openDatabase } from './open-database';
import { createPgPool, migratePg } from './pg/open-pg';
import { pgSqlDb, sqliteSqlDb, type SqlDb } from './sql-db';

export interface SystemOfRecord {
  sql: SqlDb;
  /** The SQLite connection position history opens its file from. */
  historyDb: Database.Database;
  /** 'sqlite' with the file's path, or 'postgres' with the URL's host and database (never its password). */
  describe: { engine: 'sqlite'; path: string } | { engine: 'postgres'; at: string };
  close(): Promise<void>;
}

/**
 * Every process runs the migrations at start, several of them at once when a layout starts together: the
 * lock makes them take turns (the later ones find nothing left to apply). Any fixed 64-bit number works;
 * this one is "pingan" in ASCII, unlike the import, audit and overdue locks.
 */
const MIGRATION_LOCK = 0x70696e67616e;

type DbConfig = Pick<Config, 'DATABASE_PATH' | 'DATABASE_URL' | 'DATABASE_POOL_MAX'>;

interface OpenedSql {
  sql: SqlDb;
  /** The SQLite connection, when the system of record is SQLite. */
  sqlite: Database.Database | null;
  describe: SystemOfRecord['describe'];
  /** Ends the pool, or closes the SQLite connection. */
  close(): Promise<void>;
}

/** The system of record alone, migrated: for the command-line tools, which keep no position history. */
export async function openSqlDb(config: DbConfig, logger?: Logger): Promise<OpenedSql> {
  if (!config.DATABASE_URL) {
    const db = openDatabase(config.DATABASE_PATH);
    return {
      sql: sqliteSqlDb(db.$client),
      sqlite: db.$client,
      describe: { engine: 'sqlite', path: config.DATABASE_PATH },
      close: async () => void db.$client.close(),
    };
  }
  const pool = createPgPool(config.DATABASE_URL, { max: config.DATABASE_POOL_MAX, logger });
  try {
    const lock = await pool.connect();
    try {
      await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      await migratePg(pool);
    } finally {
      // Ending the session releases the lock even when the unlock itself cannot be sent.
      await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
      lock.release();
    }
  } catch (err) {
    await pool.end().catch(() => {});
    throw err;
  }
  const url = new URL(config.DATABASE_URL);
  const sql = pgSqlDb(pool);
  return {
    sql,
    sqlite: null,
    describe: { engine: 'postgres', at: `${url.hostname}:${url.port || 5432}${url.pathname}` },
    close: () => sql.close(),
  };
}

/** The command-line tools' database: DATABASE_URL, else DATABASE_PATH (default ./data/pingan.db), as the server reads them. */
export function openSqlDbFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<OpenedSql> {
  return openSqlDb({
    DATABASE_PATH: env.DATABASE_PATH || './data/pingan.db',
    DATABASE_URL: env.DATABASE_URL || undefined,
    DATABASE_POOL_MAX: 2,
  });
}

export async function openSystemOfRecord(
  config: DbConfig & Pick<Config, 'historyPath'>,
  logger: Logger,
): Promise<SystemOfRecord> {
  const opened = await openSqlDb(config, logger);
  const { sql, sqlite, describe } = opened;
  // On SQLite the default history file is the database itself: one connection serves both.
  const history =
    sqlite && config.historyPath === config.DATABASE_PATH ? null : openDatabase(config.historyPath).$client;
  return {
    sql,
    historyDb: history ?? sqlite!,
    describe,
    close: async () => {
      history?.close();
      await opened.close();
    },
  };
}
