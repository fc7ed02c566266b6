import { sql, type SQL } from 'drizzle-orm';
import type { WorldInfo } from '@/lib/world/world-types';
import type { SqlRunner } from '../db/sql-db';
import { tablePages, yieldToLoop, type PagedTable } from '../db/table-pages';
import { onTerritoryChanged } from '../world/load-world';
import { WORLD_META_KEYS } from '../world/world-meta';

/**
 * A whole rebuild this often at most, in the background while the old index keeps serving: a safety net for
 * a device row written after its unit reached the live state. The territory and device registries change
 * through imports, which drop the index at once (invalidateRegionIndex), and a unit registered since is
 * looked up by itself (grown stores), so nothing waits for this.
 */
export const REGION_INDEX_REFRESH_MS = 10 * 60_000;
/** Device rows read per statement: a province's 2 M cameras are read in pages, never held as rows at once. */
export const REGION_INDEX_PAGE_ROWS = 20_000;
/** Region and grid rows per statement: each carries its polygon (a province's grids are ~45 MB of GeoJSON). */
export const REGION_INDEX_AREA_PAGE_ROWS = 5_000;
/** Ids looked up per statement for units registered since the index was built. */
export const REGION_INDEX_GROWN_IDS = 500;

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
  /** Position of each grid code in gridCodes. */
  gridPos: Map<string, number>;
  /** Grid (index into gridCodes, -1 none) of each camera / worker by the live store's dense index. Typed
   * arrays, not Maps of ids: a province's 2 M cameras cost 8 MB here instead of hundreds. */
  cameraGrid: Int32Array;
  workerGrid: Int32Array;
}

/** The part of the live state the index maps devices through (the live state's entity stores). */
export interface DeviceStore {
  count: number;
  indexOf(id: string): number | undefined;
  /** The ids of entities [from, to). */
  idsIn(from: number, to: number): string[];
}
export interface DeviceStores {
  camera: DeviceStore;
  worker: DeviceStore;
}

