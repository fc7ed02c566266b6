import { sql, type SQL } from 'drizzle-orm';
import type { WorldInfo } from '@/lib/world/world-types';
import type { SqlRunner } from '../db/sql-db';
import { onTerritoryChanged } from '../world/load-world';
import { WORLD_META_KEYS } from '../world/world-meta';

/** The region tree and which grid each camera/worker sits in change only when the world is re-seeded or a
 * device registers; re-read them at most this often rather than on every stats tick. */
export const REGION_INDEX_TTL_MS = 60_000;
/** Device rows read per statement: a province's 2 M cameras are read in pages, never held as rows at once. */
export const REGION_INDEX_PAGE_ROWS = 20_000;

export interface RegionNode {
  code: string;
  parentCode: string | null;
  level: string;
  name: string;
  bbox: [number, number, number, number] | null;
}

export interface RegionIndex {
  at: number;
  worldName: string;
  byCode: Map<string, RegionNode>;
  childrenOf: Map<string | null, RegionNode[]>;
  /** The node a whole-territory wall stands for: the root, descended while it has a single child. */
  top: RegionNode | null;
  /** Every grid code, in byte order; devices point into it by position (a province has 120k grids). */
  gridCodes: string[];
  /** Grid (index into gridCodes, -1 none) of each camera / worker by the live store's dense index. Typed
   * arrays, not Maps of ids: a province's 2 M cameras cost 8 MB here instead of hundreds. */
  cameraGrid: Int32Array;
  workerGrid: Int32Array;
}

/** The part of the live state the index maps devices through. */
export interface DeviceStores {
  camera: { count: number; indexOf(id: string): number | undefined };
  worker: { count: number; indexOf(id: string): number | undefined };
}

interface CacheEntry {
  index?: RegionIndex;
  /** The build in flight, shared by every caller meanwhile, and the generation it began in. */
  building?: { promise: Promise<RegionIndex>; generation: number };
  /** Bumped by invalidateRegionIndex: a build begun before it is neither kept nor handed out. */
  generation: number;
}

const cache = new WeakMap<SqlRunner, CacheEntry>();

/**
 * Codes in byte order on either engine (PostgreSQL would otherwise sort by the database's collation, zh-CN
 * in the field): the children lists, and so every figure listed per child, come out alike on both.
 */
export function byteOrder(db: SqlRunner): SQL {
  return db.dialect === 'postgres' ? sql` COLLATE "C"` : sql``;
}

function bboxOf(geometryText: string | null): [number, number, number, number] | null {
  if (!geometryText) return null;
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  const walk = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number') {
      const [x, y] = c as [number, number];
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    } else if (Array.isArray(c)) for (const k of c) walk(k);
  };
  try {
    walk((JSON.parse(geometryText) as { coordinates: unknown }).coordinates);
  } catch {
    return null;
  }
  return minX <= maxX ? [minX, minY, maxX, maxY] : null;
}

function isFresh(idx: RegionIndex, now: number, stores: DeviceStores): boolean {
  // Devices registered since (a store grew) need their grid too.
  return (
    now - idx.at < REGION_INDEX_TTL_MS &&
    idx.cameraGrid.length === stores.camera.count &&
    idx.workerGrid.length === stores.worker.count
  );
}

/**
 * The index of this database, rebuilt when older than REGION_INDEX_TTL_MS, when a store grew, and after
 * invalidateRegionIndex (an import); one build at a time, shared by whoever asks meanwhile.
 */
export async function regionIndex(db: SqlRunner, now: number, stores: DeviceStores): Promise<RegionIndex> {
  let entry = cache.get(db);
  if (!entry) cache.set(db, (entry = { generation: 0 }));
  if (entry.index && isFresh(entry.index, now, stores)) return entry.index;
  if (entry.building?.generation === entry.generation) return entry.building.promise;
  const e = entry;
  const generation = e.generation;
  const promise: Promise<RegionIndex> = buildRegionIndex(db, now, stores)
    .then((idx) => {
      if (e.generation === generation) e.index = idx;
      return idx;
    })
    .finally(() => {
      if (e.building?.promise === promise) e.building = undefined;
    });
  e.building = { promise, generation };
  return promise;
}

