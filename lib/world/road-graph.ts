import Flatbush from 'flatbush';
import { closestOnSegment, LocalProjection } from './geo';
import { MinHeap } from './heap';

/**
 * Road classes, fastest first. Speeds are typical *average* urban speeds including junctions and signals
 * (not the posted limit), which is what a travel-time estimate for dispatch needs.
 */
export const ROAD_CLASSES = ['expressway', 'arterial', 'secondary', 'local'] as const;
export type RoadClass = (typeof ROAD_CLASSES)[number];
export const ROAD_SPEED_KMH: Record<RoadClass, number> = {
  expressway: 60,
  arterial: 40,
  secondary: 30,
  local: 20,
};
/** Getting from an off-road point (a courtyard, a market stall) to the nearest node: slow driving or walking. */
export const ACCESS_SPEED_KMH = 10;

/** The stored form: flat arrays keep a province-scale graph a few MB of JSON rather than tens. */
export interface RoadGraphJSON {
  v: 1;
  /** lng, lat pairs (WGS-84 degrees). */
  nodes: number[];
  /** a, b, class index (into ROAD_CLASSES), road index (into roadNames) quadruples; edges are two-way. */
  edges: number[];
  roadNames: string[];
}

export type LngLat = [number, number];

export interface Route {
  /** From the start node to the end node, along roads. */
  path: LngLat[];
  /** Node indices of `path`. */
  nodes: number[];
  /** Speed of each path segment (path.length − 1 entries), km/h. */
  speedsKmh: number[];
  distanceM: number;
  /** Road time plus the off-road access legs at either end. */
  travelTimeS: number;
}

export interface Snap {
  edge: number;
  /** Fraction along the edge from its `a` node. */
  t: number;
  lng: number;
  lat: number;
  distanceM: number;
}

const KMH_TO_MS = 1 / 3.6;

/** An undirected road graph with A* routing and nearest-node / nearest-edge look-ups. */
export class RoadGraph {
  readonly lng: Float64Array;
  readonly lat: Float64Array;
  private readonly x: Float64Array;
  private readonly y: Float64Array;
  readonly edgeA: Int32Array;
  readonly edgeB: Int32Array;
  readonly edgeClass: Uint8Array;
  readonly edgeRoad: Int32Array;
  readonly edgeLengthM: Float64Array;
  readonly edgeTimeS: Float64Array;
  private readonly offsets: Int32Array;
  private readonly adjNode: Int32Array;
  private readonly adjEdge: Int32Array;
  private readonly proj: LocalProjection;
  private readonly nodeIndex: Flatbush | null;
  private edgeIndex: Flatbush | null = null;
  private readonly maxSpeedMs: number;
  // Reused search state: routing runs often (every patrol leg, every dispatch suggestion).
  private readonly dist: Float64Array;
  private readonly prev: Int32Array;
  private readonly stamp: Uint32Array;
  private epoch = 0;
  private readonly heap = new MinHeap();

