/**
 * The live map's deck.gl layers as one pure factory `(data, view) => Layer[]`. Entities are passed to deck.gl
 * as binary attributes over the client store's typed arrays (a fresh subarray view per version: deck.gl
 * re-uploads an external buffer only when its reference changes), never as an array of objects.
 */
import { IconLayer, LineLayer, ScatterplotLayer, TextLayer } from '@deck.gl/layers';
import type { Layer } from '@deck.gl/core';
import type { IncidentView } from '@/lib/domain/incident';
import type { KindColumns } from '@/lib/realtime/client-store';
import type { Clusters } from '@/lib/wall/cluster';
import type { EntityPaint } from '@/lib/wall/entity-paint';
import { PRIORITY_COLOR, type Rgba } from '@/lib/wall/palette';
import { TRAIL_SEGMENTS, type Trails } from '@/lib/wall/trails';
import { VEHICLE_ICON_ATLAS, VEHICLE_ICON_MAPPING } from './vehicle-icon';

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
  camera: EntityLayerData;
  trails: Trails;
  incidents: IncidentView[];
  incidentsVersion: number;
}

export interface WallLayerView {
  visible: Record<MapLayerKey, boolean>;
  /** 0..1, advanced by the animation loop: urgent incidents pulse. */
  pulse: number;
  /** Screen pixels per design pixel (the wall's stage scale): markers grow with the text on an 8K wall. */
  pixelScale: number;
  selectedIncidentId: string | null;
}

const NONE: Rgba = [0, 0, 0, 0];

/**
 * Data objects are cached per (source, version): the factory runs every animation frame (the pulse), and a
 * new subarray view would make deck.gl re-upload every buffer each frame. Same version → same object.
 */
const memo = new WeakMap<object, { key: string; value: unknown }>();
function cached<T>(owner: object, key: string, make: () => T): T {
  const hit = memo.get(owner);
  if (hit && hit.key === key) return hit.value as T;
  const value = make();
  memo.set(owner, { key, value });
  return value;
}

/** Binary attributes for the first `cols.count` entities. */
function binary(
  cols: KindColumns,
  paint: EntityPaint,
  extra: Record<string, { value: ArrayLike<number>; size: number }> = {},
) {
  const n = cols.count;
  return {
    length: n,
    attributes: {
      getPosition: { value: cols.position.subarray(0, 2 * n), size: 2 },
      getFillColor: { value: paint.color.subarray(0, 4 * n), size: 4, normalized: true },
      ...extra,
    },
  };
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
      // Radius grows with the member count, but slowly: 1 → 7 px, 1000 → ~24 px.
      getRadius: (_: unknown, { index }: { index: number }) => 7 + 2.5 * Math.log2(c.count[index]!),
      radiusUnits: 'pixels',
      radiusScale: px,
      stroked: true,
      getLineColor: [255, 255, 255, 200],
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
      getSize: 13,
      sizeScale: px,
      getColor: [6, 18, 40, 255],
      fontWeight: 700,
      characterSet: '0123456789',
      updateTriggers: { getPosition: c, getText: c },
    }),
  ];
}

export function wallLayers(data: WallLayerData, view: WallLayerView): Layer[] {
  const out: Layer[] = [];
  const { visible } = view;
  const px = view.pixelScale;
  const cam = data.camera;
  if (visible.cameras) {
    if (cam.clusters) out.push(...clusterLayers('camera', cam.clusters, px));
    else
      out.push(
        new ScatterplotLayer({
          id: 'cameras',
          data: binary(cam.cols, cam.paint),
          getRadius: 4,
          radiusUnits: 'pixels',
          radiusScale: px,
          radiusMinPixels: 3,
          stroked: true,
          getLineColor: [6, 18, 40, 200],
          lineWidthMinPixels: px,
          pickable: true,
          updateTriggers: { getFillColor: cam.paint.version },
        }),
      );
  }
  if (visible.trails) {
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
  const veh = data.vehicle;
  if (visible.vehicles) {
    if (veh.clusters) out.push(...clusterLayers('vehicle', veh.clusters, px));
    else {
      const n = veh.cols.count;
      out.push(
        new IconLayer({
          id: 'vehicles',
          data: cached(veh.paint.angle, `${veh.cols.version}|${veh.paint.version}|${n}`, () => ({
            length: n,
            attributes: {
              getPosition: { value: veh.cols.position.subarray(0, 2 * n), size: 2 },
              getColor: { value: veh.paint.color.subarray(0, 4 * n), size: 4, normalized: true },
              getAngle: { value: veh.paint.angle.subarray(0, n), size: 1 },
            },
          })),
          iconAtlas: VEHICLE_ICON_ATLAS,
          iconMapping: VEHICLE_ICON_MAPPING,
          getIcon: () => 'arrow',
          getSize: 26,
          sizeScale: px,
          sizeUnits: 'pixels',
          pickable: true,
        }),
      );
    }
  }
  if (visible.incidents) out.push(...incidentLayers(data, view));
  return out;
}

function incidentLayers(data: WallLayerData, view: WallLayerView): Layer[] {
  const urgent = cached(data.incidents, String(data.incidentsVersion), () =>
    data.incidents.filter((i) => i.priority <= 2),
  );
  const color = (i: IncidentView) => PRIORITY_COLOR[i.priority] ?? PRIORITY_COLOR[3]!;
  return [
    new ScatterplotLayer({
      id: 'incident-pulse',
      data: urgent,
      getPosition: (i: IncidentView) => [i.lng, i.lat],
      getRadius: (i: IncidentView) => (i.priority === 1 ? 22 : 16),
      radiusUnits: 'pixels',
      // The pulse is a uniform (radiusScale/opacity): animating it costs no attribute update.
      radiusScale: (0.6 + view.pulse * 1.2) * view.pixelScale,
      opacity: 1 - view.pulse,
      filled: false,
      stroked: true,
      getLineColor: color,
      lineWidthMinPixels: 3 * view.pixelScale,
      updateTriggers: { getLineColor: data.incidentsVersion, getRadius: data.incidentsVersion },
    }),
    new ScatterplotLayer({
      id: 'incidents',
      data: data.incidents,
      getPosition: (i: IncidentView) => [i.lng, i.lat],
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
        getPosition: data.incidentsVersion,
        getRadius: [data.incidentsVersion, view.selectedIncidentId],
      },
    }),
  ];
}
