import { sql, type SQL } from 'drizzle-orm';
import Flatbush from 'flatbush';
import { pointInPoly, type Poly } from '@/lib/world/geo';
import { RoadGraph, type LngLat, type RoadGraphJSON } from '@/lib/world/road-graph';
import type { BasemapFeatures, GeoJsonPolygonal, Poi, WorldInfo } from '@/lib/world/world-types';
import type { SqlRunner } from '../db/sql-db';
import { readMetaJson, WORLD_META_KEYS } from '../world/world-meta';

export interface SimGrid {
  code: string;
  name: string;
  /** 平安示范区青泉街道兰洲社区: the address prefix of anything inside it. */
  addressPrefix: string;
  communityName: string;
  center: LngLat;
  /** Outer rings of the polygon parts, degrees. */
  polys: Poly[];
  bbox: [number, number, number, number];
}

export interface SimVehicle {
  id: string;
  name: string;
  kind: string;
  base: LngLat;
}

export interface SimWorld {
  info: WorldInfo;
  graph: RoadGraph;
  grids: SimGrid[];
  vehicles: SimVehicle[];
  workers: { id: string; name: string; gridIndex: number }[];
  cameras: { id: string; gridCode: string | null }[];
  pois: Poi[];
  /** Grid index at a position, or -1. */
  locateGrid(lng: number, lat: number): number;
}

export interface SimWorldLimits {
  /** Simulate at most this many of each (province-scale worlds on a small machine). */
  maxVehicles?: number;
  maxWorkers?: number;
  maxCameras?: number;
}

/** Rows per page when reading a table through: a province's tables are read a page at a time. */
export const SIM_WORLD_PAGE_ROWS = 10_000;

/** Reads what the simulator needs from a seeded database; null when no world is there. */
export async function loadSimWorld(db: SqlRunner, limits: SimWorldLimits = {}): Promise<SimWorld | null> {
  const info = await readMetaJson<WorldInfo>(db, WORLD_META_KEYS.info);
  const roads = info ? await readMetaJson<RoadGraphJSON>(db, WORLD_META_KEYS.roads) : null;
  if (!info || !roads) return null;
  const graph = RoadGraph.fromJSON(roads);
  const regionRows = await db.all<{ code: string; name: string; parent: string | null }>(
    sql`SELECT code, name, parent_code AS "parent" FROM regions`,
  );
  const byCode = new Map(regionRows.map((r) => [r.code, r]));
  // Addresses read district + town + community (平安示范区青泉街道兰洲社区), the way a 12345 ticket writes them.
  const prefixOf = (communityCode: string): string => {
    const c = byCode.get(communityCode);
    const t = c?.parent ? byCode.get(c.parent) : undefined;
    const d = t?.parent ? byCode.get(t.parent) : undefined;
    return [d?.name, t?.name, c?.name].filter(Boolean).join('');
  };
  // Page by page: a province's 120,000 outlines as JSON text are never held together, only as parsed rings.
  const simGrids: SimGrid[] = [];
  for await (const g of pages<{
    code: string;
    name: string;
    communityCode: string;
    geometry: string;
    centerLng: number;
    centerLat: number;
  }>(
    db,
    'grids',
    sql`code, name, community_code AS "communityCode", geometry, center_lng AS "centerLng", center_lat AS "centerLat"`,
    sql`TRUE`,
  )) {
    const geometry = JSON.parse(g.geometry) as GeoJsonPolygonal;
    const polys = (geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates) as Poly[];
    const outer = polys.flatMap((p) => p[0] ?? []);
    const lngs = outer.map((p) => p[0]);
    const lats = outer.map((p) => p[1]);
    simGrids.push({
      code: g.code,
      name: g.name,
      addressPrefix: prefixOf(g.communityCode),
      communityName: byCode.get(g.communityCode)?.name ?? '',
      center: [g.centerLng, g.centerLat],
      polys,
      bbox: [Math.min(...lngs), Math.min(...lats), Math.max(...lngs), Math.max(...lats)],
    });
  }
  const index = new Flatbush(Math.max(1, simGrids.length));
  for (const g of simGrids) index.add(...g.bbox);
  if (simGrids.length === 0) index.add(0, 0, 0, 0);
  index.finish();
  const gridIndex = new Map(simGrids.map((g, i) => [g.code, i]));

  const bases = (await readMetaJson<Record<string, LngLat>>(db, WORLD_META_KEYS.bases)) ?? {};
  const fallbackBase = graph.node(0);
  // The limits stop the paging: a province has 1,000,000 vehicles and 2,000,000 cameras, and a caller that
  // asks for none of them (the history backfill's cameras) must not read them at all. Page by page, so a row
  // becomes the simulator's record at once: a million rows are never held twice.
  const simVehicles: SimVehicle[] = [];
  for await (const v of pages<{
    id: string;
    name: string | null;
    kind: string | null;
    departmentId: string | null;
  }>(
    db,
    'vehicles',
    sql`id, name, kind, department_id AS "departmentId"`,
    sql`is_unassigned = ${false}`,
    limits.maxVehicles,
  ))
    simVehicles.push({
      id: v.id,
      name: v.name ?? v.id,
      kind: v.kind ?? 'patrol_car',
      base: (v.departmentId ? bases[v.departmentId] : undefined) ?? fallbackBase,
    });
  const simWorkers: SimWorld['workers'] = [];
  for await (const w of pages<{ id: string; name: string | null; gridCode: string }>(
    db,
    'workers',
    sql`id, name, grid_code AS "gridCode"`,
    sql`is_unassigned = ${false}`,
    limits.maxWorkers,
    // Only workers of a known grid: filtered here rather than in SQL, so the paging stays a key range scan.
    (w) => gridIndex.has(w.gridCode),
  ))
    simWorkers.push({ id: w.id, name: w.name ?? '', gridIndex: gridIndex.get(w.gridCode)! });
  const simCameras: SimWorld['cameras'] = [];
  for await (const c of pages<{ id: string; gridCode: string | null }>(
    db,
    'cameras',
    sql`id, grid_code AS "gridCode"`,
    sql`is_unassigned = ${false}`,
    limits.maxCameras,
  ))
    simCameras.push({ id: c.id, gridCode: c.gridCode });
  const features = await readMetaJson<BasemapFeatures>(db, WORLD_META_KEYS.features);
  return {
    info,
    graph,
    grids: simGrids,
    vehicles: simVehicles,
    workers: simWorkers,
    cameras: simCameras,
    pois: features?.pois ?? [],
    locateGrid(lng, lat) {
      for (const i of index.search(lng, lat, lng, lat))
        if (simGrids[i]!.polys.some((p) => pointInPoly(lng, lat, p))) return i;
      return -1;
    },
  };
}

