'use client';

import 'maplibre-gl/dist/maplibre-gl.css';
import * as maplibregl from 'maplibre-gl';
import type { StyleSpecification } from 'maplibre-gl';
import { MapLibreOverlay } from '@deck.gl/maplibre';
import { useEffect, useRef } from 'react';
import { easeMs } from '@/lib/map/render-profile';
import { browserRenderProfile } from '../map/renderer-profile';
import type { Recommendations } from './api';
import { dispatchLayers, type MapFocus } from './map-layers';
import styles from './dispatch.module.css';

/** Served by the app from node_modules (never a CDN: centres run on closed networks). */
const WORKER_URL = '/maplibre/maplibre-gl-worker.mjs';
const FOCUS_ZOOM = 15;
/** A plain dark background when no basemap style is configured: the units and incident still draw. */
const BLANK_STYLE: StyleSpecification = {
  version: 8,
  sources: {},
  layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#0b1a2e' } }],
};

export interface DispatchMapProps {
  focus: MapFocus | null;
  recs: Recommendations | null;
  styleUrl?: string;
}

export function DispatchMapInner({ focus, recs, styleUrl }: DispatchMapProps) {
  const container = useRef<HTMLDivElement>(null);
  const mapRef = useRef<maplibregl.Map | null>(null);
  const overlayRef = useRef<MapLibreOverlay | null>(null);

  useEffect(() => {
    if (!container.current) return;
    maplibregl.setWorkerUrl(WORKER_URL);
    const map = new maplibregl.Map({
      container: container.current,
      style: styleUrl ?? BLANK_STYLE,
      center: [focus?.lng ?? 120.17, focus?.lat ?? 30.25],
      zoom: FOCUS_ZOOM,
      attributionControl: false,
      fadeDuration: easeMs(browserRenderProfile(), 300),
    });
    // Tests wait on this map being idle before they time anything (as they do on the wall's).
    (window as unknown as { __pinganMap?: maplibregl.Map }).__pinganMap = map;
    const overlay = new MapLibreOverlay({ interleaved: false, layers: [] });
    map.addControl(overlay);
    mapRef.current = map;
    overlayRef.current = overlay;
    return () => {
      map.remove();
      mapRef.current = null;
      overlayRef.current = null;
    };
    // The map is created once; focus changes fly to the incident below.
  }, [styleUrl]);

  useEffect(() => {
    overlayRef.current?.setProps({ layers: dispatchLayers(focus, recs) });
    if (focus)
      mapRef.current?.easeTo({
        center: [focus.lng, focus.lat],
        zoom: FOCUS_ZOOM,
        duration: easeMs(browserRenderProfile(), 400),
      });
  }, [focus, recs]);

  return <div ref={container} className={styles.map} data-testid="dispatch-map" />;
}
