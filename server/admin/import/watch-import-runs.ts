import type { RegistryKind } from '@/lib/import/issues';
import type { Db } from '../../db/open-database';
import type { LiveState } from '../../live/live-state';
import type { Logger } from '../../logger';
import { notifyProvisioningChange } from '../../protocols/provisioning-events';
import { invalidateRegionIndex } from '../../stats/region-index';
import { notifyTerritoryChanged } from '../../world/load-world';
import { applyRegistryToLive, type LiveRegistryRow } from './apply-registry-to-live';
import { isRunMadeHere } from './record-import-run';

/** How often a running server looks for imports committed by another process (`npm run import`). */
export const IMPORT_WATCH_MS = 5_000;

const REGISTRY_ROWS: Record<Exclude<RegistryKind, 'departments'>, string> = {
  cameras: 'SELECT id, name, program AS kind, lng, lat, stream_url AS streamUrl FROM cameras',
  vehicles: 'SELECT id, name, kind FROM vehicles',
  workers: 'SELECT id, name, role AS kind FROM workers',
};

/**
 * An import from the command line writes the database a running server reads: this notices its
 * `import_runs` row and refreshes what the server keeps in memory (territory caches, entity names and camera
 * positions), so the walls show it without a restart. Imports made by this process refreshed themselves.
 * Returns the stop function; it also stops by itself once the database is closed.
 */
export function watchImportRuns(deps: { db: Db; live: LiveState; logger: Logger }): () => void {
  const sqlite = deps.db.$client;
  const latest = () =>
    (sqlite.prepare('SELECT coalesce(max(id), 0) AS id FROM import_runs').get() as { id: number }).id;
  let seen = latest();
  const timer = setInterval(() => {
    if (!sqlite.open) return clearInterval(timer);
    try {
      const runs = sqlite
        .prepare('SELECT id, kind, actor FROM import_runs WHERE id > ? ORDER BY id')
        .all(seen) as { id: number; kind: string; actor: string }[];
      for (const run of runs) {
        seen = run.id;
        if (isRunMadeHere(deps.db, run.id)) continue;
        deps.logger.info(
          { run: run.id, kind: run.kind, actor: run.actor },
          'import by another process: refreshing',
        );
        if (run.kind === 'territory') notifyTerritoryChanged(deps.db);
        else if (run.kind in REGISTRY_ROWS) {
          const kind = run.kind as keyof typeof REGISTRY_ROWS;
          const rows = sqlite.prepare(REGISTRY_ROWS[kind]).all() as LiveRegistryRow[];
          applyRegistryToLive(deps.live, kind, rows);
          invalidateRegionIndex(deps.db);
          if (kind === 'vehicles') notifyProvisioningChange();
        }
      }
    } catch (err) {
      deps.logger.warn({ err }, 'checking for imports by another process failed');
    }
  }, IMPORT_WATCH_MS);
  timer.unref();
  return () => clearInterval(timer);
}
