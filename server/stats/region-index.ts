import type { Db } from '../db/open-database';
import { loadWorldInfo, territoryVersion } from '../world/load-world';

/** The region tree and which grid each camera/worker sits in change only when the world is re-seeded or a
 * device registers; re-read them at most this often rather than on every stats tick. */
export const REGION_INDEX_TTL_MS = 60_000;

export interface RegionNode {
  code: string;
  parentCode: string | null;
  level: string;
  name: string;
  bbox: [number, number, number, number] | null;
}

export interface RegionIndex {
  at: number;
  /** The territory version it was built from (an import bumps it). */
  version: number;
  worldName: string;
  byCode: Map<string, RegionNode>;
  childrenOf: Map<string | null, RegionNode[]>;
  /** The node a whole-territory wall stands for: the root, descended while it has a single child. */
  top: RegionNode | null;
  /** Every grid code, sorted; devices point into it by position (a province has 120k grids). */
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

const cache = new WeakMap<Db, RegionIndex>();

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

export function regionIndex(db: Db, now: number, stores: DeviceStores): RegionIndex {
  const hit = cache.get(db);
  // Devices registered since (a store grew) need their grid too, and an imported territory its new areas:
  // rebuild then as well.
  if (
    hit &&
    now - hit.at < REGION_INDEX_TTL_MS &&
    hit.version === territoryVersion(db) &&
    hit.cameraGrid.length === stores.camera.count &&
    hit.workerGrid.length === stores.worker.count
  )
    return hit;
  const sqlite = db.$client;
  const byCode = new Map<string, RegionNode>();
  const childrenOf = new Map<string | null, RegionNode[]>();
  const add = (n: RegionNode) => {
    byCode.set(n.code, n);
    const list = childrenOf.get(n.parentCode) ?? [];
    list.push(n);
    childrenOf.set(n.parentCode, list);
  };
  const regions = sqlite
    .prepare('SELECT code, parent_code AS parentCode, level, name, geometry FROM regions ORDER BY code')
    .all() as {
    code: string;
    parentCode: string | null;
    level: string;
    name: string;
    geometry: string | null;
  }[];
  for (const r of regions)
    add({ code: r.code, parentCode: r.parentCode, level: r.level, name: r.name, bbox: bboxOf(r.geometry) });
  const grids = sqlite
    .prepare('SELECT code, community_code AS parentCode, name, geometry FROM grids ORDER BY code')
    .all() as { code: string; parentCode: string; name: string; geometry: string }[];
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
  const devices = (table: 'cameras' | 'workers', store: DeviceStores['camera']): Int32Array => {
    const out = new Int32Array(store.count).fill(-1);
    for (const r of sqlite.prepare(`SELECT id, grid_code AS g FROM ${table}`).iterate() as Iterable<{
      id: string;
      g: string | null;
    }>) {
      const i = store.indexOf(r.id);
      if (i !== undefined && i < out.length && r.g) out[i] = gridPos.get(r.g) ?? -1;
    }
    return out;
  };
  const cameraGrid = devices('cameras', stores.camera);
  const workerGrid = devices('workers', stores.worker);
  const idx: RegionIndex = {
    at: now,
    version: territoryVersion(db),
    worldName: loadWorldInfo(db)?.name ?? top?.name ?? '全域',
    byCode,
    childrenOf,
    top,
    gridCodes,
    cameraGrid,
    workerGrid,
  };
  cache.set(db, idx);
  return idx;
}

/** Drops the cached index (a registry import moved cameras or workers between grids). */
export function invalidateRegionIndex(db: Db): void {
  cache.delete(db);
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
