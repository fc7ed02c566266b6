/**
 * Databases for the command-line tools under test (scripts/import.ts…), on the engine this run tests: with
 * PINGAN_TEST_DB=postgres the tool writes PostgreSQL, as it would beside a server on PostgreSQL, and the
 * test reads what it wrote there.
 */
import { afterAll } from 'vitest';
import { asDatabaseWriter } from './database-writer';
import type { SqlDb } from '@/server/db/sql-db';
import { createTestPgDatabase, type TestPgDatabase } from './pg';
import type { TestApp } from './test-app';

const isPg = process.env.PINGAN_TEST_DB === 'postgres';
const made: TestPgDatabase[] = [];
if (isPg)
  afterAll(async () => {
    await Promise.all(made.splice(0).map((d) => d.drop()));
  });

export interface ToolDatabase {
  /** What the tool's process is started with (an empty DATABASE_URL is none). */
  env: Record<string, string>;
  /** Opens the database (migrated, as the tool finds it), runs `fn` on it, and closes it. */
  use<T>(fn: (db: SqlDb) => Promise<T>): Promise<T>;
}

function toolDatabase(DATABASE_PATH: string, DATABASE_URL: string | undefined): ToolDatabase {
  return {
    env: { DATABASE_PATH, DATABASE_URL: DATABASE_URL ?? '' },
    use: (fn) => asDatabaseWriter({ DATABASE_PATH, DATABASE_URL }, fn),
  };
}

/** A database of the tool's own: the SQLite file at `file`, or a new PostgreSQL database (dropped after the test file). */
export async function ownToolDatabase(file: string): Promise<ToolDatabase> {
  if (!isPg) return toolDatabase(file, undefined);
  const pg = await createTestPgDatabase({ collation: 'zh-CN' });
  made.push(pg);
  return toolDatabase(file, pg.url);
}

/** The database a running test app keeps its records in, for a tool run beside it. */
export function appToolDatabase(t: TestApp): ToolDatabase {
  const { DATABASE_PATH, DATABASE_URL } = t.app.ctx.config;
  return toolDatabase(DATABASE_PATH, DATABASE_URL);
}
