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
  const gridRows = db.select().from(grids).all();
  const simGrids: SimGrid[] = gridRows.map((g) => {
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
  const vehicleRows = db
    .select()
    .from(vehicles)
    .all()
    .filter((v) => !v.isUnassigned);
  const workerRows = db
    .select()
    .from(workers)
    .all()
    .filter((w) => !w.isUnassigned && w.gridCode && gridIndex.has(w.gridCode));
  const cameraRows = db
    .select({ id: cameras.id, gridCode: cameras.gridCode, isUnassigned: cameras.isUnassigned })
    .from(cameras)
    .all();
  return {
    info,
    graph,
    grids: simGrids,
    vehicles: vehicleRows.slice(0, limits.maxVehicles ?? Infinity).map((v) => ({
      id: v.id,
      name: v.name ?? v.id,
      kind: v.kind ?? 'patrol_car',
      base: (v.departmentId ? bases[v.departmentId] : undefined) ?? fallbackBase,
    })),
    workers: workerRows
      .slice(0, limits.maxWorkers ?? Infinity)
      .map((w) => ({ id: w.id, name: w.name ?? '', gridIndex: gridIndex.get(w.gridCode!)! })),
    cameras: cameraRows
      .filter((c) => !c.isUnassigned)
      .slice(0, limits.maxCameras ?? Infinity)
      .map((c) => ({ id: c.id, gridCode: c.gridCode })),
    pois: loadBasemapFeatures(db)?.pois ?? [],
    locateGrid(lng, lat) {
      for (const i of index.search(lng, lat, lng, lat))
        if (simGrids[i]!.polys.some((p) => pointInPoly(lng, lat, p))) return i;
      return -1;
    },
  };
}
