import { describe, expect, it } from 'vitest';
import { drawProjection } from '@/lib/geo/draw-projection';
import type { Recommendations } from './api';
import { dispatchLayers, type MapFocus } from './map-layers';

const focus: MapFocus = { lng: 104.06, lat: 30.66, priority: 1 };
const recs: Recommendations = {
  vehicles: [
    {
      id: 'v1',
      name: '巡逻车01',
      lng: 104.07,
      lat: 30.67,
      distanceM: 1200,
      etaS: 180,
      status: 'patrol',
      ageMs: 1000,
    } as unknown as Recommendations['vehicles'][number],
  ],
  workers: [],
  departments: [],
  cameras: [{ id: 'c1', name: '路口球机', lng: 104.061, lat: 30.661, distanceM: 140, status: 'online' }],
};

/** deck.gl types its layers' props generically: read one accessor back as what it is. */
const accessor = (l: { props: unknown }) =>
  (l.props as { getPosition: (d?: unknown) => number[] }).getPosition;

describe('dispatchLayers', () => {
  it('draws nothing without an incident, and the incident last (on top) with one', () => {
    expect(dispatchLayers(null, recs)).toEqual([]);
    const ids = dispatchLayers(focus, recs).map((l) => l.id);
    expect(ids.at(-1)).toBe('incident');
    expect(ids).toEqual(['camera-radius', 'unit-links', 'cameras', 'units', 'incident']);
  });

  it('draws every position in the basemap system', () => {
    const p = drawProjection('gcj02');
    const toDraw = p.point.bind(p);
    const layers = dispatchLayers(focus, recs, { toDraw });
    const incident = layers.find((l) => l.id === 'incident')!;
    expect(accessor(incident)()).toEqual(p.point(104.06, 30.66));
    const units = layers.find((l) => l.id === 'units')!;
    const unit = (units.props.data as { lng: number; lat: number }[])[0]!;
    expect(accessor(units)(unit)).toEqual(p.point(104.07, 30.67));
    const cams = layers.find((l) => l.id === 'cameras')!;
    const cam = recs.cameras[0]!;
    expect(accessor(cams)(cam)).toEqual(p.point(104.061, 30.661));
  });
});