/** Drops this database's index whenever its territory changes (an import, here or in another process). */
export function followTerritory(db: SqlRunner): void {
  if (followed.has(db)) return;
  followed.add(db);
  onTerritoryChanged(db, () => invalidateRegionIndex(db));
}
const followed = new WeakSet<SqlRunner>();

async function buildRegionIndex(db: SqlRunner, now: number, stores: DeviceStores): Promise<RegionIndex> {
  const byCode = new Map<string, RegionNode>();
  const childrenOf = new Map<string | null, RegionNode[]>();
  const add = (n: RegionNode) => {
    byCode.set(n.code, n);
    const list = childrenOf.get(n.parentCode) ?? [];
    list.push(n);
    childrenOf.set(n.parentCode, list);
  };
  const regions = await db.all<{
    code: string;
    parentCode: string | null;
    level: string;
    name: string;
    geometry: string | null;
  }>(
    sql`SELECT code, parent_code AS "parentCode", level, name, geometry FROM regions ORDER BY code${byteOrder(db)}`,
  );
  for (const r of regions)
    add({ code: r.code, parentCode: r.parentCode, level: r.level, name: r.name, bbox: bboxOf(r.geometry) });
  const grids = await db.all<{ code: string; parentCode: string; name: string; geometry: string }>(
    sql`SELECT code, community_code AS "parentCode", name, geometry FROM grids ORDER BY code${byteOrder(db)}`,
  );
  for (const g of grids)
    add({ code: g.code, parentCode: g.parentCode, level: 'grid', name: g.name, bbox: bboxOf(g.geometry) });

  let top: RegionNode | null = null;
  let level = childrenOf.get(null) ?? [];
  while (level.length === 1) {
    top = level[0]!;
    level = childrenOf.get(top.code) ?? [];
  }
  const gridCodes = grids.map((g) => g.code);
  const gridPos = new Map(gridCodes.map((c, k) => [c, k]));
  const devices = async (
    table: 'cameras' | 'workers',
    store: DeviceStores['camera'],
  ): Promise<Int32Array> => {
    const out = new Int32Array(store.count).fill(-1);
    // Keyset pages in the column's own order (its index), which `id > after` agrees with on either engine.
    let after = '';
    for (;;) {
      const rows = await db.all<{ id: string; g: string | null }>(
        sql`SELECT id, grid_code AS "g" FROM ${sql.raw(table)} WHERE id > ${after} ORDER BY id
            LIMIT ${REGION_INDEX_PAGE_ROWS}`,
      );
      for (const r of rows) {
        const i = store.indexOf(r.id);
        if (i !== undefined && i < out.length && r.g) out[i] = gridPos.get(r.g) ?? -1;
      }
      if (rows.length < REGION_INDEX_PAGE_ROWS) return out;
      after = rows[rows.length - 1]!.id;
    }
  };
  const cameraGrid = await devices('cameras', stores.camera);
  const workerGrid = await devices('workers', stores.worker);
  const info = await db.get<{ value: string }>(
    sql`SELECT value FROM meta WHERE key = ${WORLD_META_KEYS.info}`,
  );
  let worldName: string | undefined;
  try {
    worldName = info ? (JSON.parse(info.value) as WorldInfo).name : undefined;
  } catch {
    worldName = undefined; // a damaged row names nothing; the top region does
  }
  return {
    at: now,
    worldName: worldName ?? top?.name ?? '全域',
    byCode,
    childrenOf,
    top,
    gridCodes,
    cameraGrid,
    workerGrid,
  };
}

/**
 * Drops the cached index (a registry import moved cameras or workers between grids; a territory import
 * changed the areas).
 */
export function invalidateRegionIndex(db: SqlRunner): void {
  const entry = cache.get(db);
  if (!entry) return;
  entry.index = undefined;
  entry.generation++;
}

/** The scope's node and its ancestors, outermost first. */
export function pathTo(idx: RegionIndex, code: string): RegionNode[] {
  const out: RegionNode[] = [];
  let n = idx.byCode.get(code);
  while (n) {
    out.unshift(n);
    n = n.parentCode ? idx.byCode.get(n.parentCode) : undefined;
  }
  return out;
}
