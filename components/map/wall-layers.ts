/**
 * The live map's deck.gl layers as one pure factory `(data, view) => Layer[]`. Entities are passed to deck.gl
 * as binary attributes over the client store's typed arrays (a fresh subarray view per version: deck.gl
 * re-uploads an external buffer only when its reference changes), never as an array of objects.
 */
import { IconLayer, LineLayer, ScatterplotLayer, TextLayer } from '@deck.gl/layers';
import type { Layer } from '@deck.gl/core';
import type { IncidentView } from '@/lib/domain/incident';
import type { KindColumns } from '@/lib/realtime/client-store';
import { clusterMaxRadius, type Clusters } from '@/lib/wall/cluster';
import type { EntityPaint } from '@/lib/wall/entity-paint';
import { CLUSTER_LINE_COLOR, PRIORITY_COLOR, type Rgba } from '@/lib/wall/palette';
import { TRAIL_SEGMENTS, type Trails } from '@/lib/wall/trails';
import { VEHICLE_ICON_ATLAS, VEHICLE_ICON_MAPPING } from './vehicle-icon';
import { WORKER_ICON_ATLAS, WORKER_ICON_MAPPING } from './worker-icon';
import { heatLayer, heatRadiusM, type HeatPoint } from './heat-layer';

import type { MapLayerKey } from './layer-keys';

export { MAP_LAYER_KEYS, type MapLayerKey } from './layer-keys';

export interface EntityLayerData {
  cols: KindColumns;
  paint: EntityPaint;
  /** Present when the view aggregates this kind (zoomed out at scale). */
  clusters: Clusters | null;
}

export interface WallLayerData {
  vehicle: EntityLayerData;
  worker: EntityLayerData;
  camera: EntityLayerData;
  trails: Trails;
  incidents: IncidentView[];
  incidentsVersion: number;
  /**
   * Zoomed out past INCIDENT_CLUSTER_MIN open incidents: the incidents less urgent than `incidentDotsUpTo` as
   * clusters, drawn under the rest, which (with the selected and the alarmed) stay dots of their own.
   */
  incidentClusters: Clusters | null;
  /** Incidents of this priority or more urgent are dots (4 when nothing is clustered, 0 when all are). */
  incidentDotsUpTo: number;
  /** Zoomed in far enough that cameras are points one can click (else a quiet texture). */
  cameraPoints: boolean;
  /** Stored WGS-84 → the basemap's system, for the low-rate things drawn from objects (incidents). */
  toDraw: (lng: number, lat: number) => [number, number];
  crs: string;
}

export interface WallLayerView {
  visible: Record<MapLayerKey, boolean>;
  /** 0..1, advanced by the animation loop: urgent incidents pulse. */
  pulse: number;
  /** Screen pixels per design pixel (the wall's stage scale): markers grow with the text on an 8K wall. */
  pixelScale: number;
  selectedIncidentId: string | null;
  /**
   * Unacknowledged 特急/紧急 incidents (the wall's alarm banner): their markers blink until a person
   * acknowledges them, like their banner and list rows. Absent: none.
   */
  flashingIncidentIds?: ReadonlySet<string>;
  /** A replayed period's incidents, drawn as a heat layer under the units (absent on the live wall). */
  heat?: readonly HeatPoint[] | null;
}

/** The alarm halo's opacity in its on and off halves of each pulse period (like the rows' 0.8 s blink). */
export const ALARM_HALO_OPACITY = { on: 0.85, off: 0.15 } as const;

const NONE: Rgba = [0, 0, 0, 0];

/**
 * Data objects are cached per (source, version): the factory runs every animation frame (the pulse), and a
 * new subarray view would make deck.gl re-upload every buffer each frame. Same version → same object.
 */
const memo = new WeakMap<object, Map<string, { key: string; value: unknown }>>();
/** `slot` tells apart several things derived from one owner (an incident list's subset and its positions). */
function cached<T>(owner: object, key: string, make: () => T, slot = ''): T {
  let slots = memo.get(owner);
  if (!slots) memo.set(owner, (slots = new Map()));
  const hit = slots.get(slot);
  if (hit && hit.key === key) return hit.value as T;
  const value = make();
  slots.set(slot, { key, value });
  return value;
}

/**
 * Binary attributes for the first `cols.count` entities, with `color` (the status colour or the quiet one);
 * cached on the colour buffer per (positions, colours, count) version.
 */
