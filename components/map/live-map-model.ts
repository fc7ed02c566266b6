/**
 * Everything the live map draws, kept beside the client store and updated incrementally: status colours
 * for the entities a batch touched, positions in the basemap's system (BASEMAP_CRS; the stored WGS-84
 * columns themselves when the basemap is WGS-84), vehicle trails, clusters (at most once a second and on
 * zoom changes), incidents and per-area counts. No React here: the map component calls it and renders its
 * layerData().
 */
import type { IncidentView } from '@/lib/domain/incident';
import { activeTimeLimits, timeLimitStatus, type TimeLimitConfig } from '@/lib/domain/time-limits';
import { drawProjection, type DrawCrs, type DrawProjection } from '@/lib/geo/draw-projection';
import type { ApplyResult, ClientState, KindColumns } from '@/lib/realtime/client-store';
import { CLUSTER_BELOW_ZOOM, clusterPoints, clusterReadable, type Clusters } from '@/lib/wall/cluster';
import {
  createPaint,
  LOOK_TABLES,
  paintChanged,
  sweepStale,
  type EntityPaint,
} from '@/lib/wall/entity-paint';
import { PRIORITY_COLOR } from '@/lib/wall/palette';
import { createTrails, recordTrails, resetTrails, type Trails } from '@/lib/wall/trails';
import type { AreaCounts } from './map-areas';
import type { WallLayerData } from './wall-layers';

/** Below this many points a kind is drawn point by point at any zoom (a district's 60 patrol cars). */
export const CLUSTER_MIN_POINTS = 1_000;
/** Reclustering and the stale sweep run at most this often (ms). */
export const MAP_SWEEP_MS = 1_000;
/**
 * The sweep reaggregates the units only as often as keeps it under this share of the wall's main thread
 * (its last cost / share), and at least every RECLUSTER_MAX_MS. A province's 1 M units took ~150 ms a
 * sweep on a software-GL wall: 15 % of its only busy core, a second at a time, for circles that move a
 * pixel. A zoom step, a new snapshot or a kind crossing CLUSTER_MIN_POINTS still reaggregates at once.
 */
export const RECLUSTER_MAX_SHARE = 0.05;
export const RECLUSTER_MAX_MS = 10_000;

/**
 * Cameras are never aggregated into numbered circles (they looked like incidents and swallowed their clicks):
 * below this zoom they are a quiet, unpickable texture; from it on, points one can click.
 */
export const CAMERA_POINTS_FROM_ZOOM = CLUSTER_BELOW_ZOOM;
/**
 * Below CAMERA_POINTS_FROM_ZOOM and past CLUSTER_MIN_POINTS, cameras are drawn as a texture of screen cells
 * this size (design px), each coloured as the worst of its cameras (offline and faulty brighter). A
 * province's 2 M camera points held a software-GL wall's main thread for minutes before its first full map
 * (issue 20), and at a few pixels a cell the texture reads the same from across the room.
 */
export const CAMERA_CELL_PX = 6;
/** Cameras do not move: their cells follow a status change at most this often (and every zoom step at once). */
export const CAMERA_CELLS_REFRESH_MS = 10_000;

/**
 * Past this many open incidents, zoomed out (below CLUSTER_BELOW_ZOOM), incidents are drawn as numbered
 * clusters coloured by their worst member, except the most urgent tiers that fit in INCIDENT_DOTS_MAX: 特急,
 * then 紧急, stay dots of their own, pulsing on top. A province's 27 k open incidents (~9 k of them urgent)
 * were one carpet of overlapping dots in which nothing could be told apart (issue 20).
 */
export const INCIDENT_CLUSTER_MIN = 1_000;
export const INCIDENT_DOTS_MAX = 500;
/** Clustered incidents' looks by code: 0 较低, 1 一般, 2 紧急, 3 特急 (worst). */
const INCIDENT_LOOKS = {
  severity: Uint8Array.from([0, 1, 2, 3]),
  colors: [PRIORITY_COLOR[4]!, PRIORITY_COLOR[3]!, PRIORITY_COLOR[2]!, PRIORITY_COLOR[1]!],
} as const;
const incidentLook = (priority: number) => Math.max(0, 4 - Math.min(4, Math.max(1, priority)));

