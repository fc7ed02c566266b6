/**
 * The period's incidents as a heat layer (replay): flat hexagons coloured by how many incidents fell in each,
 * under the units and incidents. Aggregated on the CPU: a period holds thousands of incidents at most, and a
 * wall PC on software GL may lack the float render targets GPU aggregation needs.
 */
import { HexagonLayer } from '@deck.gl/aggregation-layers';
import type { Layer } from '@deck.gl/core';

export interface HeatPoint {
  lng: number;
  lat: number;
}

/** Cells across the points' extent: coarse enough to read as heat, fine enough to show the hot streets. */
const HEAT_CELLS_ACROSS = 40;
/** Cell radius bounds (m): a single street corner never becomes one pixel, a province never one blob. */
const HEAT_RADIUS_M = { min: 150, max: 20_000 } as const;
const METERS_PER_DEG = 111_320;
/** Cool to hot, translucent: the basemap and the units stay readable through it. */
const HEAT_COLORS: [number, number, number, number][] = [
  [255, 237, 160, 90],
  [254, 217, 118, 120],
  [254, 178, 76, 150],
  [253, 141, 60, 170],
  [240, 59, 32, 190],
  [189, 0, 38, 210],
];

/** The hexagon radius (m) for these points: their extent over HEAT_CELLS_ACROSS, within the bounds. */
export function heatRadiusM(points: readonly HeatPoint[]): number {
  if (points.length === 0) return HEAT_RADIUS_M.min;
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (const p of points) {
    x0 = Math.min(x0, p.lng);
    x1 = Math.max(x1, p.lng);
    y0 = Math.min(y0, p.lat);
    y1 = Math.max(y1, p.lat);
  }
  const extentM = Math.max(x1 - x0, y1 - y0) * METERS_PER_DEG;
  return Math.min(HEAT_RADIUS_M.max, Math.max(HEAT_RADIUS_M.min, extentM / HEAT_CELLS_ACROSS));
}

export function heatLayer(
  points: readonly HeatPoint[],
  toDraw: (lng: number, lat: number) => [number, number],
  radiusM: number,
): Layer {
  return new HexagonLayer<HeatPoint>({
    id: 'incident-heat',
    data: points as HeatPoint[],
    getPosition: (p) => toDraw(p.lng, p.lat),
    radius: radiusM,
    coverage: 0.92,
    extruded: false,
    gpuAggregation: false,
    colorRange: HEAT_COLORS,
    pickable: false,
  }) as unknown as Layer;
}