function binary(cols: KindColumns, paint: EntityPaint, color: Uint8Array, slot: string) {
  const n = cols.count;
  // Keyed on the position buffer: a new basemap system or a grown store brings a new buffer.
  return cached(
    cols.position,
    `${cols.version}|${paint.version}|${n}|${color.length}`,
    () => ({
      length: n,
      attributes: {
        getPosition: { value: cols.position.subarray(0, 2 * n), size: 2 },
        getFillColor: { value: color.subarray(0, 4 * n), size: 4, normalized: true },
      },
    }),
    slot,
  );
}

/** One data object per set of camera cells: deck.gl uploads them once, not every frame. */
function cameraCells(c: Clusters) {
  return cached(c.position, '', () => ({
    length: c.length,
    attributes: {
      getPosition: { value: c.position, size: 2 },
      getFillColor: { value: c.color, size: 4, normalized: true },
    },
  }));
}

/**
 * A cluster's circle: grows with its member count, slowly (1 → 7, 100 → ~24, 10,000 → ~40 px at scale 1), and
 * never past half its cell less a gap, so neighbouring circles stay apart however dense the units are.
 */
export function clusterRadius(c: Clusters, index: number, px: number): number {
  return Math.min(clusterMaxRadius(c, px), 7 + 2.5 * Math.log2(c.count[index]!));
}

function clusterLayers(id: string, c: Clusters, px: number): Layer[] {
  return [
    new ScatterplotLayer({
      id: `${id}-clusters`,
      data: {
        length: c.length,
        attributes: {
          getPosition: { value: c.position, size: 2 },
          getFillColor: { value: c.color, size: 4, normalized: true },
        },
      },
      getRadius: (_: unknown, { index }: { index: number }) => clusterRadius(c, index, px),
      radiusUnits: 'pixels',
      radiusScale: px,
      stroked: true,
      getLineColor: CLUSTER_LINE_COLOR,
      lineWidthMinPixels: 1.5 * px,
      opacity: 0.9,
      pickable: true,
      updateTriggers: { getRadius: c },
    }),
    new TextLayer({
      id: `${id}-cluster-count`,
      data: cached(c, 'text', () => ({ length: c.length })),
      getPosition: (_: unknown, { index }: { index: number }) => [
        c.position[2 * index]!,
        c.position[2 * index + 1]!,
      ],
      getText: (_: unknown, { index }: { index: number }) =>
        c.count[index]! > 1 ? String(c.count[index]) : '',
      // A five-digit count in a large circle reads at 16 px; a small circle keeps 13 px so its digits fit.
      getSize: (_: unknown, { index }: { index: number }) => (clusterRadius(c, index, px) >= 30 ? 16 : 13),
      sizeScale: px,
      getColor: [6, 18, 40, 255],
      fontWeight: 700,
      characterSet: '0123456789',
      updateTriggers: { getPosition: c, getText: c, getSize: c },
    }),
  ];
}

/**
 * Drawn bottom to top: cameras (a quiet texture zoomed out), trails, grid workers, units, and incidents last,
 * so an incident is never under anything and wins every click where it overlaps something else.
 */
export function wallLayers(data: WallLayerData, view: WallLayerView): Layer[] {
  const out: Layer[] = [];
  const { visible } = view;
  const px = view.pixelScale;
  if (visible.cameras) out.push(cameraLayer(data));
  const heat = view.heat;
  if (heat && heat.length > 0 && visible.incidents)
    out.push(
      heatLayer(
        heat,
        data.toDraw,
        cached(heat, data.crs, () => heatRadiusM(heat), 'heat'),
      ),
    );
  // Trails follow the units' level of detail: none while the units are aggregated into numbered circles
  // (zoomed out at scale). Thousands of trails say nothing there, and they cost TRAIL_SEGMENTS lines per unit
  // every frame: at 100 k units a software-GL wall spent ~45 s on one frame, its main thread blocked in the
  // commit until Socket.IO dropped it for a missed heartbeat (issue 20).
  if (visible.trails && !data.vehicle.clusters) {
    const t = data.trails;
    const n = data.vehicle.cols.count * TRAIL_SEGMENTS;
    out.push(
      new LineLayer({
        id: 'trails',
        data: cached(t, `${t.version}|${n}|${t.capacity}`, () => ({
          length: n,
          attributes: {
            getSourcePosition: { value: t.source.subarray(0, 2 * n), size: 2 },
            getTargetPosition: { value: t.target.subarray(0, 2 * n), size: 2 },
          },
        })),
        getColor: [64, 200, 255, 110],
        getWidth: 2,
        widthScale: px,
        widthUnits: 'pixels',
      }),
    );
  }
  if (visible.workers) out.push(...iconLayers('workers', data.worker, px, WORKERS_ICON));
  if (visible.vehicles) out.push(...iconLayers('vehicles', data.vehicle, px, VEHICLES_ICON));
  if (visible.incidents) out.push(...incidentLayers(data, view));
  return out;
}

