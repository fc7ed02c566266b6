/**
 * Keeps the wall's areas in MapLibre: the polygons as the server's vector tiles (a province's 120k grids
 * load by view, not as one download), their heat as feature state (a count change touches one feature,
 * never a tile), the scoped region as a filter, and their visibility. The map's style must have loaded
 * before install().
 */
import type { Map as MapLibreMap } from 'maplibre-gl';
import {
  AREA_FILL_LAYER_ID,
  AREA_HEAT_STATE,
  AREA_LINE_LAYER_ID,
  AREA_SOURCE_ID,
  AREA_TILE_LAYER,
  AREA_TILE_MAX_ZOOM,
  areaFilter,
  areaLayers,
  areaLayersBefore,
} from '@/lib/map/area-style';
import { areaHeatLevel, areaLevelOfCode } from '@/lib/wall/palette';

export type AreaCounts = ReadonlyMap<string, { open: number; overdue: number }>;

export class MapAreas {
  private map: MapLibreMap | null = null;
  private prefix = '';
  private counts: AreaCounts = new Map();
  /** The heat each area was given (only areas above 0), so a count change costs one setFeatureState. */
  private readonly shown = new Map<string, number>();
  private isVisible = true;

  install(map: MapLibreMap, tileUrl: string): void {
    this.map = map;
    map.addSource(AREA_SOURCE_ID, {
      type: 'vector',
      tiles: [tileUrl],
      maxzoom: AREA_TILE_MAX_ZOOM,
      // Feature state is keyed by the region code, which is what the counts use.
      promoteId: { [AREA_TILE_LAYER]: 'code' },
    });
    const before = areaLayersBefore(map.getStyle().layers);
    for (const layer of areaLayers(this.isVisible, this.prefix)) map.addLayer(layer, before);
    this.pushHeat();
  }

  /** Drill-down: only the scoped region's areas are drawn. */
  setPrefix(prefix: string): void {
    if (prefix === this.prefix) return;
    this.prefix = prefix;
    if (!this.map) return;
    for (const id of [AREA_FILL_LAYER_ID, AREA_LINE_LAYER_ID]) this.map.setFilter(id, areaFilter(prefix));
  }

  setCounts(counts: AreaCounts): void {
    this.counts = counts;
    this.pushHeat();
  }

  setVisible(isVisible: boolean): void {
    if (isVisible === this.isVisible) return;
    this.isVisible = isVisible;
    for (const id of [AREA_FILL_LAYER_ID, AREA_LINE_LAYER_ID])
      this.map?.setLayoutProperty(id, 'visibility', isVisible ? 'visible' : 'none');
  }

  /** The code of the area drawn at a screen point, if any. */
  codeAt(x: number, y: number): string | null {
    if (!this.map || !this.isVisible) return null;
    const hit = this.map.queryRenderedFeatures([x, y], { layers: [AREA_FILL_LAYER_ID] })[0];
    const code: unknown = hit?.properties?.code;
    return typeof code === 'string' ? code : null;
  }

  private pushHeat(): void {
    const map = this.map;
    if (!map) return;
    const target = (code: string) => ({ source: AREA_SOURCE_ID, sourceLayer: AREA_TILE_LAYER, id: code });
    for (const [code, c] of this.counts) {
      const heat = heatOf(code, c);
      if (heat === 0 || this.shown.get(code) === heat) continue;
      this.shown.set(code, heat);
      map.setFeatureState(target(code), { [AREA_HEAT_STATE]: heat });
    }
    // Areas whose incidents all closed go back to the base colour (and out of the map: it stays bounded).
    for (const [code] of this.shown) {
      const c = this.counts.get(code);
      if (c && heatOf(code, c) > 0) continue;
      this.shown.delete(code);
      map.removeFeatureState(target(code), AREA_HEAT_STATE);
    }
  }
}

/** The counts hold every level's areas (grid, community, town); each is hot by its own level's steps. */
function heatOf(code: string, c: { open: number; overdue: number }): number {
  return areaHeatLevel(areaLevelOfCode(code), c.open, c.overdue);
}
