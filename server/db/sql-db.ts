/**
 * One asynchronous way to the system of record, whichever engine holds it (issue 19): SQLite in the
 * process (DATABASE_PATH, the embedded default) or PostgreSQL shared by every process on every host
 * (DATABASE_URL). Queries are drizzle `sql` templates, so each dialect renders its own placeholders
 * (`?` or `$n`) and nothing is ever spliced into SQL text; the SQL itself is written once, in the subset
 * both engines speak (`RETURNING`, `ON CONFLICT … DO UPDATE SET x = excluded.x`, `IS NOT DISTINCT FROM`…),
 * with `db.dialect` choosing where they differ (`forUpdate`).
 *
 * What differs between the two, and how modules cope:
 * - Flags: PostgreSQL returns booleans where SQLite returns 0/1 (test with `flag(row.x)`); a JS boolean
 *   parameter is bound as 1/0 on SQLite.
 * - jsonb columns (departments.categories, incident_events.data) come back parsed on PostgreSQL, as text on
 *   SQLite (`jsonValue`).
 * - Concurrency: a SQLite transaction is BEGIN IMMEDIATE, one at a time per process (the write lock
 *   serialises processes); PostgreSQL runs READ COMMITTED, so a transaction that reads a row to change it
 *   locks it first (`forUpdate`), and uniqueness is the indexes' job (`isUniqueViolation`).
 */
import type Database from 'better-sqlite3';
import type { SQL } from 'drizzle-orm';
import { sql as sqlTag } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import type pg from 'pg';

export type Dialect = 'sqlite' | 'postgres';

export interface RunResult {
  /** Rows inserted, updated or deleted. */
  changes: number;
}

/** Queries on the database, or inside one transaction of it. */
export interface SqlRunner {
  readonly dialect: Dialect;
  all<T>(query: SQL): Promise<T[]>;
  /** The first row, or undefined. */
  get<T>(query: SQL): Promise<T | undefined>;
  run(query: SQL): Promise<RunResult>;
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws (the error is
   * rethrown). Inside a transaction it is a savepoint of that one, so a module that opens its own
   * transaction joins a caller's when handed the caller's `tx`. On SQLite `fn` must await only its own
   * queries: the transaction holds the process's one connection, and everything else waits for it.
   */
  transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T>;
}

export interface SqlDb extends SqlRunner {
  /** Closed (by close(), or its connection by its owner): timers that read it stop. */
  readonly isClosed: boolean;
  close(): Promise<void>;
}

/** The SQLite flavour keeps its connection at hand (whether it is open; pragmas the seed sets around bulk writes). */
export interface SqliteSqlDb extends SqlDb {
  readonly dialect: 'sqlite';
  readonly sqlite: Database.Database;
}

/** Prepared statements kept per SQLite connection; past this the oldest is dropped (SQL text is static, so a few dozen in practice). */
export const STATEMENT_CACHE_MAX = 512;

const sqliteDialect = new SQLiteSyncDialect();
const pgDialect = new PgDialect();

type SqliteParam = string | number | bigint | Buffer | null;

function sqliteParams(params: unknown[]): SqliteParam[] {
  return params.map((p) => {
    if (typeof p === 'boolean') return p ? 1 : 0;
    if (p === undefined) return null;
    if (p instanceof Uint8Array && !Buffer.isBuffer(p))
      return Buffer.from(p.buffer, p.byteOffset, p.byteLength);
    return p as SqliteParam;
  });
}

/**
 * Runs FIFO, one at a time: a SQLite transaction and every query outside it take turns, so no query
 * lands inside another flow's open transaction (and is rolled back with it).
 */
class Turns {
  private tail: Promise<unknown> = Promise.resolve();
  private busy = false;

  get isBusy(): boolean {
    return this.busy;
  }

  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(async () => {
      this.busy = true;
      try {
        return await fn();
      } finally {
        this.busy = false;
      }
    });
    this.tail = next.catch(() => {});
    return next;
  }
}

