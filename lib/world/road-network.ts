import type { LocalProjection, MultiPoly, Pt } from './geo';
import { pointInMulti, segmentsIntersect } from './geo';
import type { NamePool } from './names';
import type { Rng } from './rng';
import type { LngLat, RoadClass, RoadGraphJSON } from './road-graph';
import { ROAD_CLASSES } from './road-graph';

export interface RoadNetworkOptions {
  outline: MultiPoly;
  proj: LocalProjection;
  rng: Rng;
  names: NamePool;
  /** Distance between neighbouring streets, metres. */
  spacingM: number;
  /** Every n-th line is an arterial / a secondary road (the rest are local streets). */
  arterialEvery: number;
  secondaryEvery: number;
  /** Urban intensity 0..1: local streets thin out towards farmland. */
  density: (x: number, y: number) => number;
  rivers: Pt[][];
  /** Local streets stop at parks, so parks read as green blocks. */
  parks: MultiPoly[];
}

export interface RoadLine {
  name: string;
  cls: RoadClass;
  coords: LngLat[];
}

export interface RoadNetwork {
  graph: RoadGraphJSON;
  lines: RoadLine[];
}

const ROAD_SUFFIX: Record<RoadClass, readonly string[]> = {
  expressway: ['快速路', '大道'],
  arterial: ['大道', '路', '大街'],
  secondary: ['路', '路', '街'],
  local: ['街', '巷', '路', '一巷', '二巷'],
};

interface LatticeEdge {
  a: number;
  b: number;
  cls: number;
  line: number;
}

/**
 * A warped, slightly rotated street lattice: Chinese new towns are laid out on grids, and a long gentle warp
 * plus a little jitter keeps it from looking drawn with a ruler. Streets thin out with urban density, local
 * streets do not cross rivers (only arterials and secondaries have bridges), and only the largest connected
 * piece is kept, so every node can reach every other.
 */
export function generateRoadNetwork(o: RoadNetworkOptions): RoadNetwork {
  const { rng, spacingM: s } = o;
  const bbox = o.outline.flatMap((p) => p[0] ?? []);
  const cx = bbox.reduce((a, p) => a + p[0], 0) / bbox.length;
  const cy = bbox.reduce((a, p) => a + p[1], 0) / bbox.length;
  const half = Math.max(...bbox.map((p) => Math.hypot(p[0] - cx, p[1] - cy))) * 1.05;
  const steps = Math.ceil(half / s);
  const side = 2 * steps + 1;
  const theta = rng.range(-0.2, 0.2);
  // Two harmonics per axis: one long bend across the district, one shorter wobble.
  const harmonic = (amp: number, wave: number) => ({
    amp: s * amp * rng.range(0.7, 1.3),
    wave: s * wave * rng.range(0.8, 1.25),
    phase: rng.range(0, 6.3),
  });
  const warpU = [harmonic(0.9, 40), harmonic(0.25, 11)];
  const warpV = [harmonic(0.9, 40), harmonic(0.25, 11)];
  const bend = (hs: typeof warpU, t: number) =>
    hs.reduce((a, h) => a + h.amp * Math.sin((2 * Math.PI * t) / h.wave + h.phase), 0);
  const lineOffset = [rng.int(0, o.arterialEvery - 1), rng.int(0, o.arterialEvery - 1)];

  // Lattice node (i, j) → position; -1 where outside the territory.
  const latticeId = new Int32Array(side * side).fill(-1);
  const xs: number[] = [];
  const ys: number[] = [];
  for (let j = 0; j < side; j++) {
    for (let i = 0; i < side; i++) {
      let u = (i - steps) * s;
      let v = (j - steps) * s;
      u += bend(warpU, v) + rng.normal(0, s * 0.04);
      v += bend(warpV, u) + rng.normal(0, s * 0.04);
      const x = cx + u * Math.cos(theta) - v * Math.sin(theta);
      const y = cy + u * Math.sin(theta) + v * Math.cos(theta);
      if (!pointInMulti(x, y, o.outline)) continue;
      latticeId[j * side + i] = xs.length;
      xs.push(x);
      ys.push(y);
    }
  }

  const classOf = (index: number, axis: 0 | 1): number => {
    const k = index - steps + lineOffset[axis]!;
    if (k % o.arterialEvery === 0) return ROAD_CLASSES.indexOf('arterial');
    if (k % o.secondaryEvery === 0) return ROAD_CLASSES.indexOf('secondary');
    return ROAD_CLASSES.indexOf('local');
  };
  const crossesRiver = (a: Pt, b: Pt) =>
    o.rivers.some((river) => river.some((p, k) => k > 0 && segmentsIntersect(a, b, river[k - 1]!, p)));

  const edges: LatticeEdge[] = [];
  // Lines 0..side-1 run west→east (constant j), side..2·side-1 run south→north (constant i).
  const tryEdge = (p: number, q: number, cls: number, line: number) => {
    const a = latticeId[p]!;
    const b = latticeId[q]!;
    if (a < 0 || b < 0) return;
    const pa: Pt = [xs[a]!, ys[a]!];
    const pb: Pt = [xs[b]!, ys[b]!];
    const mx = (pa[0] + pb[0]) / 2;
    const my = (pa[1] + pb[1]) / 2;
    const dens = o.density(mx, my);
    const name = ROAD_CLASSES[cls]!;
    const keep =
      name === 'arterial'
        ? 1
        : name === 'secondary'
          ? 0.6 + 0.4 * dens
          : dens < 0.15
            ? 0.12
            : 0.25 + 0.7 * dens;
    if (!rng.chance(keep)) return;
    if (name === 'local' && o.parks.some((park) => pointInMulti(mx, my, park))) return;
    if (name !== 'arterial' && crossesRiver(pa, pb) && (name === 'local' || rng.chance(0.5))) return;
    edges.push({ a, b, cls, line });
  };
  for (let j = 0; j < side; j++) {
    for (let i = 0; i < side; i++) {
      if (i + 1 < side) tryEdge(j * side + i, j * side + i + 1, classOf(j, 0), j);
      if (j + 1 < side) tryEdge(j * side + i, (j + 1) * side + i, classOf(i, 1), side + i);
    }
  }

  const keepNode = largestComponent(xs.length, edges);
  const remap = new Int32Array(xs.length).fill(-1);
  const nodes: number[] = [];
  for (let n = 0; n < xs.length; n++) {
    if (!keepNode[n]) continue;
    remap[n] = nodes.length / 2;
    nodes.push(...o.proj.toLngLat(xs[n]!, ys[n]!));
  }
  const kept = edges.filter((e) => keepNode[e.a] && keepNode[e.b]);

  // Names per lattice line, given in line order so the same seed names the same streets.
  const lineName = new Map<number, number>();
  const roadNames: string[] = [];
  for (const e of kept) {
    if (lineName.has(e.line)) continue;
    const cls = ROAD_CLASSES[e.cls]!;
    lineName.set(e.line, roadNames.length);
    roadNames.push(o.names.placeStem() + rng.pick(ROAD_SUFFIX[cls]));
  }
  const graphEdges: number[] = [];
  for (const e of kept) graphEdges.push(remap[e.a]!, remap[e.b]!, e.cls, lineName.get(e.line)!);

  return {
    graph: { v: 1, nodes, edges: graphEdges, roadNames },
    lines: toLines(kept, remap, nodes, roadNames, lineName),
  };
}