const KINDS = ['vehicle', 'worker', 'camera'] as const;
type DrawnKind = (typeof KINDS)[number];
/** Kinds that aggregate into numbered circles when zoomed out at scale. */
const CLUSTERED: readonly DrawnKind[] = ['vehicle', 'worker'];

export class LiveMapModel {
  readonly paint: Record<DrawnKind, EntityPaint> = {
    vehicle: createPaint('vehicle'),
    worker: createPaint('worker'),
    camera: createPaint('camera'),
  };
  readonly trails: Trails = createTrails();
  private clusters: Record<DrawnKind, Clusters | null> = { vehicle: null, worker: null, camera: null };
  private projection: DrawProjection = drawProjection('wgs84');
  /** Positions in the basemap's system, by idx; unused (the store's own columns) for a WGS-84 basemap. */
  private drawn: Record<DrawnKind, Float64Array> = {
    vehicle: new Float64Array(0),
    worker: new Float64Array(0),
    camera: new Float64Array(0),
  };
  private incidents: IncidentView[] = [];
  private incidentsVersion = 0;
  private incidentClusters: Clusters | null = null;
  /** While clustered: incidents of this priority or more urgent are dots of their own (0: none). */
  private incidentDotsUpTo = 0;
  /** What the incident clusters were made for: redone at a zoom step, a new scale or basemap, new incidents. */
  private incidentClustersFor = { zoom: Number.NaN, pixelScale: 0, version: -1, crs: '' };
  private counts = new Map<string, { open: number; overdue: number }>();
  /** Bumped when the per-area counts change (the areas themselves are drawn by MapLibre, not from here). */
  areaCountsVersion = 0;
  private zoom = 12;
  private clusteredAtZoom = Number.NaN;
  private pixelScale = 1;
  /** What the camera cells were made for: redone when any of it changes (paint: at most every refresh). */
  private cameraCellsFor = { zoom: Number.NaN, pixelScale: 0, count: -1, paintVersion: -1, at: 0, crs: '' };
  /** The clock of the last batch or sweep. */
  private now = 0;
  /** performance.now() before which a sweep leaves the unit clusters as they are (RECLUSTER_MAX_SHARE). */
  private reclusterDueAt = 0;
  /**
   * The per-area counts are counted afresh only when the incidents or the time limits change, or the clock
   * goes back (a replay). When only the clock moves on, the incidents whose earliest deadline it passed turn
   * overdue one by one: a province's 27 k incidents were counted afresh on every sweep, because one of them
   * always had a deadline in the next second (4.7 s of a 136 s profile of a province wall).
   */
  private countsFor = {
    version: -1,
    limits: null as TimeLimitConfig | null,
    /** The latest clock counted for: an earlier one counts afresh. */
    from: Number.POSITIVE_INFINITY,
    /** Incidents not yet overdue, by their earliest deadline, ascending; the first `passed` have turned. */
    pending: [] as { deadline: number; keys: string[] }[],
    passed: 0,
  };
  /** Bumped whenever layerData() would differ: the component redraws on change. */
  revision = 0;

  constructor(private readonly state: ClientState) {}

  /** The basemap's coordinate system (from world.json): every position is redrawn in it. */
  setCrs(crs: DrawCrs): void {
    if (crs === this.projection.crs) return;
    this.projection = drawProjection(crs);
    for (const kind of KINDS) this.drawn[kind] = new Float64Array(0);
    for (const kind of KINDS) this.project(kind, 'all');
    resetTrails(this.trails);
    this.recluster();
    this.revision++;
  }

  get crs(): DrawCrs {
    return this.projection.crs;
  }

