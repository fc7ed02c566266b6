'use client';

import 'maplibre-gl/dist/maplibre-gl.css';
import * as maplibregl from 'maplibre-gl';
import { MapLibreOverlay } from '@deck.gl/maplibre';
import type { PickingInfo } from '@deck.gl/core';
import { useEffect, useRef } from 'react';
import { registerPmtilesProtocol } from '@/lib/map/pmtiles-protocol';
import type { WallConnection } from '@/lib/realtime/socket-client';
import type { IncidentView } from '@/lib/domain/incident';
import { LiveMapModel, MAP_SWEEP_MS } from './live-map-model';
import { loadAreas, loadStyle } from './map-sources';
import type { MapLayerKey } from './layer-keys';
import { wallLayers, type WallLayerView } from './wall-layers';

/** Served by the app itself (scripts/copy-maplibre-worker.mjs), never a CDN: centres run on closed networks. */
const WORKER_URL = '/maplibre/maplibre-gl-worker.mjs';
/** Urgent incidents pulse with this period; the pulse is drawn at PULSE_FPS, not at the display's rate. */
const PULSE_PERIOD_MS = 1_600;
// 12 fps: smooth enough for a slow pulse, and cheap on the modest PCs that drive many walls.
const PULSE_FPS = 12;
/** Positions move at most 10× a second and a pulse reads well at 5 fps: more draws buy nothing on a wall. */
const MAX_DRAWS_PER_S = 5;

export type MapPick =
  | { kind: 'incident'; incident: IncidentView }
  | { kind: 'vehicle' | 'camera'; idx: number }
  | { kind: 'area'; code: string };

export interface LiveMapProps {
  connection: WallConnection;
  /** [minLng, minLat, maxLng, maxLat] to fit; refitted whenever it changes. */
  fitBbox: [number, number, number, number] | null;
  /** Screen pixels covered by panels on each side, so the fitted region sits in the visible middle. */
  padding?: { top: number; right: number; bottom: number; left: number };
  visible: Record<MapLayerKey, boolean>;
  selectedIncidentId?: string | null;
  /** Only areas whose code starts with this are drawn (the scoped region). */
  areaPrefix?: string;
  onPick?: (pick: MapPick) => void;
  /** Screen pixels per design pixel; markers and cluster cells scale with it (default 1). */
  pixelScale?: number;
}

