import { IssueList, ImportFileError, type ImportResult } from '@/lib/import/issues';
import type { MultiPolygon } from '@/lib/import/polygon-check';
import { readTerritoryFile } from '@/lib/import/read-territory';
import {
  checkTerritory,
  type ExistingTerritory,
  type StoredLevel,
  type TerritoryFeature,
} from '@/lib/import/validate-territory';
import type { Db } from '../../db/open-database';
import { GridLocator } from '../../live/grid-locator';
import { notifyTerritoryChanged } from '../../world/load-world';
import { findUnplacedEntities } from './find-unplaced-entities';
import {
  importResultBuilder,
  type ImportContext,
  type ImportFile,
  type ImportOptions,
} from './import-context';
import { auditRefusedImport, recordImportRun, sha256Of } from './record-import-run';
import { refreshWorldInfo } from './refresh-world-info';
import { withImportLock } from './with-import-lock';

function polygonsOf(text: string | null): MultiPolygon | null {
  if (!text) return null;
  try {
    const g = JSON.parse(text) as { type: string; coordinates: unknown };
    if (g.type === 'Polygon') return [g.coordinates as MultiPolygon[number]];
    if (g.type === 'MultiPolygon') return g.coordinates as MultiPolygon;
  } catch {
    // unreadable stored geometry: no outline to check against
  }
  return null;
}

/** The stored territory as the checks see it (prepared statements, one row at a time). */
function existingTerritory(db: Db): ExistingTerritory {
  const sqlite = db.$client;
  const region = sqlite.prepare('SELECT level, geometry FROM regions WHERE code = ?');
  const grid = sqlite.prepare('SELECT 1 FROM grids WHERE code = ?');
  const gridsOf = sqlite.prepare('SELECT code, geometry FROM grids WHERE community_code = ?');
  return {
    levelOf: (code) =>
      code.length === 15
        ? grid.get(code)
          ? 'grid'
          : null
        : (((region.get(code) as { level: string } | undefined)?.level as StoredLevel | undefined) ?? null),
    communityOutline: (code) => {
      const r = region.get(code) as { level: string; geometry: string | null } | undefined;
      return r?.level === 'community' ? polygonsOf(r.geometry) : null;
    },
    gridsOf: (community) =>
      (gridsOf.all(community) as { code: string; geometry: string }[]).flatMap((g) => {
        const polygons = polygonsOf(g.geometry);
        return polygons ? [{ code: g.code, polygons }] : [];
      }),
  };
}

type Change = 'created' | 'updated' | 'unchanged';

/** How each checked feature compares with what is stored under its code. */
function classify(db: Db, features: TerritoryFeature[]): Change[] {
  const sqlite = db.$client;
  const region = sqlite.prepare('SELECT name, parent_code AS parent, geometry FROM regions WHERE code = ?');
  const grid = sqlite.prepare('SELECT name, community_code AS parent, geometry FROM grids WHERE code = ?');
  return features.map((f) => {
    const row = (f.level === 'grid' ? grid : region).get(f.code) as
      { name: string; parent: string | null; geometry: string | null } | undefined;
    if (!row) return 'created';
    return row.name === f.name && row.parent === f.parentCode && row.geometry === f.geometry
      ? 'unchanged'
      : 'updated';
  });
}

/**
 * `npm run import -- territory` and `POST /api/admin/import/territory`: reads a GeoJSON or zipped Shapefile,
 * checks every feature (errors name the feature's index and code), and only when nothing is wrong upserts the
 * regions and grids by code in one transaction with its import run and audit record. What the file does not
 * list stays. A re-import of the same file changes nothing. Afterwards every cache of the territory is
 * rebuilt (the walls' areas, stats, grid lookup, basemap, world info) and entities left outside every grid are
 * listed as warnings.
 */
