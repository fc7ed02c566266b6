/**
 * A unit's track or an incident's playback drawn over a map (issue 17): a pure factory of the deck.gl layers
 * of what is drawn (`TrackOverlay`, track-overlay.ts). components/track/use-track-on-map.ts puts them over whichever map the
 * page shows (the wall's or the console's) in a deck overlay of their own, so neither map's code changes.
 */
import { PathLayer, ScatterplotLayer, TextLayer } from '@deck.gl/layers';
import type { Layer } from '@deck.gl/core';
import type { TrackPoint } from '@/lib/history/contract';
import { bandColor, trackRuns, type TrackRun } from '@/lib/history/track-view';
import { PRIORITY_COLOR, type Rgba } from '@/lib/wall/palette';
import type { TrackMark, TrackOverlay } from './track-overlay';

const CASING: Rgba = [6, 18, 40, 235];
const WHITE: Rgba = [255, 255, 255, 255];
const runsCache = new WeakMap<TrackOverlay, TrackRun[]>();

/**
 * Bottom to top: a dark casing (the path reads on any basemap), the speed-coloured path, the incidents, the
 * numbered marks. `px` is screen pixels per design pixel (an 8K wall draws thicker lines).
 */
export function trackLayers(
  o: TrackOverlay | null,
  toDraw: (lng: number, lat: number) => [number, number],
  px = 1,
): Layer[] {
  if (!o) return [];
  let runs = runsCache.get(o);
  if (!runs) runsCache.set(o, (runs = trackRuns(o.points)));
  const path = (r: TrackRun) => r.path.map(([lng, lat]) => toDraw(lng, lat));
  // A track of one point (or none) still shows where the unit was.
  const lone = o.points.length === 1 ? o.points : [];
  return [
    new PathLayer<TrackRun>({
      id: 'track-casing',
      data: runs,
      getPath: path,
      getColor: CASING,
      getWidth: 10 * px,
      widthUnits: 'pixels',
      capRounded: true,
      jointRounded: true,
    }),
    new PathLayer<TrackRun>({
      id: 'track-path',
      data: runs,
      getPath: path,
      getColor: (r) => bandColor(r.band),
      getWidth: 5 * px,
      widthUnits: 'pixels',
      capRounded: true,
      jointRounded: true,
    }),
    new ScatterplotLayer<TrackPoint>({
      id: 'track-lone',
      data: lone,
      getPosition: (p) => toDraw(p.lng, p.lat),
      getRadius: 6 * px,
      radiusUnits: 'pixels',
      getFillColor: (p) => bandColor(p.speed === undefined ? -1 : 0),
      stroked: true,
      getLineColor: CASING,
      lineWidthMinPixels: 2,
    }),
    new ScatterplotLayer<TrackOverlay['incidents'][number]>({
      id: 'track-incidents',
      data: o.incidents,
      getPosition: (i) => toDraw(i.lng, i.lat),
      getRadius: 9 * px,
      radiusUnits: 'pixels',
      getFillColor: (i) => PRIORITY_COLOR[i.priority] ?? PRIORITY_COLOR[3]!,
      stroked: true,
      getLineColor: WHITE,
      lineWidthMinPixels: 2 * px,
    }),
    new ScatterplotLayer<TrackMark>({
      id: 'track-marks',
      data: o.marks,
      getPosition: (m) => toDraw(m.lng, m.lat),
      getRadius: 12 * px,
      radiusUnits: 'pixels',
      getFillColor: (m) => m.color,
      stroked: true,
      getLineColor: CASING,
      lineWidthMinPixels: 2 * px,
    }),
    new TextLayer<TrackMark>({
      id: 'track-mark-labels',
      data: o.marks,
      getPosition: (m) => toDraw(m.lng, m.lat),
      getText: (m) => m.label,
      getSize: 15 * px,
      getColor: CASING,
      fontWeight: 800,
      characterSet: '0123456789',
    }),
  ];
}