  /** Converts what a batch moved (once per batch, into a buffer deck.gl reads; never per frame). */
  private project(kind: DrawnKind, changed: ArrayLike<number> | 'all'): void {
    if (this.projection.isIdentity) return;
    const cols = this.state.entities[kind];
    let all = changed;
    if (this.drawn[kind].length < cols.position.length) {
      // The store grew its columns: a new buffer, filled for every idx.
      this.drawn[kind] = new Float64Array(cols.position.length);
      all = 'all';
    }
    this.projection.convert(cols.position, this.drawn[kind], all, cols.count);
  }

  /** The columns with positions in the basemap's system. */
  private drawnColumns(kind: DrawnKind): KindColumns {
    const cols = this.state.entities[kind];
    return this.projection.isIdentity ? cols : { ...cols, position: this.drawn[kind] };
  }

  onBatch(result: ApplyResult, now: number): void {
    if (!result.ok) return;
    this.now = now;
    for (const kind of KINDS) {
      const cols = this.state.entities[kind];
      const changed = result.isFull ? 'all' : this.state.lastChanged[kind];
      if (changed === 'all' || changed.length > 0) {
        paintChanged(this.paint[kind], cols, changed, now);
        this.project(kind, changed);
      }
    }
    if (result.isFull) {
      resetTrails(this.trails);
      this.cameraCellsFor.zoom = Number.NaN; // a new snapshot: the cameras may have moved
    } else if (this.clusters.vehicle === null) {
      // Trails are drawn only under vehicles drawn one by one. A province wall aggregating 1 M vehicles
      // recorded them all on every batch, into 256 MB of trail buffers it never drew.
      recordTrails(this.trails, this.drawnColumns('vehicle'), this.state.lastChanged.vehicle);
    }
    if (this.incidentsVersion !== this.state.incidentsVersion) {
      this.incidentsVersion = this.state.incidentsVersion;
      // Most urgent drawn last (on top); low-rate, so plain objects are fine here.
      this.incidents = [...this.state.incidents.values()].sort((a, b) => b.priority - a.priority);
      // The area counts follow at the next sweep (≤ MAP_SWEEP_MS): incidents change on most batches, and
      // counting a province's 25 k took 36 ms, which at 10 batches a second is a third of the main thread.
    }
    if (result.isFull || this.isAggregationDue()) this.recluster();
    this.revision++;
  }

  /**
   * A kind that grew past CLUSTER_MIN_POINTS since the last recluster (units reporting for the first time
   * after the snapshot) aggregates at once rather than at the next sweep: drawn one by one meanwhile, 100 k
   * units and their trails cost a software-GL wall a frame of ~20 s (issue 20). Cheap: two comparisons.
   */
  private isAggregationDue(): boolean {
    if (this.zoom >= CLUSTER_BELOW_ZOOM) return false;
    return CLUSTERED.some(
      (kind) => this.clusters[kind] === null && this.state.entities[kind].count > CLUSTER_MIN_POINTS,
    );
  }

  /** Once a second: silent entities turn stale, overdue lamps advance, clusters follow the data. */
  sweep(now: number): void {
    this.now = now;
    for (const kind of KINDS) sweepStale(this.paint[kind], this.state.entities[kind], now);
    this.countAreas(now);
    if (performance.now() >= this.reclusterDueAt) this.reclusterUnits();
    this.recellCameras();
    this.reclusterIncidents();
    this.revision++;
  }

  setZoom(zoom: number): void {
    this.zoom = zoom;
    const isClustered = zoom < CLUSTER_BELOW_ZOOM;
    // Recluster when crossing the threshold or after a whole zoom step; panning keeps the cells valid.
    if (
      isClustered !== this.clusteredAtZoom < CLUSTER_BELOW_ZOOM ||
      Math.abs(zoom - this.clusteredAtZoom) >= 0.75
    ) {
      this.recluster();
      this.revision++;
    }
  }