function cameraLayer(data: WallLayerData): Layer {
  const cam = data.camera;
  const px = 1; // cameras stay small on every wall: they are context, not the message
  if (!data.cameraPoints && cam.clusters)
    // Zoomed out at scale: the same texture from screen cells (live-map-model CAMERA_CELL_PX), a little larger
    // where a cell holds many cameras.
    return new ScatterplotLayer({
      id: 'cameras-quiet',
      data: cameraCells(cam.clusters),
      getRadius: (_: unknown, { index }: { index: number }) =>
        Math.min(2.8, 1.6 + 0.3 * Math.log2(cam.clusters!.count[index]!)),
      radiusUnits: 'pixels',
      radiusScale: px,
      radiusMinPixels: 1.2,
      stroked: false,
      pickable: false,
    });
  if (!data.cameraPoints)
    // Zoomed out: small faint dots under everything, never picked (a click goes to what is above or to the
    // area beneath). Offline and faulty cameras are brighter, so a dark district still shows.
    return new ScatterplotLayer({
      id: 'cameras-quiet',
      data: binary(cam.cols, cam.paint, cam.paint.quiet, 'quiet'),
      getRadius: 1.6,
      radiusUnits: 'pixels',
      radiusScale: px,
      radiusMinPixels: 1.2,
      stroked: false,
      pickable: false,
    });
  return new ScatterplotLayer({
    id: 'cameras',
    data: binary(cam.cols, cam.paint, cam.paint.color, 'points'),
    getRadius: 4,
    radiusUnits: 'pixels',
    radiusMinPixels: 3,
    stroked: true,
    getLineColor: [6, 18, 40, 200],
    lineWidthMinPixels: 1,
    pickable: true,
  });
}

interface IconStyle {
  atlas: string;
  mapping: Record<string, { x: number; y: number; width: number; height: number; mask: boolean }>;
  icon: string;
  size: number;
  /** Turned by heading (units) or upright (people). */
  isTurned: boolean;
  isPickable: boolean;
}
const VEHICLES_ICON: IconStyle = {
  atlas: VEHICLE_ICON_ATLAS,
  mapping: VEHICLE_ICON_MAPPING,
  icon: 'arrow',
  size: 26,
  isTurned: true,
  isPickable: true,
};
// Not pickable yet: the wall's details drawer opens units and cameras, not workers.
const WORKERS_ICON: IconStyle = {
  atlas: WORKER_ICON_ATLAS,
  mapping: WORKER_ICON_MAPPING,
  icon: 'person',
  size: 16,
  isTurned: false,
  isPickable: false,
};

/** Units or workers: one icon each, or numbered aggregates when zoomed out at scale. */
function iconLayers(id: string, e: EntityLayerData, px: number, style: IconStyle): Layer[] {
  if (e.clusters) return clusterLayers(id.replace(/s$/, ''), e.clusters, px);
  const n = e.cols.count;
  return [
    new IconLayer({
      id,
      data: cached(
        e.cols.position,
        `${e.cols.version}|${e.paint.version}|${n}|${e.paint.color.length}`,
        () => ({
          length: n,
          attributes: {
            getPosition: { value: e.cols.position.subarray(0, 2 * n), size: 2 },
            getColor: { value: e.paint.color.subarray(0, 4 * n), size: 4, normalized: true },
            ...(style.isTurned ? { getAngle: { value: e.paint.angle.subarray(0, n), size: 1 } } : {}),
          },
        }),
        'icons',
      ),
      iconAtlas: style.atlas,
      iconMapping: style.mapping,
      getIcon: () => style.icon,
      getSize: style.size,
      sizeScale: px,
      sizeUnits: 'pixels',
      pickable: style.isPickable,
    }),
  ];
}

