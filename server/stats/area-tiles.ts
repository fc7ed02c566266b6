/**
 * The wall's areas as Mapbox vector tiles: GET /api/wall/areas/{z}/{x}/{y}. A province has ~120,000 grid
 * polygons; as one GeoJSON download they would be tens of MB before the first map (B4), as tiles a wall
 * loads only what its view shows, simplified for its zoom. Grids where the world has them, else communities.
 * The index is built once (and again after a territory import: `invalidate`) and tiles are cached gzipped,
 * within a bound. The areas are read asynchronously (SqlDb), once for every request waiting meanwhile.
 */
import { sql } from 'drizzle-orm';
import { gzipSync } from 'node:zlib';
import { GeoJSONVT } from '@maplibre/geojson-vt';
import { fromGeojsonVt } from '@maplibre/vt-pbf';
import { AREA_TILE_LAYER, AREA_TILE_MAX_ZOOM } from '@/lib/map/area-style';
import type { DrawCrs } from '@/lib/geo/draw-projection';
import { geoJsonToDrawCrs } from '@/lib/geo/geojson-crs';
import type { SqlRunner } from '../db/sql-db';

/** Encoded tiles kept; a province wall's views touch a few hundred. */
const TILE_CACHE_MAX = 2_048;
const EXTENT = 4096;

/** What the tiles are cut from; only `code` travels (what the wall colours and drills by). */
export interface AreaFeatureCollection {
  type: 'FeatureCollection';
  features: { type: 'Feature'; properties: { code: string }; geometry: GeoJSON.Geometry }[];
}

/**
 * The seeded world's grids, else its communities; null before a world is seeded. Drawn in the basemap's
 * system (BASEMAP_CRS), so a GCJ-02 basemap's roads and the area outlines agree.
 */
export async function areaFeaturesFromDb(
  db: SqlRunner,
  drawCrs: DrawCrs = 'wgs84',
): Promise<AreaFeatureCollection | null> {
  let rows = await db.all<{ code: string; geometry: string }>(
    sql`SELECT code, geometry FROM grids WHERE geometry IS NOT NULL`,
  );
  if (rows.length === 0)
    rows = await db.all<{ code: string; geometry: string }>(
      sql`SELECT code, geometry FROM regions WHERE level = 'community' AND geometry IS NOT NULL`,
    );
  if (rows.length === 0) return null;
  const fc: AreaFeatureCollection = {
    type: 'FeatureCollection',
    features: rows.map((r) => ({
      type: 'Feature',
      properties: { code: r.code },
      geometry: JSON.parse(r.geometry) as GeoJSON.Geometry,
    })),
  };
  return geoJsonToDrawCrs(fc, drawCrs);
}

export class AreaTiles {
  private index: GeoJSONVT | null = null;
  private building: { promise: Promise<GeoJSONVT | null>; generation: number } | null = null;
  /** Bumped by invalidate: an index cut from a read begun before it is neither kept nor used. */
  private generation = 0;
  private readonly cache = new Map<string, Buffer | null>();

  constructor(
    private readonly load: () => AreaFeatureCollection | null | Promise<AreaFeatureCollection | null>,
  ) {}

  /** Forgets the index and every cached tile: the next request cuts them from the imported territory. */
  invalidate(): void {
    this.index = null;
    this.building = null;
    this.generation++;
    this.cache.clear();
  }

  /** The gzipped tile, or null when nothing is there (or no world is seeded yet). */
  async tile(z: number, x: number, y: number): Promise<Buffer | null> {
    const generation = this.generation;
    const index = await this.build();
    // Invalidated while this one waited: its tile would be cut from the areas before the import.
    if (generation !== this.generation) return this.tile(z, x, y);
    if (!index) return null;
    const key = `${z}/${x}/${y}`;
    if (this.cache.has(key)) return this.cache.get(key)!;
    const t = index.getTile(z, x, y);
    const body =
      t && t.features.length > 0
        ? gzipSync(fromGeojsonVt({ [AREA_TILE_LAYER]: t }, { version: 2, extent: EXTENT }))
        : null;
    this.cache.set(key, body);
    if (this.cache.size > TILE_CACHE_MAX) this.cache.delete(this.cache.keys().next().value!);
    return body;
  }

  private build(): Promise<GeoJSONVT | null> {
    if (this.index) return Promise.resolve(this.index);
    if (this.building?.generation === this.generation) return this.building.promise;
    const generation = this.generation;
    const promise = Promise.resolve()
      .then(() => this.load())
      .then((data) => {
        // Not cached while empty: a world seeded later must show.
        if (!data || data.features.length === 0) return null;
        const index = new GeoJSONVT(data as GeoJSON.FeatureCollection, {
          maxZoom: AREA_TILE_MAX_ZOOM,
          indexMaxZoom: 5,
          indexMaxPoints: 100_000,
          tolerance: 3,
          extent: EXTENT,
          buffer: 64,
        });
        if (generation === this.generation) this.index = index;
        return index;
      })
      .finally(() => {
        if (this.building?.promise === promise) this.building = null;
      });
    this.building = { promise, generation };
    return promise;
  }
}
