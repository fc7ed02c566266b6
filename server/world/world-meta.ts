import { sql } from 'drizzle-orm';
import type { SqlRunner } from '../db/sql-db';

/** Keys under which the world's non-tabular parts live in `meta` (JSON values). */
export const WORLD_META_KEYS = {
  /** WorldInfo; written last, so its presence means a complete seed. */
  info: 'world.info',
  options: 'world.options',
  roads: 'world.roads',
  features: 'world.features',
  /** { departmentId: [lng, lat] }: where each department's units park. */
  bases: 'world.bases',
} as const;

/** A JSON value of `meta`, on SqlDb or inside one of its transactions. */
export async function readMetaJson<T>(db: SqlRunner, key: string): Promise<T | null> {
  const row = await db.get<{ value: string }>(sql`SELECT value FROM meta WHERE key = ${key}`);
  return row ? (JSON.parse(row.value) as T) : null;
}

export async function writeMetaJson(db: SqlRunner, key: string, value: unknown, now: number): Promise<void> {
  const text = JSON.stringify(value);
  await db.run(
    sql`INSERT INTO meta (key, value, updated_at) VALUES (${key}, ${text}, ${now})
        ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  );
}
