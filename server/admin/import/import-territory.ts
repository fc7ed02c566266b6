import { IssueList, ImportFileError, type ImportResult } from '@/lib/import/issues';
import type { MultiPolygon } from '@/lib/import/polygon-check';
import { readTerritoryFile } from '@/lib/import/read-territory';
import {
  checkTerritory,
  type ExistingTerritory,
  type StoredLevel,
  type TerritoryFeature,
} from '@/lib/import/validate-territory';
import { sql } from 'drizzle-orm';
import type { RawTerritoryFeature } from '@/lib/import/read-territory';
import { inList, type SqlRunner } from '../../db/sql-db';
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
import { upsertRows } from './upsert-rows';
import { latestImportRun, retryStaleChecks, takeImportWrite, withImportLock } from './with-import-lock';

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

/** Codes read per query (one JSON parameter each, so no variable limit applies). */
const READ_CODES = 5_000;

async function inChunks<T>(codes: string[], read: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < codes.length; i += READ_CODES)
    out.push(...(await read(codes.slice(i, i + READ_CODES))));
  return out;
}

/**
 * The stored territory as the checks see it. The checks ask synchronously, once the whole file is read, about
 * the file's codes and their parents: the file's features pass through `features` on their way to the checks,
 * which notes their codes, and before the stream ends what the checks may ask about those codes is read (in
 * batches), so a province's stored grids are never all loaded. Asked about a code nobody noted, it throws:
 * an answer of "not stored" would refuse a good file.
 */
function existingTerritory(
  q: SqlRunner,
  source: AsyncIterable<RawTerritoryFeature>,
): { existing: ExistingTerritory; features: AsyncIterable<RawTerritoryFeature> } {
  const codes = new Set<string>();
  const communities = new Set<string>();
  const levels = new Map<string, StoredLevel>();
  const outlines = new Map<string, string | null>();
  const gridsByCommunity = new Map<string, { code: string; geometry: string }[]>();
  const note = (raw: unknown) => {
    const c = String(raw ?? '').trim();
    if (!/^\d{12}(\d{3})?$/.test(c)) return;
    codes.add(c);
    codes.add(`${c.slice(0, 9)}000`);
    codes.add(`${c.slice(0, 6)}000000`);
    codes.add(`${c.slice(0, 4)}00000000`);
    if (c.length === 15) {
      codes.add(c.slice(0, 12));
      communities.add(c.slice(0, 12));
    }
  };
  const prefetch = async () => {
    const regionCodes = [...codes].filter((c) => c.length === 12);
    const gridCodes = [...codes].filter((c) => c.length === 15);
    for (const r of await inChunks(regionCodes, (chunk) =>
      q.all<{ code: string; level: StoredLevel; geometry: string | null }>(
        sql`SELECT code, level, geometry FROM regions WHERE code IN ${inList(q, chunk)}`,
      ),
    )) {
      levels.set(r.code, r.level);
      if (r.level === 'community') outlines.set(r.code, r.geometry);
    }
    for (const g of await inChunks(gridCodes, (chunk) =>
      q.all<{ code: string }>(sql`SELECT code FROM grids WHERE code IN ${inList(q, chunk)}`),
    ))
      levels.set(g.code, 'grid');
    for (const c of communities) gridsByCommunity.set(c, []);
    for (const g of await inChunks([...communities], (chunk) =>
      q.all<{ code: string; community: string; geometry: string }>(
        sql`SELECT code, community_code AS "community", geometry FROM grids WHERE community_code IN ${inList(q, chunk)}`,
      ),
    ))
      gridsByCommunity.get(g.community)?.push({ code: g.code, geometry: g.geometry });
  };
  const known = (code: string) => {
    if (!codes.has(code)) throw new Error(`territory check asked about ${code}, which the file never led to`);
  };
  return {
    features: (async function* () {
      for await (const f of source) {
        note(f.code);
        yield f;
      }
      await prefetch();
    })(),
    existing: {
      levelOf: (code) => {
        known(code);
        return levels.get(code) ?? null;
      },
      communityOutline: (code) => {
        known(code);
        return levels.get(code) === 'community' ? polygonsOf(outlines.get(code) ?? null) : null;
      },
      gridsOf: (community) => {
        known(community);
        return (gridsByCommunity.get(community) ?? []).flatMap((g) => {
          const polygons = polygonsOf(g.geometry);
          return polygons ? [{ code: g.code, polygons }] : [];
        });
      },
    },
  };
}