interface CacheEntry {
  index?: RegionIndex;
  /** The build in flight, shared by every caller meanwhile, and the generation it began in. */
  building?: { promise: Promise<RegionIndex>; generation: number };
  /** Units registered since the build, being looked up (shared by every caller meanwhile). */
  growing?: Promise<void>;
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

/**
 * The index of this database: built once, then kept until an import drops it (invalidateRegionIndex), with
 * units registered since looked up by id, and rebuilt in the background after REGION_INDEX_REFRESH_MS. A
 * province's build reads ~2.5 M rows (12.5 s on one core); it once ran every minute inside the event loop,
 * which then stood still for 13–21 s each time (issue 20: walls lost, the Redis subscription dropped).
 */
export async function regionIndex(db: SqlRunner, now: number, stores: DeviceStores): Promise<RegionIndex> {
  let entry = cache.get(db);
  if (!entry) cache.set(db, (entry = { generation: 0 }));
  const idx = entry.index;
  if (!idx)
    return entry.building?.generation === entry.generation
      ? entry.building.promise
      : build(db, entry, now, stores);
  if (now - idx.at >= REGION_INDEX_REFRESH_MS && entry.building?.generation !== entry.generation)
    // The old index serves meanwhile; a failed rebuild is tried again at the next call.
    build(db, entry, now, stores).catch(() => {});
  if (idx.cameraGrid.length < stores.camera.count || idx.workerGrid.length < stores.worker.count) {
    const e = entry;
    e.growing ??= addGrownDevices(db, idx, stores).finally(() => {
      e.growing = undefined;
    });
    await e.growing;
  }
  return idx;
}

function build(db: SqlRunner, e: CacheEntry, now: number, stores: DeviceStores): Promise<RegionIndex> {
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

async function eachPage<T>(
  db: SqlRunner,
  table: PagedTable,
  key: 'id' | 'code',
  columns: SQL,
  pageRows: number,
  onRows: (rows: T[]) => void,
): Promise<void> {
  for await (const rows of tablePages<T>(db, table, key, columns, pageRows)) onRows(rows);
}

/** Byte order of ASCII codes (region codes are digits), as SQLite's and PostgreSQL's "C" collation sort. */
const byCode = (a: { code: string }, b: { code: string }) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);

async function buildRegionIndex(db: SqlRunner, now: number, stores: DeviceStores): Promise<RegionIndex> {
  const nodes: RegionNode[] = [];
  await eachPage<{
    code: string;
    parentCode: string | null;
    level: string;
    name: string;
    geometry: string | null;
  }>(
    db,
    'regions',
    'code',
    sql`code, parent_code AS "parentCode", level, name, geometry`,
    REGION_INDEX_AREA_PAGE_ROWS,
    (rows) => {
      for (const r of rows)
        nodes.push({
          code: r.code,
          parentCode: r.parentCode,
          level: r.level,
          name: r.name,
          bbox: bboxOf(r.geometry),
        });
    },
  );
  const grids: RegionNode[] = [];
  await eachPage<{ code: string; parentCode: string; name: string; geometry: string }>(
    db,
    'grids',
    'code',
    sql`code, community_code AS "parentCode", name, geometry`,
    REGION_INDEX_AREA_PAGE_ROWS,
    (rows) => {
      for (const g of rows)
        grids.push({
          code: g.code,
          parentCode: g.parentCode,
          level: 'grid',
          name: g.name,
          bbox: bboxOf(g.geometry),
        });
    },
  );
  nodes.sort(byCode);
  grids.sort(byCode);
  const byCodeMap = new Map<string, RegionNode>();
  const childrenOf = new Map<string | null, RegionNode[]>();
  for (const n of [...nodes, ...grids]) {
    byCodeMap.set(n.code, n);
    const list = childrenOf.get(n.parentCode) ?? [];
    list.push(n);
    childrenOf.set(n.parentCode, list);
  }

  let top: RegionNode | null = null;
  let level = childrenOf.get(null) ?? [];
  while (level.length === 1) {
    top = level[0]!;
    level = childrenOf.get(top.code) ?? [];
  }
  const gridCodes = grids.map((g) => g.code);
  const gridPos = new Map(gridCodes.map((c, k) => [c, k]));
  const devices = async (table: 'cameras' | 'workers', store: DeviceStore): Promise<Int32Array> => {
    const out = new Int32Array(store.count).fill(-1);
    await eachPage<{ id: string; g: string | null }>(
      db,
      table,
      'id',
      sql`id, grid_code AS "g"`,
      REGION_INDEX_PAGE_ROWS,
      (rows) => {
        for (const r of rows) {
          const i = store.indexOf(r.id);
          if (i !== undefined && i < out.length && r.g) out[i] = gridPos.get(r.g) ?? -1;
        }
      },
    );
    return out;
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
    byCode: byCodeMap,
    childrenOf,
    top,
    gridCodes,
    gridPos,
    cameraGrid,
    workerGrid,
  };
}

/** The grids of units registered since the index was built (their stores grew), looked up by id. */
async function addGrownDevices(db: SqlRunner, idx: RegionIndex, stores: DeviceStores): Promise<void> {
  for (const [table, store, field] of [
    ['cameras', stores.camera, 'cameraGrid'],
    ['workers', stores.worker, 'workerGrid'],
  ] as const) {
    const old = idx[field];
    const count = store.count;
    if (count <= old.length) continue;
    const grown = new Int32Array(count).fill(-1);
    grown.set(old);
    for (let from = old.length; from < count; from += REGION_INDEX_GROWN_IDS) {
      const ids = store.idsIn(from, Math.min(count, from + REGION_INDEX_GROWN_IDS)).map((id) => sql`${id}`);
      const rows = await db.all<{ id: string; g: string | null }>(
        sql`SELECT id, grid_code AS "g" FROM ${sql.raw(table)} WHERE id IN (${sql.join(ids, sql`, `)})`,
      );
      for (const r of rows) {
        const i = store.indexOf(r.id);
        if (i !== undefined && i >= from && i < count && r.g) grown[i] = idx.gridPos.get(r.g) ?? -1;
      }
      await yieldToLoop();
    }
    idx[field] = grown;
  }
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
