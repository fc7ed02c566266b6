import type { Db } from '../../db/open-database';

const tails = new WeakMap<Db, Promise<unknown>>();

/**
 * One import at a time per database: an import checks its file against what is stored, then writes; a second
 * import committing in between would make the first one's checks stale.
 */
export function withImportLock<T>(db: Db, fn: () => Promise<T>): Promise<T> {
  const prev = tails.get(db) ?? Promise.resolve();
  const run = prev.then(fn, fn);
  tails.set(
    db,
    run.catch(() => undefined),
  );
  return run;
}
