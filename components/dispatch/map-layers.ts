import { LineLayer, ScatterplotLayer } from '@deck.gl/layers';
import type { Layer } from '@deck.gl/core';
import {
  CAMERA_LOOK_COLOR,
  PRIORITY_COLOR,
  VEHICLE_LOOK_COLOR,
  WORKER_LOOK_COLOR,
  type Rgba,
} from '@/lib/wall/palette';
import type { Recommendations } from './api';

export interface MapFocus {
  lng: number;
  lat: number;
  priority: number;
}

/** Stored WGS-84 → the basemap's system (identity for a WGS-84 basemap). */
export type ToDraw = (lng: number, lat: number) => [number, number];

export interface DispatchMapView {
  toDraw: ToDraw;
}

const IDENTITY: DispatchMapView = { toDraw: (lng, lat) => [lng, lat] };
/** The radius the console looks for cameras in (server/dispatch/recommend.ts answers within it). */
const CAMERA_RADIUS_M = 500;
const WHITE: Rgba = [255, 255, 255, 230];

type Unit = Recommendations['vehicles'][number] & { kind2: 'vehicle' | 'worker' };
type Camera = Recommendations['cameras'][number];

/**
 * The map around one incident, as one pure factory: the camera radius, the lines from the proposed units,
 * cameras, units, and the incident last (on top). Colours are the wall's (lib/wall/palette) so an officer
 * reads both screens alike. Positions go through `view.toDraw` (BASEMAP_CRS).
 */
export function dispatchLayers(
  focus: MapFocus | null,
  recs: Recommendations | null,
  view: DispatchMapView = IDENTITY,
): Layer[] {
  if (!focus) return [];
  const { toDraw } = view;
  const at = toDraw(focus.lng, focus.lat);
  const units: Unit[] = recs
    ? [
        ...recs.vehicles.map((u) => ({ ...u, kind2: 'vehicle' as const })),
        ...recs.workers.map((u) => ({ ...u, kind2: 'worker' as const })),
      ]
    : [];
  const incidentColor = PRIORITY_COLOR[focus.priority] ?? PRIORITY_COLOR[1]!;
  return [
    new ScatterplotLayer({
      id: 'camera-radius',
      data: [focus],
      getPosition: () => at,
      getRadius: CAMERA_RADIUS_M,
      radiusUnits: 'meters',
      filled: true,
      stroked: true,
      getFillColor: [incidentColor[0], incidentColor[1], incidentColor[2], 22],
      getLineColor: [incidentColor[0], incidentColor[1], incidentColor[2], 140],
      lineWidthMinPixels: 1.5,
    }),
    new LineLayer({
      id: 'unit-links',
      data: units,
      getSourcePosition: (u: Unit) => toDraw(u.lng, u.lat),
      getTargetPosition: () => at,
      getColor: [64, 200, 255, 140],
      getWidth: 2,
    }),
    new ScatterplotLayer({
      id: 'cameras',
      data: recs?.cameras ?? [],
      getPosition: (c: Camera) => toDraw(c.lng, c.lat),
      getRadius: 5,
      radiusUnits: 'pixels',
      getFillColor: (c: Camera) => CAMERA_LOOK_COLOR[c.status] ?? CAMERA_LOOK_COLOR.offline,
      stroked: true,
      getLineColor: [6, 18, 40, 220],
      lineWidthMinPixels: 1,
    }),
    new ScatterplotLayer({
      id: 'units',
      data: units,
      getPosition: (u: Unit) => toDraw(u.lng, u.lat),
      getRadius: 7,
      radiusUnits: 'pixels',
      getFillColor: (u: Unit) =>
        u.kind2 === 'vehicle' ? VEHICLE_LOOK_COLOR.patrol : WORKER_LOOK_COLOR.on_duty,
      stroked: true,
      getLineColor: WHITE,
      lineWidthMinPixels: 1.5,
    }),
    new ScatterplotLayer({
      id: 'incident',
      data: [focus],
      getPosition: () => at,
      getRadius: 10,
      radiusUnits: 'pixels',
      getFillColor: incidentColor,
      stroked: true,
      getLineColor: [255, 255, 255, 255],
      lineWidthMinPixels: 2,
    }),
  ];
}
