/**
 * Keeps the wall's areas in MapLibre: the polygons as a GeoJSON source (tiled in MapLibre's worker, so a
 * province's grids cost no main-thread geometry work), their heat as feature state (a count change touches
 * one feature, never the source), and their visibility. The map must have loaded its style before install().
 */
import type { GeoJSONSource, Map as MapLibreMap } from 'maplibre-gl';
import {
  AREA_FILL_LAYER_ID,
  AREA_HEAT_STATE,
  AREA_LINE_LAYER_ID,
  AREA_SOURCE_ID,
  areaLayers,
  areaLayersBefore,
} from '@/lib/map/area-style';
import { gridHeatLevel } from '@/lib/wall/palette';

export interface AreaFeature {
  type: 'Feature';
  properties: { code: string; level?: string; name?: string };
  geometry: unknown;
}

export type AreaCounts = ReadonlyMap<string, { open: number; overdue: number }>;

export class MapAreas {
  private map: MapLibreMap | null = null;
  private features: AreaFeature[] = [];
  private counts: AreaCounts = new Map();
  /** The heat each feature was last given, so a count change costs one setFeatureState, not thousands. */
  private readonly shown = new Map<string, number>();
  private isVisible = true;

  install(map: MapLibreMap): void {
    this.map = map;
    map.addSource(AREA_SOURCE_ID, {
      type: 'geojson',
      data: { type: 'FeatureCollection', features: [] },
      // Feature state is keyed by the region code, which is what the counts use.
      promoteId: 'code',
    });
    const before = areaLayersBefore(map.getStyle().layers);
    for (const layer of areaLayers(this.isVisible)) map.addLayer(layer, before);
    this.pushFeatures();
  }

  setAreas(features: AreaFeature[] | null): void {
    this.features = features ?? [];
    this.pushFeatures();
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

  private pushFeatures(): void {
    const source = this.map?.getSource<GeoJSONSource>(AREA_SOURCE_ID);
    if (!source) return;
    source.setData({ type: 'FeatureCollection', features: this.features as never });
    // New features start without state; give every one its heat again.
    this.shown.clear();
    this.pushHeat();
  }

  private pushHeat(): void {
    const map = this.map;
    if (!map?.getSource(AREA_SOURCE_ID)) return;
    for (const f of this.features) {
      const code = f.properties.code;
      const c = this.counts.get(code);
      const heat = c ? gridHeatLevel(c.open, c.overdue) : 0;
      if (this.shown.get(code) === heat) continue;
      this.shown.set(code, heat);
      map.setFeatureState({ source: AREA_SOURCE_ID, id: code }, { [AREA_HEAT_STATE]: heat });
    }
  }
}
