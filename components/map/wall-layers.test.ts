import { afterEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { INCIDENT_STATES } from '@/lib/domain/enums';
import { timeLimitStatus } from '@/lib/domain/time-limits';
import type { IncidentView } from '@/lib/domain/incident';
import { createClientState } from '@/lib/realtime/client-store';
import { CAMERA_LOOKS, CAMERA_QUIET_COLOR, PRIORITY_COLOR } from '@/lib/wall/palette';
import { drawProjection } from '@/lib/geo/draw-projection';
import { MAP_LAYER_KEYS, type MapLayerKey } from './layer-keys';
import {
  CAMERA_CELLS_REFRESH_MS,
  CLUSTER_MIN_POINTS,
  INCIDENT_CLUSTER_MIN,
  INCIDENT_DOTS_MAX,
  LiveMapModel,
  MAP_SWEEP_MS,
  RECLUSTER_MAX_SHARE,
} from './live-map-model';
import { CLUSTER_CELL_PX, CLUSTER_GAP_PX } from '@/lib/wall/cluster';
import { ALARM_HALO_OPACITY, clusterRadius, wallLayers, type WallLayerView } from './wall-layers';
import { TRAIL_SAMPLE_MS } from '@/lib/wall/trails';

const NOW = 1_800_000_000_000;
const ALL = Object.fromEntries(MAP_LAYER_KEYS.map((k) => [k, true])) as Record<MapLayerKey, boolean>;
const VIEW: WallLayerView = { visible: ALL, pulse: 0, pixelScale: 1, selectedIncidentId: null };

function incident(id: string, priority: number, lng: number, lat: number): IncidentView {
  return {
    id,
    category: 'dispute',
    title: id,
    priority,
    source: 'grid_worker',
    state: 'reported',
    lng,
    lat,
    address: null,
    gridCode: null,
    reportedAt: NOW,
    receivedAt: NOW,
    updatedAt: NOW,
    assigneeKind: null,
    assigneeId: null,
    supervision: 0,
  };
}

/** A wall's store with `n` of each kind around one point, and a few incidents among them. */
function model(n: number, zoom: number) {
  const state = createClientState();
  for (const kind of ['vehicle', 'worker', 'camera'] as const) {
    const c = state.entities[kind];
    const grow = (len: number, T: typeof Float64Array | typeof Uint8Array | typeof Float32Array) =>
      new T(len);
    c.capacity = n;
    c.position = grow(2 * n, Float64Array) as Float64Array;
    c.present = grow(n, Uint8Array) as Uint8Array;
    c.heading = grow(n, Float32Array) as Float32Array;
    c.speed = grow(n, Uint8Array) as Uint8Array;
    c.status = grow(n, Uint8Array) as Uint8Array;
    c.ts = grow(n, Float64Array) as Float64Array;
    c.count = n;
    for (let i = 0; i < n; i++) {
      c.position[2 * i] = 104.05 + (i % 40) * 0.001;
      c.position[2 * i + 1] = 30.65 + Math.floor(i / 40) * 0.001;
      c.present[i] = 1;
      c.ts[i] = NOW;
      c.status[i] = kind === 'camera' && i % 10 === 0 ? 1 : 0; // every tenth camera offline
    }
  }
  state.incidents.set('a', incident('a', 2, 104.06, 30.66));
  state.incidents.set('b', incident('b', 1, 104.07, 30.66));
  state.incidentsVersion = 1;
  const m = new LiveMapModel(state);
  m.setZoom(zoom);
  m.onBatch({ ok: true, isFull: true, newIncidents: [] }, NOW);
  return { m, state };
}

const ids = (layers: { id: string }[]) => layers.map((l) => l.id);

describe('wallLayers', () => {
  it('draws cameras as a quiet, unpickable texture zoomed out, never as numbered clusters', () => {
    const { m } = model(CLUSTER_MIN_POINTS + 200, 11);
    const layers = wallLayers(m.layerData(), VIEW);
    expect(ids(layers)).toContain('cameras-quiet');
    expect(ids(layers).some((id) => id.startsWith('camera-cluster'))).toBe(false);
    const quiet = layers.find((l) => l.id === 'cameras-quiet')!;
    expect(quiet.props.pickable).toBe(false);
    // Faint: online cameras at under a third of full opacity; offline brighter than online.
    expect(CAMERA_QUIET_COLOR.online[3]).toBeLessThan(255 / 3);
    expect(CAMERA_QUIET_COLOR.offline[3]).toBeGreaterThan(CAMERA_QUIET_COLOR.online[3]);
    const paint = m.layerData().camera.paint;
    expect(paint.quiet[3]).toBe(CAMERA_QUIET_COLOR.offline[3]); // idx 0 is offline
    expect(paint.look[1]).toBe(CAMERA_LOOKS.indexOf('online'));
    expect(paint.quiet[4 + 3]).toBe(CAMERA_QUIET_COLOR.online[3]);
  });

  it('draws many cameras zoomed out as a texture of screen cells, each in its worst camera’s colour', () => {
    const n = CLUSTER_MIN_POINTS + 200;
    const { m, state } = model(n, 11);
    type CellData = { length: number; attributes: { getFillColor: { value: Uint8Array } } };
    const cells = () =>
      wallLayers(m.layerData(), VIEW).find((l) => l.id === 'cameras-quiet')!.props.data as CellData;
    const colours = (d: CellData) =>
      Array.from({ length: d.length }, (_, c) =>
        d.attributes.getFillColor.value.subarray(4 * c, 4 * c + 4).join(),
      );
    const first = cells();
    expect(first.length).toBeGreaterThan(0);
    expect(first.length).toBeLessThan(n / 2);
    // Every tenth camera is offline: cells holding one show it, the others are online.
    expect(new Set(colours(first))).toEqual(
      new Set([CAMERA_QUIET_COLOR.offline.join(), CAMERA_QUIET_COLOR.online.join()]),
    );

    // Cameras do not move: a status change redraws the cells at most every CAMERA_CELLS_REFRESH_MS…
    const cams = state.entities.camera;
    cams.status.fill(1, 0, n);
    state.lastChanged.camera = Uint32Array.from({ length: n }, (_, i) => i);
    m.onBatch({ ok: true, isFull: false, newIncidents: [] }, NOW + 1_000);
    m.sweep(NOW + 1_000);
    expect(cells()).toBe(first);
    m.sweep(NOW + CAMERA_CELLS_REFRESH_MS);
    const second = cells();
    expect(second).not.toBe(first);
    expect(new Set(colours(second))).toEqual(new Set([CAMERA_QUIET_COLOR.offline.join()]));
    // …and a zoom step at once, in finer cells.
    m.setZoom(12.5);
    expect(cells().length).toBeGreaterThan(second.length);
  });

  it('draws single, pickable cameras when zoomed in', () => {
    const { m } = model(50, 16);
    const cams = wallLayers(m.layerData(), VIEW).find((l) => l.id === 'cameras')!;
    expect(cams.props.pickable).toBe(true);
  });

  it('draws incidents last (on top, picked first) and units and workers under them', () => {
    const { m } = model(CLUSTER_MIN_POINTS + 200, 11);
    const order = ids(wallLayers(m.layerData(), VIEW));
    expect(order.slice(-2)).toEqual(['incident-pulse', 'incidents']);
    // At scale units and workers aggregate; cameras never do.
    expect(order).toEqual(expect.arrayContaining(['vehicle-clusters', 'worker-clusters', 'cameras-quiet']));
    expect(order.indexOf('cameras-quiet')).toBe(0);
  });

  it('never draws a cluster circle past half its cell, so dense units read as separate circles, not a carpet', () => {
    const { m } = model(CLUSTER_MIN_POINTS + 200, 11);
    const px = 1.5; // a wall scaled up for 5 m: cells and circles both in its pixels
    m.setPixelScale(px);
    const c = m.layerData().vehicle.clusters!;
    expect(c.cellPx).toBe(CLUSTER_CELL_PX * px);
    const counts = c.count.slice();
    c.count.set(counts.map((_, k) => [1, 100, 1_500, 40_000][k % 4]!));
    for (let k = 0; k < c.length; k++) {
      const r = clusterRadius(c, k, px) * px;
      expect(r).toBeLessThanOrEqual(c.cellPx / 2 - CLUSTER_GAP_PX * px);
      expect(r).toBeGreaterThanOrEqual(7 * px);
    }
    // One member keeps its small circle; 1,500 (a province's cell, drawn 60 px wide before) fills the bound.
    expect(clusterRadius(c, 0, px)).toBe(7);
    expect(clusterRadius(c, 2, px)).toBe(CLUSTER_CELL_PX / 2 - CLUSTER_GAP_PX);
  });

  it('aggregates calm incidents at scale zoomed out; urgent, selected and alarmed ones stay dots on top', () => {
    const { m, state } = model(60, 11);
    const n = INCIDENT_CLUSTER_MIN + 500;
    for (let k = 0; k < n; k++) {
      const priority = k % 10 === 0 ? 2 : k % 2 === 0 ? 3 : 4;
      state.incidents.set(`c${k}`, incident(`c${k}`, priority, 104 + (k % 50) * 0.01, 30.5 + k * 0.0003));
    }
    state.incidentsVersion++;
    m.onBatch({ ok: true, isFull: true, newIncidents: [] }, NOW);
    const data = m.layerData();
    const c = data.incidentClusters!;
    expect(c).not.toBeNull();
    // Every calm incident is counted in exactly one cluster; the urgent ones in none.
    const calm = [...state.incidents.values()].filter((v) => v.priority >= 3).length;
    expect(c.count.reduce((a, b) => a + b, 0)).toBe(calm);
    const view = { ...VIEW, selectedIncidentId: 'c1', flashingIncidentIds: new Set(['c3']) };
    const layers = wallLayers(data, view);
    const order = ids(layers);
    expect(order.indexOf('incident-clusters')).toBeLessThan(order.indexOf('incidents'));
    const dots = layers.find((l) => l.id === 'incidents')!.props.data as { id: string; priority: number }[];
    expect(dots.every((v) => v.priority <= 2 || v.id === 'c1' || v.id === 'c3')).toBe(true);
    expect(dots.map((v) => v.id)).toEqual(expect.arrayContaining(['a', 'b', 'c0', 'c1', 'c3']));
    // Zoomed in, or few incidents: every incident is its own dot again.
    m.setZoom(15);
    expect(m.layerData().incidentClusters).toBeNull();
    expect(model(60, 11).m.layerData().incidentClusters).toBeNull();
  });

  it('clusters the 紧急 too when more than INCIDENT_DOTS_MAX of them would be dots, in their colour', () => {
    const { m, state } = model(60, 11);
    for (let k = 0; k < INCIDENT_CLUSTER_MIN + 100; k++)
      state.incidents.set(`u${k}`, incident(`u${k}`, k <= INCIDENT_DOTS_MAX ? 2 : 4, 104, 30.5 + k * 0.0003));
    state.incidentsVersion++;
    m.onBatch({ ok: true, isFull: true, newIncidents: [] }, NOW);
    const data = m.layerData();
    expect(data.incidentDotsUpTo).toBe(1);
    const layers = wallLayers(data, VIEW);
    const dots = layers.find((l) => l.id === 'incidents')!.props.data as { id: string }[];
    expect(dots.map((v) => v.id)).toEqual(['b']); // the one 特急
    const pulsing = layers.find((l) => l.id === 'incident-pulse')!.props.data as { id: string }[];
    expect(pulsing.map((v) => v.id)).toEqual(['b']);
    const c = data.incidentClusters!;
    expect(c.count.reduce((a, b) => a + b, 0)).toBe(state.incidents.size - 1);
    // A cluster holding a 紧急 is drawn orange, never as the 较低 blue of other members (紧急 fill lat < 30.65).
    const colour = (k: number) => [...c.color.subarray(4 * k, 4 * k + 4)];
    for (let k = 0; k < c.length; k++) {
      if (c.position[2 * k + 1]! < 30.6) expect(colour(k)).toEqual([...PRIORITY_COLOR[2]!]);
      if (c.position[2 * k + 1]! > 30.7) expect(colour(k)).toEqual([...PRIORITY_COLOR[4]!]);
    }
  });

  it('draws trails only where units are drawn one by one, never under their numbered clusters', () => {
    // Zoomed out at scale: TRAIL_SEGMENTS lines per unit would be drawn every frame for units shown as circles.
    const far = model(CLUSTER_MIN_POINTS + 200, 11).m.layerData();
    expect(far.vehicle.clusters).not.toBeNull();
    expect(ids(wallLayers(far, VIEW))).not.toContain('trails');
    // Zoomed in, or too few units to aggregate (a district's patrol cars): trails under the units.
    for (const [n, zoom] of [
      [CLUSTER_MIN_POINTS + 200, 16],
      [60, 11],
    ] as const) {
      const near = ids(wallLayers(model(n, zoom).m.layerData(), VIEW));
      expect(near).toContain('trails');
      expect(near.indexOf('trails')).toBeLessThan(near.indexOf('vehicles'));
    }
    const off = { ...VIEW, visible: { ...ALL, trails: false } };
    expect(ids(wallLayers(model(60, 11).m.layerData(), off))).not.toContain('trails');
  });

  it('aggregates units as soon as a batch brings more than CLUSTER_MIN_POINTS, not at the next sweep', () => {
    // The snapshot held few units (the rest had not reported yet): drawn one by one.
    const { m, state } = model(CLUSTER_MIN_POINTS + 200, 11);
    const v = state.entities.vehicle;
    v.count = 30;
    m.onBatch({ ok: true, isFull: true, newIncidents: [] }, NOW);
    expect(m.layerData().vehicle.clusters).toBeNull();
    expect(ids(wallLayers(m.layerData(), VIEW))).toContain('vehicles');
    // The next delta brings the others: the very next draw shows clusters, never 1,200 icons and trails.
    v.count = CLUSTER_MIN_POINTS + 200;
    state.lastChanged.vehicle = Uint32Array.from({ length: v.count - 30 }, (_, k) => 30 + k);
    state.lastChanged.worker = new Uint32Array(0);
    state.lastChanged.camera = new Uint32Array(0);
    m.onBatch({ ok: true, isFull: false, newIncidents: [] }, NOW);
    expect(m.layerData().vehicle.clusters).not.toBeNull();
    const order = ids(wallLayers(m.layerData(), VIEW));
    expect(order).toContain('vehicle-clusters');
    expect(order).not.toContain('vehicles');
    expect(order).not.toContain('trails');
  });

  it('records trails only while vehicles are drawn one by one, and starts them afresh when the clusters open', () => {
    const n = CLUSTER_MIN_POINTS + 200;
    const moveAll = ({ m, state }: ReturnType<typeof model>, at: number) => {
      const v = state.entities.vehicle;
      for (let i = 0; i < n; i++) {
        v.position[2 * i] = v.position[2 * i]! + 0.001;
        v.ts[i] = at;
      }
      state.lastChanged.vehicle = Uint32Array.from({ length: n }, (_, k) => k);
      state.lastChanged.worker = new Uint32Array(0);
      state.lastChanged.camera = new Uint32Array(0);
      m.onBatch({ ok: true, isFull: false, newIncidents: [] }, at);
    };
    const at = (k: number) => NOW + k * TRAIL_SAMPLE_MS;

    // Aggregated from the snapshot on: nothing recorded, no buffers grown to the fleet.
    const far = model(n, 11);
    expect(far.m.layerData().vehicle.clusters).not.toBeNull();
    const before = { capacity: far.m.trails.capacity, version: far.m.trails.version };
    moveAll(far, at(1));
    moveAll(far, at(2));
    expect(far.m.trails).toMatchObject(before);
    expect(before.capacity).toBeLessThan(n);

    // Drawn one by one, then aggregated, then one by one again: no segment from where a vehicle was before
    // it was aggregated to where it is now.
    const near = model(n, 16);
    moveAll(near, at(1));
    moveAll(near, at(2));
    expect(near.m.trails.source[0]).toBeCloseTo(104.051, 9); // recorded while drawn one by one
    near.m.setZoom(11);
    expect(near.m.layerData().vehicle.clusters).not.toBeNull();
    const recorded = near.m.trails.version;
    moveAll(near, at(3));
    moveAll(near, at(4));
    expect(near.m.trails.version).toBe(recorded);
    near.m.setZoom(16);
    expect(near.m.layerData().vehicle.clusters).toBeNull();
    moveAll(near, at(5));
    expect(near.m.trails.source.some((x) => x !== 0)).toBe(false);
    moveAll(near, at(6));
    expect(near.m.trails.source[0]).toBeCloseTo(104.055, 9);
    expect(near.m.trails.target[0]).toBeCloseTo(104.056, 9);
  });

  it('blinks the markers of unacknowledged alarms, under the incident dots, until acknowledged', () => {
    const { m } = model(30, 15);
    const at = (pulse: number, flashing: ReadonlySet<string>) =>
      wallLayers(m.layerData(), { ...VIEW, pulse, flashingIncidentIds: flashing });
    const alarmed = new Set(['b']);
    const on = at(0.2, alarmed);
    expect(ids(on).slice(-3)).toEqual(['incident-pulse', 'incident-alarm', 'incidents']);
    const halo = on.find((l) => l.id === 'incident-alarm')!;
    expect((halo.props.data as IncidentView[]).map((i) => i.id)).toEqual(['b']);
    expect(halo.props.pickable).toBe(false); // a click still opens the incident beneath
    expect(halo.props.opacity).toBe(ALARM_HALO_OPACITY.on);
    // The second half of the period dims it: a blink, driven by the pulse clock alone.
    const off = at(0.7, alarmed).find((l) => l.id === 'incident-alarm')!;
    expect(off.props.opacity).toBe(ALARM_HALO_OPACITY.off);
    // Same alarm set and incident list: the same data object, so deck.gl uploads nothing per frame.
    expect(off.props.data).toBe(halo.props.data);
    // Acknowledged (the set no longer names it), or not on the board: no halo at all.
    expect(ids(at(0.2, new Set()))).not.toContain('incident-alarm');
    expect(ids(at(0.2, new Set(['gone'])))).not.toContain('incident-alarm');
    expect(ids(wallLayers(m.layerData(), VIEW))).not.toContain('incident-alarm');
  });

  it('draws grid workers in their own toggleable layer', () => {
    const { m } = model(30, 15);
    expect(ids(wallLayers(m.layerData(), VIEW))).toContain('workers');
    const off = { ...VIEW, visible: { ...ALL, workers: false } };
    expect(ids(wallLayers(m.layerData(), off))).not.toContain('workers');
  });

  it('draws every position in the basemap system, leaving the store in WGS-84', () => {
    const { m, state } = model(30, 15);
    const wgsPos = m.layerData().vehicle.cols.position;
    expect(wgsPos).toBe(state.entities.vehicle.position); // WGS-84 basemap: no copy at all
    m.setCrs('gcj02');
    const data = m.layerData();
    const p = drawProjection('gcj02');
    const [x, y] = p.point(state.entities.vehicle.position[0]!, state.entities.vehicle.position[1]!);
    expect(data.vehicle.cols.position[0]).toBeCloseTo(x, 9);
    expect(data.vehicle.cols.position[1]).toBeCloseTo(y, 9);
    expect(data.camera.cols.position[0]).not.toBe(state.entities.camera.position[0]);
    expect(state.entities.vehicle.position[0]).toBe(104.05);
    const incidents = wallLayers(data, VIEW).find((l) => l.id === 'incidents')!;
    const getPosition = (incidents.props as unknown as { getPosition: (i: IncidentView) => number[] })
      .getPosition;
    const drawn = getPosition(state.incidents.get('a')!);
    expect(drawn).toEqual(p.point(104.06, 30.66));
  });

  it('moves what a batch changed, in the basemap system', () => {
    const { m, state } = model(30, 15);
    m.setCrs('gcj02');
    const v = state.entities.vehicle;
    v.position[2 * 3] = 104.2;
    state.lastChanged.vehicle = Uint32Array.of(3);
    state.lastChanged.camera = new Uint32Array(0);
    state.lastChanged.worker = new Uint32Array(0);
    m.onBatch({ ok: true, isFull: false, newIncidents: [] }, NOW);
    const drawn = m.layerData().vehicle.cols.position;
    expect(drawn[2 * 3]).toBeCloseTo(drawProjection('gcj02').point(104.2, v.position[7]!)[0], 9);
  });
});

describe('LiveMapModel sweep', () => {
  afterEach(() => vi.restoreAllMocks());

  it('reaggregates the units no more than its cost allows, and at once on a zoom step', () => {
    const clock = vi.spyOn(performance, 'now').mockReturnValue(0);
    const { m } = model(CLUSTER_MIN_POINTS + 200, 11);
    const first = m.clusterAt('vehicle');
    expect(first).not.toBeNull();
    m.sweep(NOW + 500);
    clock.mockReturnValue(MAP_SWEEP_MS / 2);
    m.sweep(NOW + 1_000);
    expect(m.clusterAt('vehicle')).toBe(first);
    // Due after MAP_SWEEP_MS; this one costs 200 ms, so the next waits 200 / RECLUSTER_MAX_SHARE.
    clock
      .mockReturnValueOnce(MAP_SWEEP_MS)
      .mockReturnValueOnce(MAP_SWEEP_MS)
      .mockReturnValueOnce(MAP_SWEEP_MS + 200);
    m.sweep(NOW + 2_000);
    const second = m.clusterAt('vehicle');
    expect(second).not.toBe(first);
    clock.mockReturnValue(MAP_SWEEP_MS + 200 / RECLUSTER_MAX_SHARE - 1);
    m.sweep(NOW + 3_000);
    expect(m.clusterAt('vehicle')).toBe(second);
    clock.mockReturnValue(MAP_SWEEP_MS + 200 / RECLUSTER_MAX_SHARE);
    m.sweep(NOW + 4_000);
    const third = m.clusterAt('vehicle');
    expect(third).not.toBe(second);
    m.setZoom(12.5);
    expect(m.clusterAt('vehicle')).not.toBe(third);
  });

  it('keeps the per-area counts between sweeps, and moves an incident to overdue when its deadline passes', () => {
    const { m, state } = model(10, 11);
    const v = { ...incident('g', 2, 104.06, 30.66), gridCode: '510104001001001' };
    state.incidents.set('g', v);
    state.incidentsVersion++;
    m.onBatch({ ok: true, isFull: false, newIncidents: [] }, NOW);
    // Counted at the sweep, not on each batch that changes an incident.
    expect(m.areaCounts.get('510104001001001')).toBeUndefined();
    m.sweep(NOW);
    const deadline = Math.min(...timeLimitStatus(v, NOW).milestones.map((s) => s.deadline));
    expect(m.areaCounts.get('510104001001001')).toEqual({ open: 1, overdue: 0 });
    const version = m.areaCountsVersion;
    m.sweep(deadline - 1);
    expect(m.areaCountsVersion).toBe(version);
    m.sweep(deadline + 1);
    expect(m.areaCounts.get('510104001001')).toEqual({ open: 1, overdue: 1 });
    expect(m.areaCountsVersion).toBe(version + 1);
    // A replay going back in time counts again.
    m.sweep(NOW);
    expect(m.areaCounts.get('510104001000')).toEqual({ open: 1, overdue: 0 });
  });

  it('turns incidents overdue as the clock passes their deadlines exactly as counting afresh would', () => {
    const table = (counts: ReadonlyMap<string, { open: number; overdue: number }>) =>
      [...counts].map(([k, c]) => `${k} ${c.open} ${c.overdue}`).sort();
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            priority: fc.integer({ min: 1, max: 4 }),
            state: fc.constantFrom(...INCIDENT_STATES),
            // Whole minutes, as the time limits are: the clock lands on deadlines, where `>` matters.
            ageMs: fc.integer({ min: 0, max: 600 }).map((min) => min * 60_000),
            grid: fc.integer({ min: 0, max: 11 }),
          }),
          { minLength: 10, maxLength: 40 },
        ),
        // Clock steps, mostly forward; a negative one is a replay going back.
        fc.array(
          fc.integer({ min: -60, max: 180 }).map((min) => min * 60_000),
          { minLength: 5, maxLength: 20 },
        ),
        (specs, steps) => {
          const { m, state } = model(10, 11);
          state.incidents.clear();
          specs.forEach((x, k) => {
            const gridCode = `5101040010${String(1 + (x.grid % 3)).padStart(2, '0')}${String(x.grid).padStart(3, '0')}`;
            state.incidents.set(`i${k}`, {
              ...incident(`i${k}`, x.priority, 104.06, 30.66),
              state: x.state,
              gridCode,
              receivedAt: NOW - x.ageMs,
            });
          });
          state.incidentsVersion++;
          m.onBatch({ ok: true, isFull: false, newIncidents: [] }, NOW);
          let now = NOW;
          for (const step of steps) {
            now += step;
            m.sweep(now);
            const fresh = new LiveMapModel(state);
            fresh.onBatch({ ok: true, isFull: true, newIncidents: [] }, now);
            fresh.sweep(now);
            expect(table(m.areaCounts)).toEqual(table(fresh.areaCounts));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('counts an incident once in each of its areas when it is filed by community or town, not by grid', () => {
    const { m, state } = model(10, 11);
    state.incidents.set('c', { ...incident('c', 3, 104.06, 30.66), gridCode: '510104001002' });
    state.incidents.set('t', { ...incident('t', 3, 104.06, 30.66), gridCode: '510104001000' });
    state.incidentsVersion++;
    m.onBatch({ ok: true, isFull: false, newIncidents: [] }, NOW);
    m.sweep(NOW);
    expect(m.areaCounts.get('510104001002')).toEqual({ open: 1, overdue: 0 });
    expect(m.areaCounts.get('510104001000')).toEqual({ open: 2, overdue: 0 });
  });
});