  /** Cluster cells are sized in design pixels, so an 8K wall aggregates like a 1080p one. */
  setPixelScale(scale: number): void {
    if (scale === this.pixelScale) return;
    this.pixelScale = scale;
    this.recluster();
    this.revision++;
  }

  private recluster(): void {
    this.reclusterUnits();
    this.recellCameras();
    this.reclusterIncidents();
  }

  /** The vehicle and worker clusters, and when the sweep may redo them (RECLUSTER_MAX_SHARE). */
  private reclusterUnits(): void {
    this.clusteredAtZoom = this.zoom;
    const startedAt = performance.now();
    const wereVehiclesClustered = this.clusters.vehicle !== null;
    for (const kind of CLUSTERED) {
      const cols = this.drawnColumns(kind);
      const shouldCluster = this.zoom < CLUSTER_BELOW_ZOOM && cols.count > CLUSTER_MIN_POINTS;
      const t = LOOK_TABLES[kind];
      this.clusters[kind] = shouldCluster
        ? clusterReadable(
            {
              count: cols.count,
              position: cols.position,
              present: cols.present,
              look: this.paint[kind].look,
              severity: t.severity,
              colors: t.colors,
            },
            this.zoom,
            this.pixelScale,
          )
        : null;
    }
    // Nothing was recorded while they were aggregated: their trails start afresh, never from a stale point.
    if (wereVehiclesClustered && this.clusters.vehicle === null) resetTrails(this.trails);
    const cost = performance.now() - startedAt;
    this.reclusterDueAt =
      startedAt + Math.min(RECLUSTER_MAX_MS, Math.max(MAP_SWEEP_MS, cost / RECLUSTER_MAX_SHARE));
  }

  /** The incident clusters (INCIDENT_CLUSTER_MIN), at most once a sweep for new incidents. */
  private reclusterIncidents(): void {
    if (this.zoom >= CLUSTER_BELOW_ZOOM || this.incidents.length <= INCIDENT_CLUSTER_MIN) {
      this.incidentClusters = null;
      this.incidentClustersFor.version = -1;
      return;
    }
    const f = this.incidentClustersFor;
    if (
      f.zoom === this.clusteredAtZoom &&
      f.pixelScale === this.pixelScale &&
      f.version === this.incidentsVersion &&
      f.crs === this.projection.crs
    )
      return;
    const byPriority = [0, 0, 0];
    for (const v of this.incidents) if (v.priority <= 2) byPriority[Math.max(1, v.priority)]!++;
    this.incidentDotsUpTo =
      byPriority[1]! + byPriority[2]! <= INCIDENT_DOTS_MAX ? 2 : byPriority[1]! <= INCIDENT_DOTS_MAX ? 1 : 0;
    const rest = this.incidents.filter((v) => v.priority > this.incidentDotsUpTo);
    const n = rest.length;
    const position = new Float64Array(2 * n);
    const look = new Uint8Array(n);
    rest.forEach((v, k) => {
      const [x, y] = this.projection.point(v.lng, v.lat);
      position[2 * k] = x;
      position[2 * k + 1] = y;
      look[k] = incidentLook(v.priority);
    });
    this.incidentClusters = clusterReadable(
      { count: n, position, present: new Uint8Array(n).fill(1), look, ...INCIDENT_LOOKS },
      this.zoom,
      this.pixelScale,
    );
    Object.assign(f, {
      zoom: this.clusteredAtZoom,
      pixelScale: this.pixelScale,
      version: this.incidentsVersion,
      crs: this.projection.crs,
    });
  }