function incidentLayers(data: WallLayerData, view: WallLayerView): Layer[] {
  const upTo = data.incidentDotsUpTo;
  const urgent = cached(data.incidents, `${data.incidentsVersion}|${upTo}`, () =>
    data.incidents.filter((i) => i.priority <= Math.min(2, upTo)),
  );
  const flashing = view.flashingIncidentIds;
  const clusters = data.incidentClusters;
  const dots = clusters
    ? cached(
        clusters,
        `${data.incidentsVersion}|${upTo}|${view.selectedIncidentId}|${flashing ? [...flashing].join(',') : ''}`,
        () =>
          data.incidents.filter(
            (i) => i.priority <= upTo || i.id === view.selectedIncidentId || flashing?.has(i.id) === true,
          ),
        'dots',
      )
    : data.incidents;
  const color = (i: IncidentView) => PRIORITY_COLOR[i.priority] ?? PRIORITY_COLOR[3]!;
  // Converted once per incident list (and basemap system), not per frame: the pulse redraws every frame.
  const at = cached(
    data.incidents,
    `${data.incidentsVersion}|${data.crs}`,
    () => {
      const m = new Map<string, [number, number]>();
      for (const i of data.incidents) m.set(i.id, data.toDraw(i.lng, i.lat));
      return m;
    },
    'positions',
  );
  const getPosition = (i: IncidentView) => at.get(i.id) ?? data.toDraw(i.lng, i.lat);
  const layers: Layer[] = [
    ...(clusters ? clusterLayers('incident', clusters, view.pixelScale) : []),
    new ScatterplotLayer({
      id: 'incident-pulse',
      data: urgent,
      getPosition,
      getRadius: (i: IncidentView) => (i.priority === 1 ? 22 : 16),
      radiusUnits: 'pixels',
      // The pulse is a uniform (radiusScale/opacity): animating it costs no attribute update.
      radiusScale: (0.6 + view.pulse * 1.2) * view.pixelScale,
      opacity: 1 - view.pulse,
      filled: false,
      stroked: true,
      getLineColor: color,
      lineWidthMinPixels: 3 * view.pixelScale,
      updateTriggers: {
        getLineColor: data.incidentsVersion,
        getRadius: data.incidentsVersion,
        getPosition: [data.incidentsVersion, data.crs],
      },
    }),
  ];
  // Only incidents still on the board: an alarm for one the wall no longer holds has nothing to mark.
  const alarmed =
    flashing && flashing.size > 0
      ? cached(flashing, String(data.incidentsVersion), () =>
          data.incidents.filter((i) => flashing.has(i.id)),
        )
      : [];
  if (alarmed.length > 0)
    layers.push(
      new ScatterplotLayer({
        id: 'incident-alarm',
        data: alarmed,
        getPosition,
        getRadius: (i: IncidentView) => (i.priority === 1 ? 24 : 20),
        radiusUnits: 'pixels',
        radiusScale: view.pixelScale,
        getFillColor: color,
        stroked: true,
        getLineColor: [255, 255, 255, 255],
        lineWidthMinPixels: 2 * view.pixelScale,
        // The blink is a uniform (opacity) flipped by the pulse clock the map already redraws on: no
        // attribute update and no React render per frame.
        opacity: view.pulse < 0.5 ? ALARM_HALO_OPACITY.on : ALARM_HALO_OPACITY.off,
        updateTriggers: {
          getFillColor: data.incidentsVersion,
          getRadius: data.incidentsVersion,
          getPosition: [data.incidentsVersion, data.crs],
        },
      }),
    );
  layers.push(
    new ScatterplotLayer({
      id: 'incidents',
      data: dots,
      getPosition,
      getRadius: (i: IncidentView) =>
        i.id === view.selectedIncidentId ? 12 : i.priority === 1 ? 9 : i.priority === 2 ? 8 : 6,
      radiusUnits: 'pixels',
      radiusScale: view.pixelScale,
      getFillColor: (i: IncidentView) => (i.priority <= 4 ? color(i) : NONE),
      stroked: true,
      getLineColor: [255, 255, 255, 230],
      lineWidthMinPixels: 1.5 * view.pixelScale,
      pickable: true,
      updateTriggers: {
        getFillColor: data.incidentsVersion,
        getPosition: [data.incidentsVersion, data.crs],
        getRadius: [data.incidentsVersion, view.selectedIncidentId],
      },
    }),
  );
  return layers;
}
