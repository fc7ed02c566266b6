import { RoadGraph, type LngLat, type RoadGraphJSON } from '@/lib/world/road-graph';
import type { BasemapFeatures, WorldInfo } from '@/lib/world/world-types';
import type { Db } from '../db/open-database';
import { readMetaJson, WORLD_META_KEYS } from './world-meta';

// One parse per database: the graph is read by routing, the simulator and the map routes alike.
const graphs = new WeakMap<Db, RoadGraph | null>();

export function loadWorldInfo(db: Db): WorldInfo | null {
  return readMetaJson<WorldInfo>(db, WORLD_META_KEYS.info);
}

/** The road network for routing and travel times; null when no world has been seeded. */
export function loadRoadGraph(db: Db): RoadGraph | null {
  if (graphs.has(db)) return graphs.get(db)!;
  const json = readMetaJson<RoadGraphJSON>(db, WORLD_META_KEYS.roads);
  const graph = json && loadWorldInfo(db) ? RoadGraph.fromJSON(json) : null;
  if (graph) graphs.set(db, graph);
  return graph;
}

export function loadBasemapFeatures(db: Db): BasemapFeatures | null {
  return readMetaJson<BasemapFeatures>(db, WORLD_META_KEYS.features);
}

/** Where each department's units park, by department id. */
export function loadDepartmentBases(db: Db): Record<string, LngLat> {
  return readMetaJson<Record<string, LngLat>>(db, WORLD_META_KEYS.bases) ?? {};
}
