/**
 * The wall's administrative areas (grids, or communities where no grid layer exists) as MapLibre layers,
 * coloured by a per-feature `heat` state. They live in the basemap renderer, not in deck.gl: polygons change
 * only when incidents do, and MapLibre redraws them only when the camera moves, whereas deck.gl redraws all
 * its layers whenever a vehicle moves (with software GL, the grid outlines alone cost ~0.5 s a frame there).
 */
import type { FilterSpecification, LayerSpecification } from '@maplibre/maplibre-gl-style-spec';
import { GRID_HEAT, GRID_LINE_COLOR, rgbaCss, type AreaLevel } from '../wall/palette';

export const AREA_SOURCE_ID = 'wall-areas';
export const AREA_FILL_LAYER_ID = 'wall-areas-fill';
export const AREA_LINE_LAYER_ID = 'wall-areas-line';
/** The feature-state key holding a GRID_HEAT index; features never given one draw as level 0. */
export const AREA_HEAT_STATE = 'heat';
/** The vector-tile layer the server's area tiles (GET /api/wall/areas/{z}/{x}/{y}) carry. */
export const AREA_TILE_LAYER = 'areas';
/** The server tiles up to this zoom; MapLibre over-zooms beyond it. */
export const AREA_TILE_MAX_ZOOM = 14;

/** Tiles at this zoom and above carry grids; one zoom below, communities; further out, towns. */
export const AREA_GRID_MIN_ZOOM = 10;

/**
 * The areas a tile at zoom z carries. A grid is ~500 m across: at z10 (~100 m a pixel at 30°N on 512 px tiles)
 * it is 5 px and more, a community (~2 km) ~10 px at z9, a town (~5 km) ~13 px at z8. Below those, the
 * outlines merge into a texture that no one reads from 5 m and that costs a software-GL wall most of its
 * frame. MapLibre asks a vector source for tiles at the floor of the map's zoom, so the map shows the level
 * of `areaLevelForTileZoom(Math.floor(zoom))`.
 */
export function areaLevelForTileZoom(z: number): AreaLevel {
  if (z >= AREA_GRID_MIN_ZOOM) return 'grid';
  return z === AREA_GRID_MIN_ZOOM - 1 ? 'community' : 'town';
}

/** Only the areas whose code starts with `prefix` (the scoped region's): all of them for ''. */
export function areaFilter(prefix: string): FilterSpecification {
  const polygons: FilterSpecification = ['==', ['geometry-type'], 'Polygon'];
  return prefix === '' ? polygons : ['all', polygons, ['==', ['index-of', prefix, ['get', 'code']], 0]];
}

/** `['match', heat, 1, c1, 2, c2, …, c0]`: one colour per heat level, straight from the palette. */
export function areaFillColorExpression(): unknown[] {
  const levels = GRID_HEAT.flatMap((c, level) => (level === 0 ? [] : [level, rgbaCss(c)]));
  return ['match', ['coalesce', ['feature-state', AREA_HEAT_STATE], 0], ...levels, rgbaCss(GRID_HEAT[0]!)];
}

export function areaLayers(isVisible: boolean, prefix: string): LayerSpecification[] {
  const visibility = isVisible ? 'visible' : 'none';
  const filter = areaFilter(prefix);
  return [
    {
      id: AREA_FILL_LAYER_ID,
      type: 'fill',
      source: AREA_SOURCE_ID,
      'source-layer': AREA_TILE_LAYER,
      filter,
      layout: { visibility },
      paint: { 'fill-color': areaFillColorExpression() as never, 'fill-antialias': false },
    },
    {
      id: AREA_LINE_LAYER_ID,
      type: 'line',
      source: AREA_SOURCE_ID,
      'source-layer': AREA_TILE_LAYER,
      filter,
      layout: { visibility },
      paint: { 'line-color': rgbaCss(GRID_LINE_COLOR), 'line-width': 0.6 },
    },
  ];
}

/**
 * Where the areas go in the basemap's layer stack: under the first boundary or label layer, so district
 * outlines and place names stay readable above the heat.
 */
export function areaLayersBefore(layers: readonly { id: string; type: string }[]): string | undefined {
  return layers.find((l) => l.type === 'symbol' || l.id.startsWith('boundary'))?.id;
}
