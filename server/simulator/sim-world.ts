import { getTableName } from 'drizzle-orm';
import Flatbush from 'flatbush';
import { pointInPoly, type Poly } from '@/lib/world/geo';
import type { LngLat, RoadGraph } from '@/lib/world/road-graph';
import type { GeoJsonPolygonal, Poi, WorldInfo } from '@/lib/world/world-types';
import type { Db } from '../db/open-database';
import { cameras, grids, regions, vehicles, workers } from '../db/schema';
import { loadBasemapFeatures, loadDepartmentBases, loadRoadGraph, loadWorldInfo } from '../world/load-world';

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

/** Reads what the simulator needs from a seeded database; null when no world is there. */
export function loadSimWorld(db: Db, limits: SimWorldLimits = {}): SimWorld | null {
  const info = loadWorldInfo(db);
  const graph = loadRoadGraph(db);
  if (!info || !graph) return null;
  const regionRows = db
    .select({ code: regions.code, name: regions.name, parent: regions.parentCode })
    .from(regions)
    .all();
  const byCode = new Map(regionRows.map((r) => [r.code, r]));
  // Addresses read district + town + community (平安示范区青泉街道兰洲社区), the way a 12345 ticket writes them.
  const prefixOf = (communityCode: string): string => {
    const c = byCode.get(communityCode);
    const t = c?.parent ? byCode.get(c.parent) : undefined;
    const d = t?.parent ? byCode.get(t.parent) : undefined;
    return [d?.name, t?.name, c?.name].filter(Boolean).join('');
  };
  // Row by row: a province's 120,000 outlines as JSON text are never held together, only as parsed rings.
  const gridRows = db.$client
    .prepare<
      [],
      {
        code: string;
        name: string;
        communityCode: string;
        geometry: string;
        centerLng: number;
        centerLat: number;
      }
    >(
      `SELECT code, name, community_code AS communityCode, geometry, center_lng AS centerLng, center_lat AS centerLat
       FROM ${getTableName(grids)} ORDER BY rowid`,
    )
    .iterate();
  const simGrids: SimGrid[] = Array.from(gridRows, (g) => {
    const geometry = JSON.parse(g.geometry) as GeoJsonPolygonal;
    const polys = (geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates) as Poly[];
    const outer = polys.flatMap((p) => p[0] ?? []);
    const lngs = outer.map((p) => p[0]);
    const lats = outer.map((p) => p[1]);
    return {
      code: g.code,
      name: g.name,
      addressPrefix: prefixOf(g.communityCode),
      communityName: byCode.get(g.communityCode)?.name ?? '',
      center: [g.centerLng, g.centerLat],
      polys,
      bbox: [Math.min(...lngs), Math.min(...lats), Math.max(...lngs), Math.max(...lats)],
    };
  });
  const index = new Flatbush(Math.max(1, simGrids.length));
  for (const g of simGrids) index.add(...g.bbox);
  if (simGrids.length === 0) index.add(0, 0, 0, 0);
  index.finish();
  const gridIndex = new Map(simGrids.map((g, i) => [g.code, i]));

  const bases = loadDepartmentBases(db);
  const fallbackBase = graph.node(0);
  // Raw statements with the limits in SQL: a province has 1,000,000 vehicles and 2,000,000 cameras, and a
  // caller that asks for none of them (the history backfill's cameras) must not hold them all first.
  const limit = (n: number | undefined) => (n === undefined ? -1 : Math.max(0, Math.floor(n)));
  // Iterated, so a row becomes the simulator's record at once: a million rows are never held twice.
  const vehicleRows = db.$client
    .prepare<[number], { id: string; name: string | null; kind: string | null; departmentId: string | null }>(
      `SELECT id, name, kind, department_id AS departmentId FROM ${getTableName(vehicles)}
       WHERE is_unassigned = 0 ORDER BY rowid LIMIT ?`,
    )
    .iterate(limit(limits.maxVehicles));
  const simVehicles: SimVehicle[] = Array.from(vehicleRows, (v) => ({
    id: v.id,
    name: v.name ?? v.id,
    kind: v.kind ?? 'patrol_car',
    base: (v.departmentId ? bases[v.departmentId] : undefined) ?? fallbackBase,
  }));
  const workerRows = db.$client
    .prepare<[number], { id: string; name: string | null; gridCode: string }>(
      `SELECT w.id, w.name, w.grid_code AS gridCode FROM ${getTableName(workers)} w
       WHERE w.is_unassigned = 0 AND w.grid_code IN (SELECT code FROM ${getTableName(grids)})
       ORDER BY w.rowid LIMIT ?`,
    )
    .iterate(limit(limits.maxWorkers));
  const simWorkers = Array.from(workerRows, (w) => ({
    id: w.id,
    name: w.name ?? '',
    gridIndex: gridIndex.get(w.gridCode)!,
  }));
  const cameraRows = db.$client
    .prepare<[number], { id: string; gridCode: string | null }>(
      `SELECT id, grid_code AS gridCode FROM ${getTableName(cameras)}
       WHERE is_unassigned = 0 ORDER BY rowid LIMIT ?`,
    )
    .all(limit(limits.maxCameras));
  return {
    info,
    graph,
    grids: simGrids,
    vehicles: simVehicles,
    workers: simWorkers,
    cameras: cameraRows,
    pois: loadBasemapFeatures(db)?.pois ?? [],
    locateGrid(lng, lat) {
      for (const i of index.search(lng, lat, lng, lat))
        if (simGrids[i]!.polys.some((p) => pointInPoly(lng, lat, p))) return i;
      return -1;
    },
  };
}
