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

// The territory (regions, grids, world info) changes at run time only by an import. Whoever caches a view of
// it (the grid locator, area tiles, the basemap's boundaries and places, region stats) listens here and
// rebuilds, so the walls show new areas without a restart. A rebuild that reads the database is
// asynchronous: its listener returns a promise, and whoever reads a cache right after an import awaits the
// notification.
/** A promise it returns is the rebuild in flight; any other result is ignored. */
type TerritoryListener = () => unknown;
const territoryListeners = new WeakMap<Db, Set<TerritoryListener>>();
const territoryVersions = new WeakMap<Db, number>();

/** Calls `listener` after every change of this database's territory; returns the unsubscribe. */
export function onTerritoryChanged(db: Db, listener: TerritoryListener): () => void {
  let set = territoryListeners.get(db);
  if (!set) territoryListeners.set(db, (set = new Set()));
  set.add(listener);
  return () => set.delete(listener);
}

/** Bumped on each change: a cache built at version v is stale once this differs. */
export function territoryVersion(db: Db): number {
  return territoryVersions.get(db) ?? 0;
}

/**
 * Announces a committed territory change (an import) to every cache of it. Resolves once each has rebuilt
 * (or failed to: a listener reports its own failure), never rejects.
 */
export function notifyTerritoryChanged(db: Db): Promise<void> {
  territoryVersions.set(db, territoryVersion(db) + 1);
  const rebuilds: unknown[] = [];
  for (const listener of territoryListeners.get(db) ?? []) rebuilds.push(listener());
  return Promise.allSettled(rebuilds).then(() => {});
}
