/**
 * PostgreSQL connections and migrations (DATABASE_URL, issue 19).
 * `bigint` columns hold epoch milliseconds and ids; node-postgres hands int8 over as a string by default,
 * so every pool here parses it into a JS number, refusing a value a number cannot hold exactly.
 */
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from '../../logger';
import * as schema from './schema';

export const PG_MIGRATIONS_DIR = path.resolve(import.meta.dirname, '../../../drizzle-pg');
const INT8_OID = 20;
/**
 * A connection not made within this fails its query instead of waiting for the kernel's TCP timeout (minutes
 * when PostgreSQL's host is unreachable): the request errors, /api/health says the database is down, and the
 * balancer moves walls elsewhere.
 */
export const PG_CONNECT_TIMEOUT_MS = 10_000;

function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 ${text} is beyond what a JS number holds exactly`);
  return n;
}

const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? parseInt8 : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/**
 * A pool whose int8 values arrive as numbers. An idle connection that dies (PostgreSQL restarted, the
 * connection terminated) is reported and replaced on the next query: without a listener node-postgres would
 * raise it as an uncaught error and end the process.
 */
export function createPgPool(url: string, opts: { max?: number; logger?: Logger } = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 4,
    types,
    connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS,
  });
  pool.on('error', (err) => {
    const fields = { err: err.message, code: (err as { code?: string }).code };
    const message = 'postgresql: an idle connection was lost; the pool opens a new one when needed';
    if (opts.logger) opts.logger.warn(fields, message);
    else console.warn(message, fields);
  });
  return pool;
}

/** One connection (tests and tools that need a session of their own), int8 as numbers. */
export function createPgClient(url: string): pg.Client {
  return new pg.Client({ connectionString: url, types });
}

/** Applies drizzle-pg/ migrations (idempotent: applied ones are recorded in drizzle.__drizzle_migrations). */
export async function migratePg(pool: pg.Pool): Promise<void> {
  await migrate(drizzle(pool, { schema }), { migrationsFolder: PG_MIGRATIONS_DIR });
}