/** Joins consecutive edges of one lattice line into polylines: fewer, longer features draw and label better. */
function toLines(
  edges: LatticeEdge[],
  remap: Int32Array,
  nodes: number[],
  roadNames: string[],
  lineName: Map<number, number>,
): RoadLine[] {
  const lines: RoadLine[] = [];
  let current: RoadLine | null = null;
  let lastNode = -1;
  let lastLine = -1;
  // Stable sort: a line's edges were produced in order along it, interleaved with other lines' edges.
  const byLine = [...edges].sort((p, q) => p.line - q.line);
  for (const e of byLine) {
    const a = remap[e.a]!;
    const b = remap[e.b]!;
    if (current && e.line === lastLine && a === lastNode) {
      current.coords.push([nodes[2 * b]!, nodes[2 * b + 1]!]);
    } else {
      current = {
        name: roadNames[lineName.get(e.line)!]!,
        cls: ROAD_CLASSES[e.cls]!,
        coords: [
          [nodes[2 * a]!, nodes[2 * a + 1]!],
          [nodes[2 * b]!, nodes[2 * b + 1]!],
        ],
      };
      lines.push(current);
    }
    lastNode = b;
    lastLine = e.line;
  }
  return lines;
}

function largestComponent(n: number, edges: LatticeEdge[]): Uint8Array {
  const parent = new Int32Array(n).map((_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]!]!;
      x = parent[x]!;
    }
    return x;
  };
  for (const e of edges) parent[find(e.a)] = find(e.b);
  const size = new Map<number, number>();
  for (const e of edges) for (const v of [e.a, e.b]) size.set(find(v), 0);
  for (let v = 0; v < n; v++) if (size.has(find(v))) size.set(find(v), size.get(find(v))! + 1);
  let best = -1;
  let bestSize = 0;
  for (const [root, count] of size) if (count > bestSize) [best, bestSize] = [root, count];
  const keep = new Uint8Array(n);
  for (const e of edges) if (find(e.a) === best) keep[e.a] = keep[e.b] = 1;
  return keep;
}
