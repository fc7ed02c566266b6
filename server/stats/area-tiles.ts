/**
 * The wall's areas as Mapbox vector tiles: GET /api/wall/areas/{z}/{x}/{y}. A province has ~120,000 grid
 * polygons; as one GeoJSON download they would be tens of MB before the first map (B4), as tiles a wall
 * loads only what its view shows, simplified for its zoom. Grids where the world has them, else communities.
 * The index is built once (and again after a territory import: `invalidate`) and tiles are cached gzipped,
 * within a bound.
 */
import { gzipSync } from 'node:zlib';
import { GeoJSONVT } from '@maplibre/geojson-vt';
import { fromGeojsonVt } from '@maplibre/vt-pbf';
import { AREA_TILE_LAYER, AREA_TILE_MAX_ZOOM } from '@/lib/map/area-style';
import type { DrawCrs } from '@/lib/geo/draw-projection';
import { geoJsonToDrawCrs } from '@/lib/geo/geojson-crs';
import type { Db } from '../db/open-database';

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
export function areaFeaturesFromDb(db: Db, drawCrs: DrawCrs = 'wgs84'): AreaFeatureCollection | null {
  const sqlite = db.$client;
  let rows = sqlite.prepare('SELECT code, geometry FROM grids WHERE geometry IS NOT NULL').all() as {
    code: string;
    geometry: string;
  }[];
  if (rows.length === 0)
    rows = sqlite
      .prepare(`SELECT code, geometry FROM regions WHERE level = 'community' AND geometry IS NOT NULL`)
      .all() as { code: string; geometry: string }[];
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
  private readonly cache = new Map<string, Buffer | null>();

  constructor(private readonly load: () => AreaFeatureCollection | null) {}

  /** Forgets the index and every cached tile: the next request cuts them from the imported territory. */
  invalidate(): void {
    this.index = null;
    this.cache.clear();
  }

  /** The gzipped tile, or null when nothing is there (or no world is seeded yet). */
  tile(z: number, x: number, y: number): Buffer | null {
    const index = this.build();
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

  private build(): GeoJSONVT | null {
    if (this.index) return this.index;
    // Not cached while empty: a world seeded later must show.
    const data = this.load();
    if (!data || data.features.length === 0) return null;
    this.index = new GeoJSONVT(data as GeoJSON.FeatureCollection, {
      maxZoom: AREA_TILE_MAX_ZOOM,
      indexMaxZoom: 5,
      indexMaxPoints: 100_000,
      tolerance: 3,
      extent: EXTENT,
      buffer: 64,
    });
    return this.index;
  }
}
