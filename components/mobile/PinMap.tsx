'use client';

import 'maplibre-gl/dist/maplibre-gl.css';
import * as maplibregl from 'maplibre-gl';
import { useEffect, useRef } from 'react';
import { toWgs84, wgs84To } from '@/lib/geo/crs';
import { dayBasemapStyle } from '@/lib/mobile/day-basemap';
import { registerPmtilesProtocol } from '@/lib/map/pmtiles-protocol';
import { loadMapSetup, MAPLIBRE_WORKER_URL, OFFLINE_STYLE } from '../map/map-sources';

/**
 * Street level with a few streets around (±360 m × ±220 m on a 390 px phone): enough to recognise where the
 * pin stands and to move it; a worker pinches in for more.
 */
const PIN_MAP_ZOOM = 15;

const NO_BASEMAP_STYLE: maplibregl.StyleSpecification = {
  version: 8,
  sources: {},
  layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#e9edf1' } }],
};

/**
 * A small map with one draggable pin: the report's place, from the phone's fix or moved by the worker. It
 * draws the wall's own basemap from this server (no map service on the internet) in day colours (the wall's
 * dark navy is a black box in sunlight), positions kept in WGS-84.
 */
export function PinMap({
  value,
  onChange,
}: {
  value: [number, number];
  onChange: (lngLat: [number, number]) => void;
}) {
  const container = useRef<HTMLDivElement | null>(null);
  const markerRef = useRef<maplibregl.Marker | null>(null);
  const mapRef = useRef<maplibregl.Map | null>(null);
  const crsRef = useRef<'wgs84' | 'gcj02'>('wgs84');
  const onChangeRef = useRef(onChange);
  const initial = useRef(value);
  useEffect(() => {
    onChangeRef.current = onChange;
  }, [onChange]);

  useEffect(() => {
    const el = container.current;
    if (!el) return;
    let isDisposed = false;
    maplibregl.setWorkerUrl(MAPLIBRE_WORKER_URL);
    registerPmtilesProtocol(maplibregl);
    void loadMapSetup().then(({ style, crs }) => {
      if (isDisposed) return;
      crsRef.current = crs;
      const at = wgs84To(initial.current[0], initial.current[1], crs);
      const map = new maplibregl.Map({
        container: el,
        // Without a signal there is no basemap: a plain light ground (not the wall's navy), the pin still works.
        style: style === OFFLINE_STYLE ? NO_BASEMAP_STYLE : dayBasemapStyle(style),
        center: at,
        zoom: PIN_MAP_ZOOM,
        attributionControl: false,
        dragRotate: false,
        pitchWithRotate: false,
      });
      map.touchZoomRotate.disableRotation();
      const marker = new maplibregl.Marker({ draggable: true, color: '#c92a2a', scale: 1.4 })
        .setLngLat(at)
        .addTo(map);
      const report = (lng: number, lat: number) => {
        const [x, y] = toWgs84(lng, lat, crsRef.current);
        onChangeRef.current([Number(x.toFixed(6)), Number(y.toFixed(6))]);
      };
      marker.on('dragend', () => {
        const p = marker.getLngLat();
        report(p.lng, p.lat);
      });
      // A tap puts the pin there too: dragging a small pin with a thumb is harder than tapping.
      map.on('click', (e) => {
        marker.setLngLat(e.lngLat);
        report(e.lngLat.lng, e.lngLat.lat);
      });
      // For tests and for a worker's eye alike: the map says when its tiles are drawn.
      map.once('idle', () => {
        el.dataset.ready = '1';
      });
      mapRef.current = map;
      markerRef.current = marker;
    });
    return () => {
      isDisposed = true;
      mapRef.current?.remove();
      mapRef.current = null;
      markerRef.current = null;
    };
  }, []);

  // A new fix from the phone moves the pin (and the view) without rebuilding the map.
  useEffect(() => {
    const marker = markerRef.current;
    const map = mapRef.current;
    if (!marker || !map) return;
    const at = wgs84To(value[0], value[1], crsRef.current);
    const cur = marker.getLngLat();
    if (Math.abs(cur.lng - at[0]) < 1e-7 && Math.abs(cur.lat - at[1]) < 1e-7) return;
    marker.setLngLat(at);
    map.easeTo({ center: at, duration: 300 });
  }, [value]);

  return <div ref={container} data-testid="m-pin-map" style={{ width: '100%', height: '100%' }} />;
}
