'use client';

import type { MapLibreOverlay } from '@deck.gl/maplibre';
import type { Map as MapLibreMap } from 'maplibre-gl';
import { useEffect, useRef } from 'react';
import { drawProjection, isDrawCrs } from '@/lib/geo/draw-projection';
import type { trackLayers } from '../map/track-layer';
import { trackOverlayBbox, type TrackOverlay } from '../map/track-overlay';

export interface FitPadding {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

/** How often the hook looks whether the page's map was replaced (a remount, replay mode): it follows it. */
const MAP_WATCH_MS = 1000;
/**
 * The fitted track keeps at least this share of the map's width and height clear of panels (on a wall the
 * gap between the left panels and the drawer is about a sixth of the width).
 */
const MIN_CLEAR_SHARE = 0.15;

/**
 * deck.gl's overlay and the track's layers, fetched the first time a track is shown: the drawer that shows
 * tracks is in the wall's first load, and deck.gl there would more than double it (the map itself is lazy).
 */
let deckParts: Promise<{
  MapLibreOverlay: typeof MapLibreOverlay;
  trackLayers: typeof trackLayers;
}> | null = null;
function loadDeckParts() {
  deckParts ??= Promise.all([import('@deck.gl/maplibre'), import('../map/track-layer')]).then(
    ([maplibre, track]) => ({ MapLibreOverlay: maplibre.MapLibreOverlay, trackLayers: track.trackLayers }),
    (err: unknown) => {
      // A chunk that failed to load (the server restarting) is asked for again by the next track shown.
      deckParts = null;
      throw err;
    },
  );
  return deckParts;
}

/** The page's map: the wall's and the console's both publish their MapLibre instance here. */
function pageMap(): MapLibreMap | null {
  return (window as unknown as { __pinganMap?: MapLibreMap }).__pinganMap ?? null;
}

/** What a browser test reads: the track's own layers as drawn and where a stored position is on the page. */
interface TrackTestView {
  layerIds(): string[];
  points: number;
  marks: number;
  project(lng: number, lat: number): { x: number; y: number };
}

/**
 * Draws `overlay` over the page's map in a deck.gl overlay of its own (so the map's code and its layers stay
 * untouched) and fits the map to it, clear of whatever `padding` names (the drawer, the panels). Removed
 * with the overlay (null) or the component.
 */
export function useTrackOnMap(
  overlay: TrackOverlay | null,
  opts: { pixelScale?: number; padding?: (map: DOMRect) => FitPadding } = {},
): void {
  const optsRef = useRef(opts);
  optsRef.current = opts;
  useEffect(() => {
    if (!overlay) return;
    let parts: Awaited<ReturnType<typeof loadDeckParts>> | null = null;
    let attached: { map: MapLibreMap; deck: MapLibreOverlay } | null = null;
    const detach = () => {
      if (!attached) return;
      try {
        attached.map.removeControl(attached.deck);
      } catch {
        // The map was removed with its controls already.
      }
      attached = null;
      delete (window as unknown as { __pinganTrackView?: TrackTestView }).__pinganTrackView;
    };
    const attach = () => {
      const map = pageMap();
      if (!parts || !map || attached?.map === map) return;
      detach();
      const crs = map.getContainer().dataset.crs;
      const projection = drawProjection(isDrawCrs(crs) ? crs : 'wgs84');
      const toDraw = (lng: number, lat: number) => projection.point(lng, lat);
      const px = Math.max(1, optsRef.current.pixelScale ?? 1);
      const layers = parts.trackLayers(overlay, toDraw, px);
      const deck = new parts.MapLibreOverlay({ interleaved: false, layers });
      map.addControl(deck);
      attached = { map, deck };
      (window as unknown as { __pinganTrackView?: TrackTestView }).__pinganTrackView = {
        layerIds: () => layers.filter((l) => hasData(l.props.data)).map((l) => l.id),
        points: overlay.points.length,
        marks: overlay.marks.length,
        project: (lng, lat) => {
          const p = map.project(toDraw(lng, lat));
          const r = map.getContainer().getBoundingClientRect();
          return { x: p.x + r.left, y: p.y + r.top };
        },
      };
      fitTo(map, overlay, toDraw, optsRef.current.padding);
    };
    let isLive = true;
    loadDeckParts().then(
      (p) => {
        if (!isLive) return;
        parts = p;
        attach();
      },
      (err: unknown) => console.warn('track overlay: deck.gl did not load', err),
    );
    const watch = setInterval(attach, MAP_WATCH_MS);
    return () => {
      isLive = false;
      clearInterval(watch);
      detach();
    };
  }, [overlay]);
}

function hasData(d: unknown): boolean {
  return Array.isArray(d) ? d.length > 0 : !!d;
}

function fitTo(
  map: MapLibreMap,
  overlay: TrackOverlay,
  toDraw: (lng: number, lat: number) => [number, number],
  padding?: (map: DOMRect) => FitPadding,
): void {
  const b = trackOverlayBbox(overlay);
  if (!b) return;
  const [x0, y0] = toDraw(b[0], b[1]);
  const [x1, y1] = toDraw(b[2], b[3]);
  const box = map.getContainer().getBoundingClientRect();
  const p = padding?.(box) ?? { top: 40, right: 40, bottom: 40, left: 40 };
  // Never pad the map away: panels that leave too little between them give up room in proportion.
  const [left, right] = share(p.left, p.right, box.width);
  const [top, bottom] = share(p.top, p.bottom, box.height);
  const safe = { top, bottom, left, right };
  map.fitBounds(
    [
      [x0, y0],
      [x1, y1],
    ],
    { padding: safe, duration: 600, maxZoom: 16 },
  );
}

/** Two paddings of one axis, scaled down together where they would leave less than MIN_CLEAR_SHARE clear. */
function share(a: number, b: number, size: number): [number, number] {
  const x = Number.isFinite(a) ? Math.max(0, a) : 0;
  const y = Number.isFinite(b) ? Math.max(0, b) : 0;
  const room = size * (1 - MIN_CLEAR_SHARE);
  const k = x + y > room ? room / (x + y) : 1;
  return [x * k, y * k];
}