export function LiveMapInner(props: LiveMapProps) {
  const container = useRef<HTMLDivElement>(null);
  const mapRef = useRef<maplibregl.Map | null>(null);
  const drawRef = useRef<() => void>(() => {});
  const propsRef = useRef(props);
  propsRef.current = props;
  const modelRef = useRef<LiveMapModel | null>(null);
  const { connection, areaPrefix } = props;

  useEffect(() => {
    const el = container.current;
    if (!el) return;
    maplibregl.setWorkerUrl(WORKER_URL);
    registerPmtilesProtocol(maplibregl);
    const model = new LiveMapModel(connection.state);
    modelRef.current = model;
    let map: maplibregl.Map | null = null;
    let overlay: MapLibreOverlay | null = null;
    let isDisposed = false;
    let frame = 0;
    let lastPulseDraw = 0;

    const view = (): WallLayerView => ({
      visible: propsRef.current.visible,
      pulse: (performance.now() % PULSE_PERIOD_MS) / PULSE_PERIOD_MS,
      selectedIncidentId: propsRef.current.selectedIncidentId ?? null,
      pixelScale: Math.max(1, propsRef.current.pixelScale ?? 1),
    });
    let lastDrawAt = 0;
    let deferred: ReturnType<typeof setTimeout> | null = null;
    const draw = () => {
      frame = 0;
      lastDrawAt = performance.now();
      overlay?.setProps({ layers: wallLayers(model.layerData(), view()) });
    };
    // Redraws are capped at MAX_DRAWS_PER_S: batches arrive 10× a second and the pulse ticks on top, and a
    // wall PC without a good GPU (software GL) would otherwise spend its whole main thread drawing.
    const schedule = () => {
      if (frame || deferred || isDisposed) return;
      const wait = lastDrawAt + 1000 / MAX_DRAWS_PER_S - performance.now();
      if (wait <= 0) frame = requestAnimationFrame(draw);
      else
        deferred = setTimeout(() => {
          deferred = null;
          if (!frame && !isDisposed) frame = requestAnimationFrame(draw);
        }, wait);
    };
    drawRef.current = schedule;

    const onClick = (info: PickingInfo) => {
      const id = info.layer?.id ?? '';
      const onPick = propsRef.current.onPick;
      if (!map || info.index < 0) return;
      if (id.endsWith('-clusters')) {
        // An aggregate opens up: zoom in two steps around it.
        map.easeTo({ center: info.coordinate as [number, number], zoom: map.getZoom() + 2, duration: 500 });
      } else if (id === 'incidents' && info.object)
        onPick?.({ kind: 'incident', incident: info.object as IncidentView });
      else if (id === 'vehicles' || id === 'cameras')
        onPick?.({ kind: id === 'vehicles' ? 'vehicle' : 'camera', idx: info.index });
      else if (id === 'areas' && info.object)
        onPick?.({ kind: 'area', code: (info.object as { properties: { code: string } }).properties.code });
    };

    void loadStyle().then((style) => {
      if (isDisposed) return;
      map = new maplibregl.Map({
        container: el,
        style,
        center: [104.07, 30.6],
        zoom: 11,
        attributionControl: false,
        // A wall is watched, rarely steered: no rotation, so "north up" always holds.
        dragRotate: false,
        pitchWithRotate: false,
        // An 8K splice wall is wider than MapLibre's default canvas cap; draw it at full resolution.
        maxCanvasSize: [16384, 16384],
      });
      mapRef.current = map;
      (window as unknown as { __pinganMap?: maplibregl.Map }).__pinganMap = map;
      overlay = new MapLibreOverlay({
        interleaved: false,
        layers: [],
        onClick,
        getCursor: ({ isHovering }) => (isHovering ? 'pointer' : 'grab'),
      });
      map.addControl(overlay);
      map.on('zoomend', () => {
        model.setZoom(map!.getZoom());
        schedule();
      });
      map.on('load', () => fit(map!, propsRef.current, false));
      model.setPixelScale(Math.max(1, propsRef.current.pixelScale ?? 1));
      model.setZoom(map.getZoom());
      schedule();
    });

    const unsubscribe = connection.subscribe((result) => {
      model.onBatch(result, Date.now());
      schedule();
    });
    // Anything already received before the map mounted.
    if (connection.state.lastSeq > 0) model.onBatch({ ok: true, isFull: true, newIncidents: [] }, Date.now());
    const sweep = setInterval(() => {
      model.sweep(Date.now());
      schedule();
    }, MAP_SWEEP_MS);
    const pulse = setInterval(() => {
      const now = performance.now();
      if (
        !document.hidden &&
        now - lastPulseDraw >= 1000 / PULSE_FPS &&
        connection.state.incidents.size > 0
      ) {
        lastPulseDraw = now;
        schedule();
      }
    }, 1000 / PULSE_FPS);

    return () => {
      isDisposed = true;
      modelRef.current = null;
      unsubscribe();
      clearInterval(sweep);
      clearInterval(pulse);
      if (frame) cancelAnimationFrame(frame);
      if (deferred) clearTimeout(deferred);
      overlay?.finalize();
      map?.remove();
      mapRef.current = null;
    };
  }, [connection]);

  // Drill-down changes which areas are drawn, not the map: the map and its state stay.
  useEffect(() => {
    const abort = new AbortController();
    void loadAreas(areaPrefix ?? '', abort.signal).then((a) => {
      if (abort.signal.aborted) return;
      modelRef.current?.setAreas(a);
      drawRef.current();
    });
    return () => abort.abort();
  }, [connection, areaPrefix]);

  const { fitBbox, padding, visible, selectedIncidentId, pixelScale } = props;
  useEffect(() => {
    modelRef.current?.setPixelScale(Math.max(1, pixelScale ?? 1));
    drawRef.current();
  }, [pixelScale]);
  useEffect(() => {
    // Not map.loaded(): that stays false while any source is still loading, and the fit would be lost.
    const map = mapRef.current;
    if (map) fit(map, propsRef.current, true);
  }, [fitBbox, padding]);
  useEffect(() => drawRef.current(), [visible, selectedIncidentId]);

  return <div ref={container} style={{ position: 'absolute', inset: 0 }} data-testid="live-map" />;
}

function fit(map: maplibregl.Map, props: LiveMapProps, isAnimated: boolean): void {
  const b = props.fitBbox;
  if (!b) return;
  const c = map.getContainer();
  const p = props.padding ?? { top: 0, right: 0, bottom: 0, left: 0 };
  // Never pad more than the map has: a narrow screen still shows the region.
  const w = c.clientWidth;
  const h = c.clientHeight;
  const safe = {
    top: Math.min(p.top, h * 0.4),
    bottom: Math.min(p.bottom, h * 0.4),
    left: Math.min(p.left, w * 0.4),
    right: Math.min(p.right, w * 0.4),
  };
  map.fitBounds(
    [
      [b[0], b[1]],
      [b[2], b[3]],
    ],
    { padding: safe, duration: isAnimated ? 800 : 0, maxZoom: 17 },
  );
}
