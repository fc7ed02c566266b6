'use client';

import 'maplibre-gl/dist/maplibre-gl.css';
import * as maplibregl from 'maplibre-gl';
import { MapLibreOverlay } from '@deck.gl/maplibre';
import { useEffect, useRef, useState } from 'react';
import { drawProjection, type DrawCrs } from '@/lib/geo/draw-projection';
import { registerPmtilesProtocol } from '@/lib/map/pmtiles-protocol';
import { easeMs } from '@/lib/map/render-profile';
import { displayTokenHeaders, loadMapSetup, MAPLIBRE_WORKER_URL } from '../map/map-sources';
import { browserRenderProfile } from '../map/renderer-profile';
import type { Recommendations } from './api';
import { dispatchLayers, type MapFocus } from './map-layers';
import styles from './dispatch.module.css';

const FOCUS_ZOOM = 15;

export interface DispatchMapProps {
  focus: MapFocus | null;
  recs: Recommendations | null;
}

/**
 * The console's map: the wall's own basemap (GET /api/map/style.json: built-in, PMTiles or a deployment's
 * style) in the wall's coordinate system (BASEMAP_CRS), with the incident, its cameras and the proposed units.
 */
export function DispatchMapInner({ focus, recs }: DispatchMapProps) {
  const container = useRef<HTMLDivElement>(null);
  const mapRef = useRef<maplibregl.Map | null>(null);
  const overlayRef = useRef<MapLibreOverlay | null>(null);
  const focusRef = useRef(focus);
  focusRef.current = focus;
  const [crs, setCrs] = useState<DrawCrs | null>(null);

  useEffect(() => {
    const el = container.current;
    if (!el) return;
    maplibregl.setWorkerUrl(MAPLIBRE_WORKER_URL);
    registerPmtilesProtocol(maplibregl);
    let isDisposed = false;
    let map: maplibregl.Map | null = null;
    void loadMapSetup().then(({ style, crs: basemapCrs }) => {
      if (isDisposed) return;
      const f = focusRef.current;
      const center = drawProjection(basemapCrs).point(f?.lng ?? 104.07, f?.lat ?? 30.6);
      map = new maplibregl.Map({
        container: el,
        style,
        center,
        zoom: FOCUS_ZOOM,
        attributionControl: false,
        dragRotate: false,
        fadeDuration: easeMs(browserRenderProfile(), 300),
        transformRequest: (url) =>
          url.startsWith(`${window.location.origin}/api/`)
            ? { url, headers: displayTokenHeaders() }
            : { url },
      });
      el.dataset.crs = basemapCrs;
      // Tests wait on this map being idle before they time anything (as they do on the wall's).
      (window as unknown as { __pinganMap?: maplibregl.Map }).__pinganMap = map;
      const overlay = new MapLibreOverlay({ interleaved: false, layers: [] });
      map.addControl(overlay);
      mapRef.current = map;
      overlayRef.current = overlay;
      setCrs(basemapCrs);
    });
    return () => {
      isDisposed = true;
      map?.remove();
      mapRef.current = null;
      overlayRef.current = null;
    };
  }, []);

  useEffect(() => {
    if (!crs) return;
    const projection = drawProjection(crs);
    const toDraw = projection.point.bind(projection);
    overlayRef.current?.setProps({ layers: dispatchLayers(focus, recs, { toDraw }) });
    if (focus)
      mapRef.current?.easeTo({
        center: toDraw(focus.lng, focus.lat),
        zoom: FOCUS_ZOOM,
        duration: easeMs(browserRenderProfile(), 400),
      });
  }, [focus, recs, crs]);

  return <div ref={container} className={styles.map} data-testid="dispatch-map" />;
}
