import type { RegistryKind } from '@/lib/import/issues';
import { sql, type SQL } from 'drizzle-orm';
import type { SqlDb } from '../../db/sql-db';
import type { LiveState } from '../../live/live-state';
import type { Logger } from '../../logger';
import { notifyProvisioningChange } from '../../protocols/provisioning-events';
import { invalidateRegionIndex } from '../../stats/region-index';
import { notifyTerritoryChanged } from '../../world/load-world';
import { applyRegistryToLive, type LiveRegistryRow } from './apply-registry-to-live';
import { isRunMadeHere } from './record-import-run';
import { latestImportRun } from './with-import-lock';

/** How often a running server looks for imports committed by another process (`npm run import`). */
export const IMPORT_WATCH_MS = 5_000;

const REGISTRY_ROWS: Record<Exclude<RegistryKind, 'departments'>, SQL> = {
  cameras: sql`SELECT id, name, program AS kind, lng, lat, stream_url AS "streamUrl" FROM cameras`,
  vehicles: sql`SELECT id, name, kind FROM vehicles`,
  workers: sql`SELECT id, name, role AS kind FROM workers`,
};

/**
 * An import from the command line writes the database a running server reads: this notices its
 * `import_runs` row and refreshes what the server keeps in memory (territory caches, entity names and camera
 * positions), so the walls show it without a restart. Imports made by this process refreshed themselves.
 * Returns the stop function; it also stops by itself once the database is closed.
 */
export function watchImportRuns(deps: { sql: SqlDb; live: LiveState; logger: Logger }): () => void {
  const db = deps.sql;
  let seen: number | null = null;
  let timer: NodeJS.Timeout | undefined;
  let isStopped = false;
  const check = async () => {
    // The first look only learns where the runs stand: what was imported before this start is loaded already.
    if (seen === null) {
      seen = await latestImportRun(db);
      return;
    }
    const runs = await db.all<{ id: number; kind: string; actor: string }>(
      sql`SELECT id, kind, actor FROM import_runs WHERE id > ${seen} ORDER BY id`,
    );
    for (const run of runs) {
      seen = run.id;
      if (isRunMadeHere(db, run.id)) continue;
      deps.logger.info(
        { run: run.id, kind: run.kind, actor: run.actor },
        'import by another process: refreshing',
      );
      if (run.kind === 'territory') await notifyTerritoryChanged(db);
      else if (run.kind in REGISTRY_ROWS) {
        const kind = run.kind as keyof typeof REGISTRY_ROWS;
        applyRegistryToLive(deps.live, kind, await db.all<LiveRegistryRow>(REGISTRY_ROWS[kind]));
        invalidateRegionIndex(db);
        if (kind === 'vehicles') notifyProvisioningChange();
      }
    }
  };
  // A chain of timeouts, not an interval: a slow look never overlaps the next.
  const next = (ms: number) => {
    if (isStopped || db.isClosed) return;
    timer = setTimeout(() => {
      if (db.isClosed) return;
      check().then(
        () => next(IMPORT_WATCH_MS),
        (err: unknown) => {
          if (!db.isClosed) deps.logger.warn({ err }, 'checking for imports by another process failed');
          next(IMPORT_WATCH_MS);
        },
      );
    }, ms);
    timer.unref();
  };
  next(0);
  return () => {
    isStopped = true;
    clearTimeout(timer);
  };
}
