/**
 * The wall's areas as Mapbox vector tiles: GET /api/wall/areas/{z}/{x}/{y}. A province has ~120,000 grid
 * polygons; as one GeoJSON download they would be tens of MB before the first map (B4), as tiles a wall
 * loads only what its view shows, simplified for its zoom. Each zoom carries the level legible at it
 * (`areaLevelForTileZoom`: towns, communities, then grids), falling back to the nearest level the world has
 * outlines for (grids where it has them, else communities, as before).
 * The areas are read and packed once (and again after a territory import: `invalidate`), asynchronously
 * (SqlDb) and once for every request waiting meanwhile; each tile is cut when first asked for and cached
 * gzipped, within a bound.
 */
import { sql } from 'drizzle-orm';
import { gzipSync } from 'node:zlib';
import { GeoJSONVT } from '@maplibre/geojson-vt';
import { fromGeojsonVt } from '@maplibre/vt-pbf';
import { AREA_TILE_LAYER, AREA_TILE_MAX_ZOOM, areaLevelForTileZoom } from '@/lib/map/area-style';
import type { AreaLevel } from '@/lib/wall/palette';
import type { DrawCrs } from '@/lib/geo/draw-projection';
import { geoJsonToDrawCrs } from '@/lib/geo/geojson-crs';
import { PackedPolygons } from '@/lib/geo/packed-polygons';
import type { SqlRunner } from '../db/sql-db';

/** Encoded tiles kept; a province wall's views touch a few hundred. */
const TILE_CACHE_MAX = 2_048;
const EXTENT = 4096;
const BUFFER = 64;

/** What the tiles are cut from; only `code` travels (what the wall colours and drills by). */
export interface AreaFeatureCollection {
  type: 'FeatureCollection';
  features: { type: 'Feature'; properties: { code: string }; geometry: GeoJSON.Geometry }[];
}

/**
 * The seeded world's grids, else its communities, packed; null before a world is seeded. Drawn in the
 * basemap's system (BASEMAP_CRS), so a GCJ-02 basemap's roads and the area outlines agree. Each outline is
 * parsed and packed in turn: a province's never sit in the heap as GeoJSON all at once.
 */
export async function areaPolygonsFromDb(
  db: SqlRunner,
  drawCrs: DrawCrs = 'wgs84',
): Promise<PackedPolygons | null> {
  return (await outlinesFromDb(db, 'grid', drawCrs)) ?? outlinesFromDb(db, 'community', drawCrs);
}

/** One level's outlines as stored (GeoJSON text), parsed and packed one at a time; null for none. */
async function outlinesFromDb(
  db: SqlRunner,
  level: AreaLevel,
  drawCrs: DrawCrs,
): Promise<PackedPolygons | null> {
  const rows = await db.all<{ code: string; geometry: string }>(
    level === 'grid'
      ? sql`SELECT code, geometry FROM grids WHERE geometry IS NOT NULL`
      : sql`SELECT code, geometry FROM regions WHERE level = ${level} AND geometry IS NOT NULL`,
  );
  if (rows.length === 0) return null;
  function* parsed() {
    for (const r of rows) {
      let geometry: unknown;
      try {
        geometry = JSON.parse(r.geometry);
      } catch {
        continue; // a damaged outline is not drawn; the rest are
      }
      yield { code: r.code, geometry: geoJsonToDrawCrs(geometry, drawCrs) };
    }
  }
  return new PackedPolygons(parsed());
}

/** Outlines by level; a level the world has none of is null. */
export type AreaLevels = Record<AreaLevel, PackedPolygons | null>;

/** Coarsest to finest: a missing level falls back to the next finer one, then to coarser ones. */
const LEVELS_COARSE_TO_FINE: readonly AreaLevel[] = ['town', 'community', 'grid'];

/**
 * Every level's outlines (grids, and the regions' communities and towns), in the basemap's system; all null
 * before a world is seeded. A world without grids draws its communities there (`areasForZoom`).
 */
export async function areaLevelsFromDb(db: SqlRunner, drawCrs: DrawCrs = 'wgs84'): Promise<AreaLevels> {
  return {
    grid: await outlinesFromDb(db, 'grid', drawCrs),
    community: await outlinesFromDb(db, 'community', drawCrs),
    town: await outlinesFromDb(db, 'town', drawCrs),
  };
}

/** The level a tile at zoom z shows, or the nearest one the world has (finer first). */
export function areasForZoom(levels: AreaLevels, z: number): PackedPolygons | null {
  const wanted = LEVELS_COARSE_TO_FINE.indexOf(areaLevelForTileZoom(z));
  const order = [...LEVELS_COARSE_TO_FINE.slice(wanted), ...LEVELS_COARSE_TO_FINE.slice(0, wanted).reverse()];
  for (const l of order) if (levels[l] && levels[l].size > 0) return levels[l];
  return null;
}