  /** The zoomed-out camera texture (CAMERA_CELL_PX), redone only when its view or its cameras changed. */
  private recellCameras(): void {
    const cols = this.drawnColumns('camera');
    const paint = this.paint.camera;
    const f = this.cameraCellsFor;
    if (this.zoom >= CAMERA_POINTS_FROM_ZOOM || cols.count <= CLUSTER_MIN_POINTS) {
      this.clusters.camera = null;
      f.zoom = Number.NaN;
      return;
    }
    const isViewSame =
      f.zoom === this.zoom &&
      f.pixelScale === this.pixelScale &&
      f.count === cols.count &&
      f.crs === this.projection.crs;
    if (isViewSame && (f.paintVersion === paint.version || this.now - f.at < CAMERA_CELLS_REFRESH_MS)) return;
    const t = LOOK_TABLES.camera;
    this.clusters.camera = clusterPoints(
      {
        count: cols.count,
        position: cols.position,
        present: cols.present,
        look: paint.look,
        severity: t.severity,
        colors: t.quietColors!,
      },
      this.zoom,
      CAMERA_CELL_PX * this.pixelScale,
    );
    Object.assign(f, {
      zoom: this.zoom,
      pixelScale: this.pixelScale,
      count: cols.count,
      paintVersion: paint.version,
      at: this.now,
      crs: this.projection.crs,
    });
  }

  /** Open and overdue incidents per grid, community and town code (whichever level the areas layer shows). */
  private countAreas(now: number): void {
    const f = this.countsFor;
    const limits = activeTimeLimits();
    if (f.version === this.incidentsVersion && f.limits === limits && now >= f.from) {
      // Only the clock moved on. Overdue is `now > deadline` (timeLimitStatus: used > limit, red).
      f.from = now;
      let hasTurned = false;
      while (f.passed < f.pending.length && now > f.pending[f.passed]!.deadline) {
        for (const key of f.pending[f.passed++]!.keys) this.counts.get(key)!.overdue++;
        hasTurned = true;
      }
      if (hasTurned) this.areaCountsVersion++;
      return;
    }
    const counts = new Map<string, { open: number; overdue: number }>();
    const pending: { deadline: number; keys: string[] }[] = [];
    for (const v of this.incidents) {
      const g = v.gridCode;
      if (!g) continue;
      const status = timeLimitStatus(v, now);
      const isOverdue = status.isOverdue;
      // The grid, its community and its town, each once: a world without grids files incidents by
      // community (or town), whose code is already one of the three.
      const town = `${g.slice(0, 9)}000`;
      const keys = g.length > 12 ? [g, g.slice(0, 12), town] : g === town ? [g] : [g, town];
      for (const key of keys) {
        const c = counts.get(key) ?? { open: 0, overdue: 0 };
        c.open++;
        if (isOverdue) c.overdue++;
        counts.set(key, c);
      }
      if (!isOverdue && status.milestones.length > 0)
        pending.push({ deadline: Math.min(...status.milestones.map((m) => m.deadline)), keys });
    }
    pending.sort((a, b) => a.deadline - b.deadline);
    Object.assign(f, { version: this.incidentsVersion, limits, from: now, pending, passed: 0 });
    if (!sameCounts(counts, this.counts)) {
      this.counts = counts;
      this.areaCountsVersion++;
    }
  }

  get areaCounts(): AreaCounts {
    return this.counts;
  }

  clusterAt(kind: DrawnKind): Clusters | null {
    return this.clusters[kind];
  }

  layerData(): WallLayerData {
    const data = (kind: DrawnKind) => ({
      cols: this.drawnColumns(kind),
      paint: this.paint[kind],
      clusters: this.clusters[kind],
    });
    return {
      vehicle: data('vehicle'),
      worker: data('worker'),
      camera: data('camera'),
      trails: this.trails,
      incidents: this.incidents,
      incidentsVersion: this.incidentsVersion,
      incidentClusters: this.incidentClusters,
      incidentDotsUpTo: this.incidentClusters ? this.incidentDotsUpTo : 4,
      cameraPoints: this.zoom >= CAMERA_POINTS_FROM_ZOOM,
      toDraw: this.projection.point.bind(this.projection),
      crs: this.projection.crs,
    };
  }
}

function sameCounts(a: AreaCounts, b: AreaCounts): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (!w || w.open !== v.open || w.overdue !== v.overdue) return false;
  }
  return true;
}
