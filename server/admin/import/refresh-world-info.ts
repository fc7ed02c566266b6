import type { BasemapFeatures, WorldInfo } from '@/lib/world/world-types';
import { sql } from 'drizzle-orm';
import type { SqlRunner } from '../../db/sql-db';
import { WORLD_META_KEYS } from '../../world/world-meta';

const LEVELS = ['city', 'district', 'town', 'community'] as const;

function extendBox(box: number[], geometryText: string): void {
  const walk = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number') {
      const [x, y] = c as [number, number];
      if (x < box[0]!) box[0] = x;
      if (y < box[1]!) box[1] = y;
      if (x > box[2]!) box[2] = x;
      if (y > box[3]!) box[3] = y;
    } else if (Array.isArray(c)) for (const k of c) walk(k);
  };
  try {
    walk((JSON.parse(geometryText) as { coordinates: unknown }).coordinates);
  } catch {
    // A stored geometry we cannot read adds nothing to the box.
  }
}

/**
 * Rewrites the world info (`meta` world.info: name, bbox, centre, root code, counts) from the stored
 * territory, so /api/map/world.json, the basemap style and the wall titles follow an import. A generated demo
 * world keeps its seed and road counts; an imported one gets empty basemap features (land and boundaries come
 * from the regions themselves) so the built-in basemap draws; a registry import updates only the counts.
 * Runs inside the import's transaction.
 */
async function readMeta<T>(q: SqlRunner, key: string): Promise<T | null> {
  const row = await q.get<{ value: string }>(sql`SELECT value FROM meta WHERE key = ${key}`);
  return row ? (JSON.parse(row.value) as T) : null;
}

async function writeMeta(q: SqlRunner, key: string, value: unknown, now: number): Promise<void> {
  await q.run(
    sql`INSERT INTO meta (key, value, updated_at) VALUES (${key}, ${JSON.stringify(value)}, ${now})
        ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  );
}

type Place = { code: string; name: string; lng: number | null; lat: number | null };

export async function refreshWorldInfo(
  q: SqlRunner,
  now: number,
  opts: { isTerritory: boolean },
): Promise<WorldInfo | null> {
  const prev = await readMeta<WorldInfo>(q, WORLD_META_KEYS.info);
  const count = async (query: ReturnType<typeof sql>): Promise<number> =>
    Number((await q.get<{ n: number | string }>(query))!.n);
  const registryCounts = async () => ({
    departments: await count(sql`SELECT count(*) AS n FROM departments`),
    vehicles: await count(sql`SELECT count(*) AS n FROM vehicles`),
    workers: await count(sql`SELECT count(*) AS n FROM workers`),
    cameras: await count(sql`SELECT count(*) AS n FROM cameras`),
  });
  // A registry import changes only the counts.
  if (!opts.isTerritory) {
    if (!prev) return null;
    const info: WorldInfo = { ...prev, counts: { ...prev.counts, ...(await registryCounts()) } };
    await writeMeta(q, WORLD_META_KEYS.info, info, now);
    return info;
  }
  const byLevel = {} as Record<(typeof LEVELS)[number], number>;
  for (const l of LEVELS) byLevel[l] = await count(sql`SELECT count(*) AS n FROM regions WHERE level = ${l}`);
  const grids = await count(sql`SELECT count(*) AS n FROM grids`);
  if (grids === 0 && Object.values(byLevel).every((n) => n === 0)) return prev;

  // The box from the coarsest level that has outlines: a province's 120k grids need not be parsed.
  const box = [Infinity, Infinity, -Infinity, -Infinity];
  for (const level of [...LEVELS, 'grid'] as const) {
    const rows = await q.all<{ geometry: string }>(
      level === 'grid'
        ? sql`SELECT geometry FROM grids`
        : sql`SELECT geometry FROM regions WHERE level = ${level} AND geometry IS NOT NULL`,
    );
    for (const r of rows) extendBox(box, r.geometry);
    if (box[0]! <= box[2]!) break;
  }
  if (!(box[0]! <= box[2]!)) return prev;

  // The top: the root (a region whose parent is not stored), descended while it has a single child.
  const roots = await q.all<Place>(
    sql`SELECT code, name, center_lng AS "lng", center_lat AS "lat" FROM regions
        WHERE parent_code IS NULL OR parent_code NOT IN (SELECT code FROM regions)`,
  );
  let top = roots.length === 1 ? roots[0]! : null;
  while (top) {
    const kids = await q.all<Place>(
      sql`SELECT code, name, center_lng AS "lng", center_lat AS "lat" FROM regions WHERE parent_code = ${top.code} LIMIT 2`,
    );
    if (kids.length !== 1) break;
    top = kids[0]!;
  }
  const bbox = box as [number, number, number, number];
  const info: WorldInfo = {
    seed: prev?.seed ?? 'import',
    // A generated (demo) world keeps its own name; an imported one is named after its top region.
    name: prev && prev.seed !== 'import' ? prev.name : (top?.name ?? prev?.name ?? '全域'),
    center:
      top && top.lng !== null && top.lat !== null
        ? [top.lng, top.lat]
        : [(bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2],
    bbox,
    rootCode: top?.code ?? null,
    counts: {
      cities: byLevel.city,
      districts: byLevel.district,
      towns: byLevel.town,
      communities: byLevel.community,
      grids,
      ...(await registryCounts()),
      roadNodes: prev?.counts.roadNodes ?? 0,
      roadEdges: prev?.counts.roadEdges ?? 0,
    },
  };
  if (!(await readMeta<BasemapFeatures>(q, WORLD_META_KEYS.features))) {
    const none: BasemapFeatures = { rivers: [], lakes: [], parks: [], pois: [], roads: [] };
    await writeMeta(q, WORLD_META_KEYS.features, none, now);
  }
  await writeMeta(q, WORLD_META_KEYS.info, info, now);
  return info;
}
