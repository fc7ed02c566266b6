import type { BasemapFeatures, WorldInfo } from '@/lib/world/world-types';
import type { Db } from '../../db/open-database';
import { readMetaJson, WORLD_META_KEYS, writeMetaJson } from '../../world/world-meta';

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
export function refreshWorldInfo(db: Db, now: number, opts: { isTerritory: boolean }): WorldInfo | null {
  const sqlite = db.$client;
  const prev = readMetaJson<WorldInfo>(db, WORLD_META_KEYS.info);
  const count = (sql: string): number => (sqlite.prepare(sql).get() as { n: number }).n;
  // A registry import changes only the counts.
  if (!opts.isTerritory) {
    if (!prev) return null;
    const info: WorldInfo = {
      ...prev,
      counts: {
        ...prev.counts,
        departments: count('SELECT count(*) AS n FROM departments'),
        vehicles: count('SELECT count(*) AS n FROM vehicles'),
        workers: count('SELECT count(*) AS n FROM workers'),
        cameras: count('SELECT count(*) AS n FROM cameras'),
      },
    };
    writeMetaJson(db, WORLD_META_KEYS.info, info, now);
    return info;
  }
  const byLevel = Object.fromEntries(
    LEVELS.map((l) => [l, count(`SELECT count(*) AS n FROM regions WHERE level = '${l}'`)]),
  ) as Record<(typeof LEVELS)[number], number>;
  const grids = count('SELECT count(*) AS n FROM grids');
  if (grids === 0 && Object.values(byLevel).every((n) => n === 0)) return prev;

  // The box from the coarsest level that has outlines: a province's 120k grids need not be parsed.
  const box = [Infinity, Infinity, -Infinity, -Infinity];
  for (const level of [...LEVELS, 'grid'] as const) {
    const rows = (
      level === 'grid'
        ? sqlite.prepare('SELECT geometry FROM grids')
        : sqlite.prepare('SELECT geometry FROM regions WHERE level = ? AND geometry IS NOT NULL').bind(level)
    ).iterate() as Iterable<{ geometry: string }>;
    for (const r of rows) extendBox(box, r.geometry);
    if (box[0]! <= box[2]!) break;
  }
  if (!(box[0]! <= box[2]!)) return prev;

  // The top: the root (a region whose parent is not stored), descended while it has a single child.
  const roots = sqlite
    .prepare(
      `SELECT code, name, center_lng AS lng, center_lat AS lat FROM regions
       WHERE parent_code IS NULL OR parent_code NOT IN (SELECT code FROM regions) ORDER BY code`,
    )
    .all() as { code: string; name: string; lng: number | null; lat: number | null }[];
  let top = roots.length === 1 ? roots[0]! : null;
  const childrenOf = sqlite.prepare(
    'SELECT code, name, center_lng AS lng, center_lat AS lat FROM regions WHERE parent_code = ? LIMIT 2',
  );
  while (top) {
    const kids = childrenOf.all(top.code) as typeof roots;
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
      departments: count('SELECT count(*) AS n FROM departments'),
      vehicles: count('SELECT count(*) AS n FROM vehicles'),
      workers: count('SELECT count(*) AS n FROM workers'),
      cameras: count('SELECT count(*) AS n FROM cameras'),
      roadNodes: prev?.counts.roadNodes ?? 0,
      roadEdges: prev?.counts.roadEdges ?? 0,
    },
  };
  if (!readMetaJson<BasemapFeatures>(db, WORLD_META_KEYS.features)) {
    const none: BasemapFeatures = { rivers: [], lakes: [], parks: [], pois: [], roads: [] };
    writeMetaJson(db, WORLD_META_KEYS.features, none, now);
  }
  writeMetaJson(db, WORLD_META_KEYS.info, info, now);
  return info;
}
