import { LineLayer, ScatterplotLayer } from '@deck.gl/layers';
import type { Layer } from '@deck.gl/core';
import type { Recommendations } from './api';

export interface MapFocus {
  lng: number;
  lat: number;
  priority: number;
}

const RED: [number, number, number, number] = [255, 77, 79, 255];
const CYAN: [number, number, number, number] = [64, 200, 255, 255];
const GREEN: [number, number, number, number] = [53, 199, 111, 255];
const GREY: [number, number, number, number] = [110, 122, 140, 255];
const CAMERA_RADIUS_M = 500;

type Unit = Recommendations['vehicles'][number] & { kind2: 'vehicle' | 'worker' };

/** The map around one incident: the incident, the camera radius, cameras, and the proposed units with a line to it. */
export function dispatchLayers(focus: MapFocus | null, recs: Recommendations | null): Layer[] {
  if (!focus) return [];
  const units: Unit[] = recs
    ? [
        ...recs.vehicles.map((u) => ({ ...u, kind2: 'vehicle' as const })),
        ...recs.workers.map((u) => ({ ...u, kind2: 'worker' as const })),
      ]
    : [];
  return [
    new ScatterplotLayer({
      id: 'camera-radius',
      data: [focus],
      getPosition: (d: MapFocus) => [d.lng, d.lat],
      getRadius: CAMERA_RADIUS_M,
      radiusUnits: 'meters',
      filled: true,
      stroked: true,
      getFillColor: [255, 77, 79, 25],
      getLineColor: [255, 77, 79, 120],
      lineWidthMinPixels: 1,
    }),
    new LineLayer({
      id: 'unit-links',
      data: units,
      getSourcePosition: (u: Unit) => [u.lng, u.lat],
      getTargetPosition: () => [focus.lng, focus.lat],
      getColor: [64, 200, 255, 120],
      getWidth: 1.5,
    }),
    new ScatterplotLayer({
      id: 'cameras',
      data: recs?.cameras ?? [],
      getPosition: (c: Recommendations['cameras'][number]) => [c.lng, c.lat],
      getRadius: 4,
      radiusUnits: 'pixels',
      getFillColor: (c: Recommendations['cameras'][number]) => (c.status === 'online' ? GREEN : GREY),
    }),
    new ScatterplotLayer({
      id: 'units',
      data: units,
      getPosition: (u: Unit) => [u.lng, u.lat],
      getRadius: 6,
      radiusUnits: 'pixels',
      getFillColor: (u: Unit) => (u.kind2 === 'vehicle' ? CYAN : [180, 140, 255, 255]),
      stroked: true,
      getLineColor: [255, 255, 255, 200],
      lineWidthMinPixels: 1,
    }),
    new ScatterplotLayer({
      id: 'incident',
      data: [focus],
      getPosition: (d: MapFocus) => [d.lng, d.lat],
      getRadius: 9,
      radiusUnits: 'pixels',
      getFillColor: RED,
      stroked: true,
      getLineColor: [255, 255, 255, 255],
      lineWidthMinPixels: 2,
    }),
  ];
}
