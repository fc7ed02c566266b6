import { describe, expect, it } from 'vitest';
import { createClientState } from '@/lib/realtime/client-store';
import { MAP_LAYER_KEYS, type MapLayerKey } from './layer-keys';
import { heatRadiusM } from './heat-layer';
import { LiveMapModel } from './live-map-model';
import { wallLayers, type WallLayerView } from './wall-layers';

const ALL = Object.fromEntries(MAP_LAYER_KEYS.map((k) => [k, true])) as Record<MapLayerKey, boolean>;
const VIEW: WallLayerView = { visible: ALL, pulse: 0, pixelScale: 1, selectedIncidentId: null };
const POINTS = [
  { lng: 104.0, lat: 30.6 },
  { lng: 104.1, lat: 30.7 },
  { lng: 104.05, lat: 30.65 },
];

describe('incident heat layer (replay)', () => {
  it('sizes its cells to the points extent, within bounds', () => {
    // 0.1° ≈ 11 km across → ~278 m cells
    expect(heatRadiusM(POINTS)).toBeCloseTo((0.1 * 111_320) / 40, 0);
    expect(heatRadiusM([{ lng: 104, lat: 30 }])).toBe(150);
    expect(
      heatRadiusM([
        { lng: 100, lat: 25 },
        { lng: 110, lat: 35 },
      ]),
    ).toBe(20_000);
  });

  it('is drawn under the units only when a replay gives it points and incidents are shown', () => {
    const data = new LiveMapModel(createClientState()).layerData();
    const ids = (view: WallLayerView) => wallLayers(data, view).map((l) => l.id);
    expect(ids(VIEW)).not.toContain('incident-heat');
    const withHeat = ids({ ...VIEW, heat: POINTS });
    expect(withHeat).toContain('incident-heat');
    expect(withHeat.indexOf('incident-heat')).toBeLessThan(withHeat.indexOf('vehicles'));
    expect(ids({ ...VIEW, heat: POINTS, visible: { ...ALL, incidents: false } })).not.toContain(
      'incident-heat',
    );
    expect(ids({ ...VIEW, heat: [] })).not.toContain('incident-heat');
  });
});
