import { sql } from 'drizzle-orm';
import type { Config } from '@/server/config';
import type { SqlDb } from '@/server/db/sql-db';
import { openSqlDb } from '@/server/db/system-of-record';

/**
 * What someone who can write the database does, on a connection of their own: the SQLite file or the
 * PostgreSQL database the app's config names, whether the app runs or not. Tests of tamper evidence act
 * through it rather than through the app, whose code paths are what is being bypassed.
 */
export async function asDatabaseWriter<T>(
  config: Pick<Config, 'DATABASE_PATH' | 'DATABASE_URL'>,
  fn: (db: SqlDb) => Promise<T>,
): Promise<T> {
  const opened = await openSqlDb({ ...config, DATABASE_POOL_MAX: 2 });
  try {
    return await fn(opened.sql);
  } finally {
    await opened.close();
  }
}

/** Removes one of the audit log's append-only triggers (PostgreSQL names a trigger with its table). */
export function dropAuditTrigger(db: SqlDb, name: 'audit_log_no_update' | 'audit_log_no_delete') {
  const on = db.dialect === 'postgres' ? ' ON audit_log' : '';
  return db.run(sql`DROP TRIGGER ${sql.raw(name)}${sql.raw(on)}`);
}
