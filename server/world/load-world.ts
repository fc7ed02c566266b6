import { RoadGraph, type LngLat, type RoadGraphJSON } from '@/lib/world/road-graph';
import type { BasemapFeatures, WorldInfo } from '@/lib/world/world-types';
import type { SqlRunner } from '../db/sql-db';
import { readMetaJson, WORLD_META_KEYS } from './world-meta';

// One parse per database: the graph is read by routing, the simulator and the map routes alike. A seeded
// world's roads never change afterwards (imports bring areas, not roads), so the first graph found stays.
const graphs = new WeakMap<SqlRunner, Promise<RoadGraph | null>>();

export function loadWorldInfo(db: SqlRunner): Promise<WorldInfo | null> {
  return readMetaJson<WorldInfo>(db, WORLD_META_KEYS.info);
}

/** The road network for routing and travel times; null when no world has been seeded (asked again next time). */
export function loadRoadGraph(db: SqlRunner): Promise<RoadGraph | null> {
  let graph = graphs.get(db);
  if (!graph) {
    graph = (async () => {
      const json = await readMetaJson<RoadGraphJSON>(db, WORLD_META_KEYS.roads);
      return json && (await loadWorldInfo(db)) ? RoadGraph.fromJSON(json) : null;
    })();
    graphs.set(db, graph);
    // Not seeded yet, or the read failed: the next caller reads again.
    graph.then(
      (g) => g ?? graphs.delete(db),
      () => graphs.delete(db),
    );
  }
  return graph;
}

/**
 * For callers that ask synchronously (routing, per recommendation): the graph as last read, once the first
 * read is done. While none is seeded each call starts a read in the background, so a world seeded later
 * (`npm run generate-world` beside a running server) is routed by road from then on.
 */
export async function roadGraphGetter(db: SqlRunner): Promise<() => RoadGraph | null> {
  let graph = await loadRoadGraph(db);
  return () => {
    if (!graph)
      loadRoadGraph(db).then(
        (g) => (graph = g),
        () => {}, // read again on the next call
      );
    return graph;
  };
}

export function loadBasemapFeatures(db: SqlRunner): Promise<BasemapFeatures | null> {
  return readMetaJson<BasemapFeatures>(db, WORLD_META_KEYS.features);
}

/** Where each department's units park, by department id. */
export async function loadDepartmentBases(db: SqlRunner): Promise<Record<string, LngLat>> {
  return (await readMetaJson<Record<string, LngLat>>(db, WORLD_META_KEYS.bases)) ?? {};
}

// The territory (regions, grids, world info) changes at run time only by an import. Whoever caches a view of
// it (the grid locator, area tiles, the basemap's boundaries and places, region stats) listens here and
// rebuilds, so the walls show new areas without a restart. A rebuild that reads the database is
// asynchronous: its listener returns a promise, and whoever reads a cache right after an import awaits the
// notification. Keyed by the SqlDb (one per connection or pool): another process learns of an import
// through watch-import-runs.ts and notifies its own.
/** A promise it returns is the rebuild in flight; any other result is ignored. */
type TerritoryListener = () => unknown;
const territoryListeners = new WeakMap<SqlRunner, Set<TerritoryListener>>();
const territoryVersions = new WeakMap<SqlRunner, number>();

/** Calls `listener` after every change of this database's territory; returns the unsubscribe. */
export function onTerritoryChanged(db: SqlRunner, listener: TerritoryListener): () => void {
  let set = territoryListeners.get(db);
  if (!set) territoryListeners.set(db, (set = new Set()));
  set.add(listener);
  return () => set.delete(listener);
}

/** Bumped on each change: a cache built at version v is stale once this differs. */
export function territoryVersion(db: SqlRunner): number {
  return territoryVersions.get(db) ?? 0;
}

/**
 * Announces a committed territory change (an import) to every cache of it. Resolves once each has rebuilt
 * (or failed to: a listener reports its own failure), never rejects.
 */
export function notifyTerritoryChanged(db: SqlRunner): Promise<void> {
  territoryVersions.set(db, territoryVersion(db) + 1);
  const rebuilds: unknown[] = [];
  for (const listener of territoryListeners.get(db) ?? []) rebuilds.push(listener());
  return Promise.allSettled(rebuilds).then(() => {});
}
