import { sql } from 'drizzle-orm';
import type { SqlRunner } from '../db/sql-db';
import { GridLocator } from '../live/grid-locator';

/** The walls' title when no territory is loaded. */
export const DEFAULT_WORLD_NAME = '平安示范区';

/** What the app keeps of the territory: the grids that place incidents, and the name on the walls' title. */
export interface TerritoryView {
  grids: GridLocator;
  name: string;
}

export async function loadTerritoryView(db: SqlRunner): Promise<TerritoryView> {
  const grids = await db.all<{ code: string; geometry: string }>(sql`SELECT code, geometry FROM grids`);
  // The top-level region: the one whose parent, if any, is outside the imported territory.
  const top = await db.get<{ name: string }>(
    sql`SELECT name FROM regions WHERE parent_code IS NULL OR parent_code NOT IN (SELECT code FROM regions) LIMIT 1`,
  );
  return { grids: new GridLocator(grids), name: top?.name ?? DEFAULT_WORLD_NAME };
}

/**
 * A reload to run on every change, whose result is applied only if no later reload began meanwhile: two
 * imports in quick succession start two reads, and the first one finishing last must not put the older
 * view back. Each call resolves once the view in place is at least as new as that call (a superseded one
 * waits for the latest), and never rejects: a failed read is reported and the view in place is kept (the
 * next change reloads again).
 */
export function latestReload<T>(
  load: () => Promise<T>,
  apply: (value: T) => void,
  onError: (err: unknown) => void,
): () => Promise<void> {
  let started = 0;
  let latest: Promise<void> = Promise.resolve();
  return () => {
    const mine = ++started;
    const done = load()
      .then((value) => {
        if (mine === started) apply(value);
      })
      .catch(onError)
      .then(() => (mine === started ? undefined : latest));
    latest = done;
    return done;
  };
}
