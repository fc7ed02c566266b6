import { generateDepartments, generateCameras, generateVehicles, generateWorkers } from './entities';
import { generatePois, generateWater } from './features';
import { multiBBox } from './geo';
import { NamePool } from './names';
import { DISTRICT_PRESET } from './presets';
import { Rng } from './rng';
import { RoadGraph, type LngLat, type RoadGraphJSON } from './road-graph';
import { generateRoadNetwork } from './road-network';
import { generateTerritory, toGeoJson, type Progress } from './territory';
import type {
  BasemapFeatures,
  CameraRec,
  DepartmentRec,
  GridRec,
  RegionRec,
  VehicleRec,
  WorkerRec,
  WorldInfo,
  WorldOptions,
} from './world-types';

export interface GeneratedWorld {
  options: WorldOptions;
  info: WorldInfo;
  regions: RegionRec[];
  grids: GridRec[];
  departments: DepartmentRec[];
  roads: RoadGraphJSON;
  features: BasemapFeatures;
  /** Entities come in batches: at province scale they never fit one array comfortably. Same seed, same batches. */
  vehicles(): Generator<VehicleRec[]>;
  workers(): Generator<WorkerRec[]>;
  cameras(): Generator<CameraRec[]>;
}

/**
 * Generates a complete territory from a seed: pure and deterministic (no clock, no Math.random), so the same
 * options give the same world on every machine, and tests can compare two runs.
 */
export function generateWorld(
  partial: Partial<WorldOptions> = {},
  progress: Progress = () => {},
): GeneratedWorld {
  const o: WorldOptions = { ...DISTRICT_PRESET, ...partial };
  const rng = new Rng(o.seed);
  const names = new NamePool(rng.fork('names'));
  const t = generateTerritory(o, rng.fork('territory'), names, progress);
  const water = generateWater(o, t, rng.fork('water'), names);
  progress('roads', 0, 1);
  const net = generateRoadNetwork({
    outline: t.outline,
    proj: t.proj,
    rng: rng.fork('roads'),
    names,
    spacingM: o.roadSpacingM,
    arterialEvery: o.arterialEvery,
    secondaryEvery: o.secondaryEvery,
    density: t.density,
    rivers: water.rivers.map((r) => r.points),
    parks: water.parks.map((p) => p.shape),
  });
  const graph = RoadGraph.fromJSON(net.graph);
  progress('roads', 1, 1);
  const pois = generatePois(o, t, graph, rng.fork('pois'), names);
  const departments = generateDepartments(t, graph, rng.fork('departments'));

  const [minX, minY, maxX, maxY] = multiBBox(t.outline);
  const sw = t.proj.toLngLat(minX, minY);
  const ne = t.proj.toLngLat(maxX, maxY);
  const features: BasemapFeatures = {
    rivers: water.rivers.map((r) => ({
      name: r.name,
      widthM: r.widthM,
      coords: r.points.map(([x, y]) => t.proj.toLngLat(x, y) as LngLat),
    })),
    lakes: water.lakes.map((l) => ({ name: l.name, geometry: toGeoJson(t.proj, l.shape) })),
    parks: water.parks.map((p) => ({ name: p.name, geometry: toGeoJson(t.proj, p.shape) })),
    pois,
    roads: net.lines,
  };
  const count = (level: RegionRec['level']) => t.regions.filter((r) => r.level === level).length;
  const info: WorldInfo = {
    seed: o.seed,
    name: o.name,
    center: o.center,
    bbox: [sw[0], sw[1], ne[0], ne[1]],
    rootCode: t.districts.length === 1 ? t.districts[0]!.code : null,
    counts: {
      cities: count('city'),
      districts: count('district'),
      towns: count('town'),
      communities: count('community'),
      grids: t.grids.length,
      departments: departments.length,
      vehicles: o.vehicles,
      workers: o.workers,
      cameras: o.cameras,
      roadNodes: graph.nodeCount,
      roadEdges: graph.edgeCount,
    },
  };
  return {
    options: o,
    info,
    regions: t.regions,
    grids: t.grids,
    departments,
    roads: net.graph,
    features,
    vehicles: () => generateVehicles(departments, o.vehicles, rng.fork('vehicles')),
    workers: () => generateWorkers(t, o.workers, rng.fork('workers')),
    cameras: () => generateCameras(t, graph, pois, o.cameras, rng.fork('cameras')),
  };
}