/** A savepoint inside an open transaction, on either engine (names are per depth, so nesting cannot clash). */
async function inSavepoint<T>(
  exec: (text: string) => Promise<unknown>,
  depth: number,
  fn: () => Promise<T>,
): Promise<T> {
  const name = `pingan_sp${depth}`;
  await exec(`SAVEPOINT ${name}`);
  try {
    const result = await fn();
    await exec(`RELEASE SAVEPOINT ${name}`);
    return result;
  } catch (e) {
    await exec(`ROLLBACK TO SAVEPOINT ${name}`);
    await exec(`RELEASE SAVEPOINT ${name}`);
    throw e;
  }
}

class SqliteRunner implements SqlRunner {
  readonly dialect = 'sqlite' as const;

  constructor(
    readonly sqlite: Database.Database,
    private readonly statements: Map<string, Database.Statement>,
    /** Savepoints open around this runner's queries (0: the transaction itself). */
    private readonly depth: number,
  ) {}

  transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T> {
    const inner = new SqliteRunner(this.sqlite, this.statements, this.depth + 1);
    return inSavepoint(
      async (text) => this.sqlite.exec(text),
      this.depth + 1,
      () => fn(inner),
    );
  }

  private prepare(query: SQL): { stmt: Database.Statement; params: SqliteParam[] } {
    const q = sqliteDialect.sqlToQuery(query);
    let stmt = this.statements.get(q.sql);
    if (!stmt) {
      stmt = this.sqlite.prepare(q.sql);
      if (this.statements.size >= STATEMENT_CACHE_MAX)
        this.statements.delete(this.statements.keys().next().value!);
      this.statements.set(q.sql, stmt);
    }
    return { stmt, params: sqliteParams(q.params) };
  }

  allNow<T>(query: SQL): T[] {
    const { stmt, params } = this.prepare(query);
    return stmt.all(...params) as T[];
  }

  getNow<T>(query: SQL): T | undefined {
    const { stmt, params } = this.prepare(query);
    if (!stmt.reader) {
      stmt.run(...params);
      return undefined;
    }
    return stmt.get(...params) as T | undefined;
  }

  runNow(query: SQL): RunResult {
    const { stmt, params } = this.prepare(query);
    return { changes: stmt.run(...params).changes };
  }

  all<T>(query: SQL): Promise<T[]> {
    return Promise.resolve().then(() => this.allNow<T>(query));
  }
  get<T>(query: SQL): Promise<T | undefined> {
    return Promise.resolve().then(() => this.getNow<T>(query));
  }
  run(query: SQL): Promise<RunResult> {
    return Promise.resolve().then(() => this.runNow(query));
  }
}

const sqliteDbs = new WeakMap<Database.Database, SqliteSqlDb>();

/**
 * The SqlDb over a better-sqlite3 connection (the caller opened and migrated it, and closes it). One per
 * connection, however often asked: two would each believe they may open a transaction on it.
 */
export function sqliteSqlDb(sqlite: Database.Database): SqliteSqlDb {
  let db = sqliteDbs.get(sqlite);
  if (!db) {
    db = newSqliteSqlDb(sqlite);
    sqliteDbs.set(sqlite, db);
  }
  return db;
}

function newSqliteSqlDb(sqlite: Database.Database): SqliteSqlDb {
  const runner = new SqliteRunner(sqlite, new Map(), 0);
  const turns = new Turns();
  // A query outside a transaction runs at once unless a transaction is open at that moment (BEGIN follows
  // `busy` synchronously), and then waits for its turn rather than land inside it.
  const outside = <T>(fn: () => T): Promise<T> =>
    Promise.resolve().then(() => (turns.isBusy ? turns.run(async () => fn()) : fn()));
  return {
    dialect: 'sqlite',
    sqlite,
    get isClosed() {
      return !sqlite.open;
    },
    all: (q) => outside(() => runner.allNow(q)),
    get: (q) => outside(() => runner.getNow(q)),
    run: (q) => outside(() => runner.runNow(q)),
    transaction: (fn) =>
      turns.run(async () => {
        // Throws if a synchronous caller left a transaction open: nesting into it would tie this one's fate to its.
        sqlite.exec('BEGIN IMMEDIATE');
        try {
          const result = await fn(runner);
          sqlite.exec('COMMIT');
          return result;
        } catch (e) {
          if (sqlite.inTransaction) sqlite.exec('ROLLBACK');
          throw e;
        }
      }),
    close: async () => {},
  };
}