export function importTerritory(
  ctx: ImportContext,
  file: ImportFile,
  opts: ImportOptions,
): Promise<ImportResult> {
  return withImportLock(ctx.db, async () => {
    const { db } = ctx;
    const errors = new IssueList();
    const warnings = new IssueList();
    const sha256 = sha256Of(file.bytes);
    const result = importResultBuilder('territory', file, opts, sha256, { errors, warnings });
    let features: TerritoryFeature[] = [];
    try {
      const parsed = await readTerritoryFile(file.bytes);
      features = (
        await checkTerritory(parsed.features, parsed.crs, existingTerritory(db), { errors, warnings })
      ).features;
      if (features.length === 0 && errors.count === 0) errors.add('file', '文件中没有可导入的区划或网格');
    } catch (err) {
      if (!(err instanceof ImportFileError)) throw err;
      errors.add(err.at, err.message);
    }
    if (errors.count > 0) {
      if (!opts.dryRun)
        auditRefusedImport(ctx, { kind: 'territory', fileName: file.name, sha256 }, errors.count);
      return result({ ok: false });
    }

    const changes = classify(db, features);
    const counts = { created: 0, updated: 0, unchanged: 0 };
    for (const c of changes) counts[c]++;
    const listed = new Set(features.map((f) => f.code));
    const stored =
      (db.$client.prepare('SELECT count(*) AS n FROM regions').get() as { n: number }).n +
      (db.$client.prepare('SELECT count(*) AS n FROM grids').get() as { n: number }).n;
    const kept = stored - (counts.updated + counts.unchanged);
    if (kept > 0) warnings.add('file', `数据库中另有 ${kept} 个区划或网格不在本文件中：保持不变（未删除）`);

    if (opts.dryRun) {
      const locator = new GridLocator([
        ...(
          db.$client.prepare('SELECT code, geometry FROM grids').all() as { code: string; geometry: string }[]
        ).filter((g) => !listed.has(g.code)),
        ...features.filter((f) => f.level === 'grid').map((f) => ({ code: f.code, geometry: f.geometry })),
      ]);
      for (const w of findUnplacedEntities(db, locator, ctx.live)) warnings.add(w.at, w.message);
      return result(counts);
    }

    const runId = writeTerritory(ctx, features, changes, { fileName: file.name, sha256, ...counts });
    await notifyTerritoryChanged(db);
    const locator =
      ctx.grids?.() ??
      new GridLocator(
        db.$client.prepare('SELECT code, geometry FROM grids').all() as { code: string; geometry: string }[],
      );
    for (const w of findUnplacedEntities(db, locator, ctx.live)) warnings.add(w.at, w.message);
    return result({ ...counts, runId });
  });
}

function writeTerritory(
  ctx: ImportContext,
  features: TerritoryFeature[],
  changes: Change[],
  run: { fileName: string | null; sha256: string; created: number; updated: number; unchanged: number },
): number {
  const sqlite = ctx.db.$client;
  const upsertRegion = sqlite.prepare(
    `INSERT INTO regions (code, parent_code, level, name, geometry, center_lng, center_lat)
     VALUES (@code, @parentCode, @level, @name, @geometry, @lng, @lat)
     ON CONFLICT(code) DO UPDATE SET parent_code = excluded.parent_code, level = excluded.level,
       name = excluded.name, geometry = excluded.geometry, center_lng = excluded.center_lng,
       center_lat = excluded.center_lat`,
  );
  const upsertGrid = sqlite.prepare(
    `INSERT INTO grids (code, community_code, name, geometry, center_lng, center_lat)
     VALUES (@code, @parentCode, @name, @geometry, @lng, @lat)
     ON CONFLICT(code) DO UPDATE SET community_code = excluded.community_code, name = excluded.name,
       geometry = excluded.geometry, center_lng = excluded.center_lng, center_lat = excluded.center_lat`,
  );
  // A city imported above districts already stored becomes their parent.
  const adoptDistricts = sqlite.prepare(
    `UPDATE regions SET parent_code = ? WHERE level = 'district' AND parent_code IS NULL AND substr(code, 1, 4) = ?`,
  );
  return sqlite
    .transaction(() => {
      features.forEach((f, k) => {
        if (changes[k] === 'unchanged') return;
        const row = { ...f, lng: f.center[0], lat: f.center[1] };
        if (f.level === 'grid') upsertGrid.run(row);
        else upsertRegion.run(row);
        if (f.level === 'city') adoptDistricts.run(f.code, f.code.slice(0, 4));
      });
      if (run.created + run.updated > 0) regridCameras(ctx.db);
      refreshWorldInfo(ctx.db, ctx.clock.now(), { isTerritory: true });
      return recordImportRun(ctx, { kind: 'territory', ...run });
    })
    .immediate();
}

/** A camera's grid follows from its position: with new or moved grids, each positioned camera is looked up again. */
function regridCameras(db: Db): void {
  const sqlite = db.$client;
  const locator = new GridLocator(
    sqlite.prepare('SELECT code, geometry FROM grids').all() as { code: string; geometry: string }[],
  );
  const set = sqlite.prepare('UPDATE cameras SET grid_code = ? WHERE id = ?');
  const moved: [string, string][] = [];
  for (const c of sqlite
    .prepare('SELECT id, lng, lat, grid_code AS grid FROM cameras WHERE lng IS NOT NULL AND lat IS NOT NULL')
    .iterate() as Iterable<{ id: string; lng: number; lat: number; grid: string | null }>) {
    const g = locator.locate(c.lng, c.lat);
    // Outside every grid it keeps the grid it had: reported by the import, not cleared.
    if (g !== null && g !== c.grid) moved.push([g, c.id]);
  }
  for (const [g, id] of moved) set.run(g, id);
}