/**
 * A table's rows by primary key in byte order, a page at a time (keyset paging). Byte order on both
 * engines (COLLATE "C" on PostgreSQL, whose test databases are ICU-collated; SQLite's BINARY already is), so
 * a seed plays out alike on either: the simulator's choices follow this order. `keep` filters rows before
 * they count against `max`.
 */
async function* pages<T>(
  db: SqlRunner,
  table: 'grids' | 'vehicles' | 'workers' | 'cameras',
  columns: SQL,
  where: SQL,
  max?: number,
  keep: (row: T) => boolean = () => true,
): AsyncGenerator<T> {
  let left = max === undefined ? Infinity : Math.max(0, Math.floor(max));
  const keyCol = table === 'grids' ? 'code' : 'id';
  const key = sql.raw(db.dialect === 'postgres' ? `${keyCol} COLLATE "C"` : keyCol);
  let after: string | null = null;
  while (left > 0) {
    const rows: (T & { pageKey: string })[] = await db.all<T & { pageKey: string }>(
      sql`SELECT ${columns}, ${sql.raw(keyCol)} AS "pageKey"
          FROM ${sql.identifier(table)}
          WHERE ${where} ${after === null ? sql`` : sql`AND ${key} > ${after}`}
          ORDER BY ${key} LIMIT ${SIM_WORLD_PAGE_ROWS}`,
    );
    for (const row of rows) {
      if (left <= 0) return;
      const { pageKey: _k, ...rest } = row;
      if (!keep(rest as T)) continue;
      left--;
      yield rest as T;
    }
    if (rows.length < SIM_WORLD_PAGE_ROWS) return;
    after = rows[rows.length - 1]!.pageKey;
  }
}