class PgRunner implements SqlRunner {
  readonly dialect = 'postgres' as const;

  /** A runner inside a transaction on `client` (depth ≥ 0); the pool runner is never handed out as one. */
  constructor(
    private readonly client: pg.ClientBase,
    private readonly depth: number,
  ) {}

  transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T> {
    const inner = new PgRunner(this.client, this.depth + 1);
    return inSavepoint(
      (text) => this.client.query(text),
      this.depth + 1,
      () => fn(inner),
    );
  }

  async all<T>(query: SQL): Promise<T[]> {
    const q = pgDialect.sqlToQuery(query);
    const r = await this.client.query({ text: q.sql, values: q.params });
    return r.rows as T[];
  }
  async get<T>(query: SQL): Promise<T | undefined> {
    return (await this.all<T>(query))[0];
  }
  async run(query: SQL): Promise<RunResult> {
    const q = pgDialect.sqlToQuery(query);
    const r = await this.client.query({ text: q.sql, values: q.params });
    return { changes: r.rowCount ?? 0 };
  }
}

/**
 * Queries on one PostgreSQL connection the caller holds (a migration's, a test's). Its `transaction` is a
 * savepoint, so it needs the caller's transaction open.
 */
export function pgClientRunner(client: pg.ClientBase): SqlRunner {
  return new PgRunner(client, 0);
}

/** A SqlDb over a node-postgres pool (int8 parsed as numbers: open-pg.ts `createPgPool`). close() ends the pool. */
export function pgSqlDb(pool: pg.Pool): SqlDb {
  const query = async (q: SQL) => {
    const { sql: text, params } = pgDialect.sqlToQuery(q);
    return pool.query({ text, values: params });
  };
  let isClosed = false;
  return {
    dialect: 'postgres',
    get isClosed() {
      return isClosed;
    },
    all: async <T>(q: SQL) => (await query(q)).rows as T[],
    get: async <T>(q: SQL) => (await query(q)).rows[0] as T | undefined,
    run: async (q) => ({ changes: (await query(q)).rowCount ?? 0 }),
    async transaction(fn) {
      const client = await pool.connect();
      let isBroken = false;
      try {
        await client.query('BEGIN');
        const result = await fn(new PgRunner(client, 0));
        await client.query('COMMIT');
        return result;
      } catch (e) {
        try {
          await client.query('ROLLBACK');
        } catch {
          // The connection itself failed: it must not go back to the pool.
          isBroken = true;
        }
        throw e;
      } finally {
        client.release(isBroken);
      }
    },
    close: () => {
      isClosed = true;
      return pool.end();
    },
  };
}

/** Appended to a SELECT that reads a row in order to change it: PostgreSQL locks it; SQLite's IMMEDIATE transaction already holds the write lock. */
export function forUpdate(db: SqlRunner): SQL {
  return db.dialect === 'postgres' ? sqlTag` FOR UPDATE` : sqlTag``;
}

/**
 * `IN ${inList(db, ids)}`: a list of any length sent as one JSON array parameter (an IN list of bound
 * parameters would hit SQLite's variable limit, and a new statement text per length defeats caching).
 */
export function inList(db: SqlRunner, values: readonly string[]): SQL {
  const json = JSON.stringify(values);
  return db.dialect === 'postgres'
    ? sqlTag`(SELECT jsonb_array_elements_text(${json}::jsonb))`
    : sqlTag`(SELECT value FROM json_each(${json}))`;
}

/** A unique index refused the row: SQLite's SQLITE_CONSTRAINT_UNIQUE / PRIMARYKEY, PostgreSQL's 23505. */
export function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}

/** PostgreSQL gave up this transaction to let another through (deadlock victim 40P01, serialization 40001): run it again. */
export function isTransientConflict(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}

/** A flag column as read: 0/1 from SQLite, a boolean from PostgreSQL. */
export function flag(v: number | boolean | null | undefined): boolean {
  return v === true || v === 1;
}

/** A jsonb column as read: text from SQLite, already parsed from PostgreSQL. */
export function jsonValue<T>(v: unknown): T | null {
  if (v === null || v === undefined) return null;
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}