type Change = 'created' | 'updated' | 'unchanged';

/** How each checked feature compares with what is stored under its code. */
async function classify(q: SqlRunner, features: TerritoryFeature[]): Promise<Change[]> {
  type Stored = { code: string; name: string; parent: string | null; geometry: string | null };
  const stored = new Map<string, Stored>();
  const codesOf = (isGrid: boolean) =>
    features.filter((f) => (f.level === 'grid') === isGrid).map((f) => f.code);
  for (const r of await inChunks(codesOf(false), (chunk) =>
    q.all<Stored>(
      sql`SELECT code, name, parent_code AS "parent", geometry FROM regions WHERE code IN ${inList(q, chunk)}`,
    ),
  ))
    stored.set(r.code, r);
  for (const r of await inChunks(codesOf(true), (chunk) =>
    q.all<Stored>(
      sql`SELECT code, name, community_code AS "parent", geometry FROM grids WHERE code IN ${inList(q, chunk)}`,
    ),
  ))
    stored.set(r.code, r);
  return features.map((f) => {
    const row = stored.get(f.code);
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
  return withImportLock(ctx.sql, () => retryStaleChecks(() => attemptTerritory(ctx, file, opts)));
}

async function attemptTerritory(
  ctx: ImportContext,
  file: ImportFile,
  opts: ImportOptions,
): Promise<ImportResult> {
  const db = ctx.sql;
  const seen = await latestImportRun(db);
  const errors = new IssueList();
  const warnings = new IssueList();
  const sha256 = sha256Of(file.bytes);
  const result = importResultBuilder('territory', file, opts, sha256, { errors, warnings });
  let features: TerritoryFeature[] = [];
  try {
    const parsed = await readTerritoryFile(file.bytes);
    const stored = existingTerritory(db, parsed.features);
    features = (await checkTerritory(stored.features, parsed.crs, stored.existing, { errors, warnings }))
      .features;
    if (features.length === 0 && errors.count === 0) errors.add('file', '文件中没有可导入的区划或网格');
  } catch (err) {
    if (!(err instanceof ImportFileError)) throw err;
    errors.add(err.at, err.message);
  }
  if (errors.count > 0) {
    if (!opts.dryRun)
      await auditRefusedImport(ctx, { kind: 'territory', fileName: file.name, sha256 }, errors.count);
    return result({ ok: false });
  }

  const changes = await classify(db, features);
  const counts = { created: 0, updated: 0, unchanged: 0 };
  for (const c of changes) counts[c]++;
  const listed = new Set(features.map((f) => f.code));
  const count = async (table: 'regions' | 'grids') =>
    Number((await db.get<{ n: number | string }>(sql`SELECT count(*) AS n FROM ${sql.raw(table)}`))!.n);
  const stored = (await count('regions')) + (await count('grids'));
  const kept = stored - (counts.updated + counts.unchanged);
  if (kept > 0) warnings.add('file', `数据库中另有 ${kept} 个区划或网格不在本文件中：保持不变（未删除）`);

  const storedGrids = () => db.all<{ code: string; geometry: string }>(sql`SELECT code, geometry FROM grids`);
  if (opts.dryRun) {
    const locator = new GridLocator([
      ...(await storedGrids()).filter((g) => !listed.has(g.code)),
      ...features.filter((f) => f.level === 'grid').map((f) => ({ code: f.code, geometry: f.geometry })),
    ]);
    for (const w of await findUnplacedEntities(db, locator, ctx.live)) warnings.add(w.at, w.message);
    return result(counts);
  }

  const runId = await writeTerritory(ctx, seen, features, changes, {
    fileName: file.name,
    sha256,
    ...counts,
  });
  // The running app's territory caches listen on its SqlDb (none do on the command line).
  await notifyTerritoryChanged(ctx.sql);
  const locator = ctx.grids?.() ?? new GridLocator(await storedGrids());
  for (const w of await findUnplacedEntities(db, locator, ctx.live)) warnings.add(w.at, w.message);
  return result({ ...counts, runId });
}

async function writeTerritory(
  ctx: ImportContext,
  seen: number,
  features: TerritoryFeature[],
  changes: Change[],
  run: { fileName: string | null; sha256: string; created: number; updated: number; unchanged: number },
): Promise<number> {
  const changed = features.filter((_, k) => changes[k] !== 'unchanged');
  return ctx.sql.transaction(async (tx) => {
    await takeImportWrite(tx, seen);
    await upsertRows(tx, {
      table: 'regions',
      key: 'code',
      columns: ['code', 'parent_code', 'level', 'name', 'geometry', 'center_lng', 'center_lat'],
      update: ['parent_code', 'level', 'name', 'geometry', 'center_lng', 'center_lat'],
      rows: changed
        .filter((f) => f.level !== 'grid')
        .map((f) => [f.code, f.parentCode, f.level, f.name, f.geometry, f.center[0], f.center[1]]),
    });
    await upsertRows(tx, {
      table: 'grids',
      key: 'code',
      columns: ['code', 'community_code', 'name', 'geometry', 'center_lng', 'center_lat'],
      update: ['community_code', 'name', 'geometry', 'center_lng', 'center_lat'],
      rows: changed
        .filter((f) => f.level === 'grid')
        .map((f) => [f.code, f.parentCode, f.name, f.geometry, f.center[0], f.center[1]]),
    });
    // A city imported above districts already stored becomes their parent.
    for (const f of changed)
      if (f.level === 'city')
        await tx.run(
          sql`UPDATE regions SET parent_code = ${f.code}
              WHERE level = 'district' AND parent_code IS NULL AND substr(code, 1, 4) = ${f.code.slice(0, 4)}`,
        );
    if (run.created + run.updated > 0) await regridCameras(tx);
    await refreshWorldInfo(tx, ctx.clock.now(), { isTerritory: true });
    return recordImportRun(tx, ctx, { kind: 'territory', ...run });
  });
}

/** Cameras whose grid changes per UPDATE (two parameters each). */
const REGRID_BATCH = 500;

/** A camera's grid follows from its position: with new or moved grids, each positioned camera is looked up again. */
async function regridCameras(tx: SqlRunner): Promise<void> {
  const locator = new GridLocator(
    await tx.all<{ code: string; geometry: string }>(sql`SELECT code, geometry FROM grids`),
  );
  const moved: [string, string][] = [];
  for (const c of await tx.all<{ id: string; lng: number; lat: number; grid: string | null }>(
    sql`SELECT id, lng, lat, grid_code AS "grid" FROM cameras WHERE lng IS NOT NULL AND lat IS NOT NULL`,
  )) {
    const g = locator.locate(c.lng, c.lat);
    // Outside every grid it keeps the grid it had: reported by the import, not cleared.
    if (g !== null && g !== c.grid) moved.push([c.id, g]);
  }
  // VALUES names its columns column1, column2 on both engines.
  for (let i = 0; i < moved.length; i += REGRID_BATCH) {
    const values = moved.slice(i, i + REGRID_BATCH).map(([id, g]) => sql`(${id}, ${g})`);
    await tx.run(
      sql`UPDATE cameras SET grid_code = v.column2 FROM (VALUES ${sql.join(values, sql`, `)}) AS v
          WHERE cameras.id = v.column1`,
    );
  }
}