  private constructor(private readonly json: RoadGraphJSON) {
    const n = json.nodes.length / 2;
    const m = json.edges.length / 4;
    this.lng = new Float64Array(n);
    this.lat = new Float64Array(n);
    let sumLng = 0;
    let sumLat = 0;
    for (let i = 0; i < n; i++) {
      sumLng += this.lng[i] = json.nodes[2 * i]!;
      sumLat += this.lat[i] = json.nodes[2 * i + 1]!;
    }
    this.proj = new LocalProjection(n ? sumLng / n : 0, n ? sumLat / n : 0);
    this.x = new Float64Array(n);
    this.y = new Float64Array(n);
    for (let i = 0; i < n; i++) [this.x[i], this.y[i]] = this.proj.toMeters(this.lng[i]!, this.lat[i]!);
    this.edgeA = new Int32Array(m);
    this.edgeB = new Int32Array(m);
    this.edgeClass = new Uint8Array(m);
    this.edgeRoad = new Int32Array(m);
    this.edgeLengthM = new Float64Array(m);
    this.edgeTimeS = new Float64Array(m);
    const degree = new Int32Array(n + 1);
    let maxSpeed = 1;
    for (let e = 0; e < m; e++) {
      const a = json.edges[4 * e]!;
      const b = json.edges[4 * e + 1]!;
      const cls = json.edges[4 * e + 2]!;
      if (a < 0 || a >= n || b < 0 || b >= n || cls < 0 || cls >= ROAD_CLASSES.length)
        throw new Error(`bad edge ${e}`);
      this.edgeA[e] = a;
      this.edgeB[e] = b;
      this.edgeClass[e] = cls;
      this.edgeRoad[e] = json.edges[4 * e + 3]!;
      const len = Math.hypot(this.x[a]! - this.x[b]!, this.y[a]! - this.y[b]!);
      const speed = ROAD_SPEED_KMH[ROAD_CLASSES[cls]!] * KMH_TO_MS;
      maxSpeed = Math.max(maxSpeed, speed);
      this.edgeLengthM[e] = len;
      this.edgeTimeS[e] = len / speed;
      degree[a]!++;
      degree[b]!++;
    }
    this.maxSpeedMs = maxSpeed;
    this.offsets = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) this.offsets[i + 1] = this.offsets[i]! + degree[i]!;
    this.adjNode = new Int32Array(2 * m);
    this.adjEdge = new Int32Array(2 * m);
    const fill = this.offsets.slice(0, n);
    for (let e = 0; e < m; e++) {
      const a = this.edgeA[e]!;
      const b = this.edgeB[e]!;
      this.adjNode[fill[a]!] = b;
      this.adjEdge[fill[a]!++] = e;
      this.adjNode[fill[b]!] = a;
      this.adjEdge[fill[b]!++] = e;
    }
    if (n > 0) {
      this.nodeIndex = new Flatbush(n);
      for (let i = 0; i < n; i++) this.nodeIndex.add(this.x[i]!, this.y[i]!, this.x[i]!, this.y[i]!);
      this.nodeIndex.finish();
    } else {
      this.nodeIndex = null;
    }
    this.dist = new Float64Array(n);
    this.prev = new Int32Array(n);
    this.stamp = new Uint32Array(n);
  }

  static fromJSON(json: RoadGraphJSON): RoadGraph {
    if (json.v !== 1 || json.nodes.length % 2 !== 0 || json.edges.length % 4 !== 0)
      throw new Error('not a road graph');
    return new RoadGraph(json);
  }

  toJSON(): RoadGraphJSON {
    return this.json;
  }

  get nodeCount(): number {
    return this.lng.length;
  }

  get edgeCount(): number {
    return this.edgeA.length;
  }

  node(i: number): LngLat {
    return [this.lng[i]!, this.lat[i]!];
  }

  roadName(edge: number): string {
    return this.json.roadNames[this.edgeRoad[edge]!] ?? '';
  }

  roadClass(edge: number): RoadClass {
    return ROAD_CLASSES[this.edgeClass[edge]!]!;
  }

  /** Neighbours of a node as [node, edge] pairs. */
  *neighbors(node: number): Generator<[number, number]> {
    for (let k = this.offsets[node]!; k < this.offsets[node + 1]!; k++)
      yield [this.adjNode[k]!, this.adjEdge[k]!];
  }

  degree(node: number): number {
    return this.offsets[node + 1]! - this.offsets[node]!;
  }

  /** The nearest node to a position, or -1 for an empty graph. */
  nearestNode(lng: number, lat: number): number {
    if (!this.nodeIndex) return -1;
    const [x, y] = this.proj.toMeters(lng, lat);
    return this.nodeIndex.neighbors(x, y, 1)[0] ?? -1;
  }

  /** The nearest point on any road: for "does this lie on a road" and for placing things by the kerb. */
  snap(lng: number, lat: number): Snap | null {
    const index = this.buildEdgeIndex();
    if (!index) return null;
    const [px, py] = this.proj.toMeters(lng, lat);
    // Box distance is a lower bound on segment distance, so the true nearest is among the first few boxes.
    const candidates = index.neighbors(px, py, 16);
    let best: Snap | null = null;
    let bestD2 = Infinity;
    for (const e of candidates) {
      const a = this.edgeA[e]!;
      const b = this.edgeB[e]!;
      const c = closestOnSegment(px, py, this.x[a]!, this.y[a]!, this.x[b]!, this.y[b]!);
      if (c.d2 < bestD2) {
        bestD2 = c.d2;
        const [sl, sa] = this.proj.toLngLat(c.x, c.y);
        best = { edge: e, t: c.t, lng: sl, lat: sa, distanceM: Math.sqrt(c.d2) };
      }
    }
    return best;
  }

  distanceToRoadM(lng: number, lat: number): number {
    return this.snap(lng, lat)?.distanceM ?? Infinity;
  }

  /** Fastest route between two positions (each snapped to its nearest node); null when unreachable. */
  route(fromLng: number, fromLat: number, toLng: number, toLat: number): Route | null {
    const from = this.nearestNode(fromLng, fromLat);
    const to = this.nearestNode(toLng, toLat);
    if (from < 0 || to < 0) return null;
    const r = this.routeNodes(from, to);
    if (!r) return null;
    const access = this.accessTimeS(fromLng, fromLat, from) + this.accessTimeS(toLng, toLat, to);
    return { ...r, travelTimeS: r.travelTimeS + access };
  }

  travelTimeS(fromLng: number, fromLat: number, toLng: number, toLat: number): number | null {
    return this.route(fromLng, fromLat, toLng, toLat)?.travelTimeS ?? null;
  }

  /** A* between two nodes. */
  routeNodes(from: number, to: number): Route | null {
    if (from < 0 || to < 0 || from >= this.nodeCount || to >= this.nodeCount) return null;
    const epoch = this.nextEpoch();
    const tx = this.x[to]!;
    const ty = this.y[to]!;
    const h = (i: number) => Math.hypot(this.x[i]! - tx, this.y[i]! - ty) / this.maxSpeedMs;
    this.heap.clear();
    this.visit(from, 0, -1, epoch);
    this.heap.push(from, h(from));
    while (this.heap.size > 0) {
      const u = this.heap.pop();
      if (u === to) break;
      const du = this.dist[u]!;
      for (let k = this.offsets[u]!; k < this.offsets[u + 1]!; k++) {
        const v = this.adjNode[k]!;
        const nd = du + this.edgeTimeS[this.adjEdge[k]!]!;
        if (this.stamp[v] !== epoch || nd < this.dist[v]!) {
          this.visit(v, nd, k, epoch);
          this.heap.push(v, nd + h(v));
        }
      }
    }
    if (this.stamp[to] !== epoch) return null;
    const nodes: number[] = [];
    const speeds: number[] = [];
    let distanceM = 0;
    for (let v = to; v !== from;) {
      const k = this.prev[v]!;
      const e = this.adjEdge[k]!;
      nodes.push(v);
      speeds.push(ROAD_SPEED_KMH[this.roadClass(e)]);
      distanceM += this.edgeLengthM[e]!;
      v = this.edgeA[e] === v ? this.edgeB[e]! : this.edgeA[e]!;
    }
    nodes.push(from);
    nodes.reverse();
    speeds.reverse();
    return {
      path: nodes.map((i) => this.node(i)),
      nodes,
      speedsKmh: speeds,
      distanceM,
      travelTimeS: this.dist[to]!,
    };
  }

  /**
   * Travel time from one position to many (one Dijkstra, stopping once every target is settled): the
   * dispatch helper ranks 60 units at once. Unreachable targets get Infinity.
   */
  travelTimesFrom(lng: number, lat: number, targets: readonly LngLat[]): number[] {
    const from = this.nearestNode(lng, lat);
    if (from < 0) return targets.map(() => Infinity);
    const targetNodes = targets.map(([tl, ta]) => this.nearestNode(tl, ta));
    const wanted = new Set(targetNodes);
    const epoch = this.nextEpoch();
    const settled = new Set<number>();
    this.heap.clear();
    this.visit(from, 0, -1, epoch);
    this.heap.push(from, 0);
    while (this.heap.size > 0 && settled.size < wanted.size) {
      const d = this.heap.peekPriority();
      const u = this.heap.pop();
      if (d > this.dist[u]!) continue;
      if (wanted.has(u)) settled.add(u);
      for (let k = this.offsets[u]!; k < this.offsets[u + 1]!; k++) {
        const v = this.adjNode[k]!;
        const nd = d + this.edgeTimeS[this.adjEdge[k]!]!;
        if (this.stamp[v] !== epoch || nd < this.dist[v]!) {
          this.visit(v, nd, k, epoch);
          this.heap.push(v, nd);
        }
      }
    }
    const startAccess = this.accessTimeS(lng, lat, from);
    return targets.map(([tl, ta], i) => {
      const node = targetNodes[i]!;
      if (node < 0 || this.stamp[node] !== epoch || !settled.has(node)) return Infinity;
      return this.dist[node]! + startAccess + this.accessTimeS(tl, ta, node);
    });
  }

  private accessTimeS(lng: number, lat: number, node: number): number {
    const [x, y] = this.proj.toMeters(lng, lat);
    return Math.hypot(x - this.x[node]!, y - this.y[node]!) / (ACCESS_SPEED_KMH * KMH_TO_MS);
  }

  private visit(v: number, d: number, viaAdj: number, epoch: number): void {
    this.stamp[v] = epoch;
    this.dist[v] = d;
    this.prev[v] = viaAdj;
  }

  private nextEpoch(): number {
    this.epoch = (this.epoch + 1) >>> 0;
    if (this.epoch === 0) {
      this.stamp.fill(0);
      this.epoch = 1;
    }
    return this.epoch;
  }

  private buildEdgeIndex(): Flatbush | null {
    if (this.edgeIndex || this.edgeCount === 0) return this.edgeIndex;
    const index = new Flatbush(this.edgeCount);
    for (let e = 0; e < this.edgeCount; e++) {
      const a = this.edgeA[e]!;
      const b = this.edgeB[e]!;
      index.add(
        Math.min(this.x[a]!, this.x[b]!),
        Math.min(this.y[a]!, this.y[b]!),
        Math.max(this.x[a]!, this.x[b]!),
        Math.max(this.y[a]!, this.y[b]!),
      );
    }
    index.finish();
    this.edgeIndex = index;
    return index;
  }
}