/** The same areas as one GeoJSON FeatureCollection (for comparing backends; the tiles read them packed). */
export async function areaFeaturesFromDb(
  db: SqlRunner,
  drawCrs: DrawCrs = 'wgs84',
): Promise<AreaFeatureCollection | null> {
  const areas = await areaPolygonsFromDb(db, drawCrs);
  if (!areas) return null;
  return {
    type: 'FeatureCollection',
    features: Array.from({ length: areas.size }, (_, a) => ({
      type: 'Feature' as const,
      properties: { code: areas.codeAt(a) },
      geometry: areas.geometryAt(a),
    })),
  };
}

/** Tile z/x/y's box in lng/lat (Web Mercator), widened on each side by `margin` of its width. */
function tileBox(z: number, x: number, y: number, margin: number): [number, number, number, number] {
  const n = 2 ** z;
  const lng = (t: number) => (t / n) * 360 - 180;
  const lat = (t: number) => (Math.atan(Math.sinh(Math.PI * (1 - (2 * t) / n))) * 180) / Math.PI;
  return [lng(x - margin), lat(y + 1 + margin), lng(x + 1 + margin), lat(y - margin)];
}

/**
 * Cuts one tile from the areas whose boxes reach it. geojson-vt clips and simplifies each feature on its
 * own, so a tile cut from those areas alone is the tile it would cut from all of them; one index over a
 * province's areas, with every tile it had cut, held ~230 MB of heap once a wall had loaded (heap
 * snapshot), and more with every tile a wall zoomed into.
 */
function cutTile(areas: PackedPolygons, z: number, x: number, y: number): Buffer | null {
  // Twice the tile's buffer around it: every area geojson-vt would clip into the tile, and few more.
  const [w, s, e, n] = tileBox(z, x, y, (2 * BUFFER) / EXTENT);
  const hits = areas.search(w, s, e, n).sort((a, b) => a - b);
  if (hits.length === 0) return null;
  const index = new GeoJSONVT(
    {
      type: 'FeatureCollection',
      features: hits.map((a) => ({
        type: 'Feature',
        properties: { code: areas.codeAt(a) },
        geometry: areas.geometryAt(a),
      })),
    } as GeoJSON.FeatureCollection,
    // Only the root is indexed: getTile drills straight down to the one tile wanted.
    { maxZoom: AREA_TILE_MAX_ZOOM, indexMaxZoom: 0, tolerance: 3, extent: EXTENT, buffer: BUFFER },
  );
  const t = index.getTile(z, x, y);
  return t && t.features.length > 0
    ? gzipSync(fromGeojsonVt({ [AREA_TILE_LAYER]: t }, { version: 2, extent: EXTENT }))
    : null;
}

export class AreaTiles {
  private areas: AreaLevels | null = null;
  private building: { promise: Promise<AreaLevels | null>; generation: number } | null = null;
  /** Bumped by invalidate: areas read before it are neither kept nor used. */
  private generation = 0;
  private readonly cache = new Map<string, Buffer | null>();

  /** `load` gives every level (areaLevelsFromDb), or one set of outlines drawn at every zoom. */
  constructor(
    private readonly load: () =>
      AreaLevels | PackedPolygons | null | Promise<AreaLevels | PackedPolygons | null>,
  ) {}

  /** Forgets the areas and every cached tile: the next request cuts them from the imported territory. */
  invalidate(): void {
    this.areas = null;
    this.building = null;
    this.generation++;
    this.cache.clear();
  }

  /** The gzipped tile, or null when nothing is there (or no world is seeded yet). */
  async tile(z: number, x: number, y: number): Promise<Buffer | null> {
    const generation = this.generation;
    const levels = await this.build();
    // Invalidated while this one waited: its tile would be cut from the areas before the import.
    if (generation !== this.generation) return this.tile(z, x, y);
    const areas = levels && areasForZoom(levels, z);
    if (!areas) return null;
    const key = `${z}/${x}/${y}`;
    if (this.cache.has(key)) return this.cache.get(key)!;
    const body = cutTile(areas, z, x, y);
    this.cache.set(key, body);
    if (this.cache.size > TILE_CACHE_MAX) this.cache.delete(this.cache.keys().next().value!);
    return body;
  }

  private build(): Promise<AreaLevels | null> {
    if (this.areas) return Promise.resolve(this.areas);
    if (this.building?.generation === this.generation) return this.building.promise;
    const generation = this.generation;
    const promise = Promise.resolve()
      .then(() => this.load())
      .then((loaded) => {
        const levels =
          loaded instanceof PackedPolygons ? { grid: loaded, community: null, town: null } : loaded;
        // Not kept while empty: a world seeded later must show.
        if (!levels || !LEVELS_COARSE_TO_FINE.some((l) => (levels[l]?.size ?? 0) > 0)) return null;
        if (generation === this.generation) this.areas = levels;
        return levels;
      })
      .finally(() => {
        if (this.building?.promise === promise) this.building = null;
      });
    this.building = { promise, generation };
    return promise;
  }
}
