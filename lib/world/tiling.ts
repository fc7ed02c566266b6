import { Delaunay } from 'd3-delaunay';
import polygonClipping from 'polygon-clipping';
import type { MultiPoly, Poly, Pt } from './geo';
import { multiBBox, multiCentroid, normalizeRing, pointInMulti } from './geo';
import type { Rng } from './rng';

export interface PartitionOptions {
  /** Relative density 0..1 at a point: more children where it is high (city core vs farmland). */
  density?: (x: number, y: number) => number;
  /** Lloyd relaxation steps: evens out cell sizes so the map looks surveyed rather than random. */
  relaxSteps?: number;
  /**
   * Bend the cell borders by a smooth displacement field (amplitude as a share of the mean cell size), so
   * town and community boundaries meander the way real ones follow streams and old field edges.
   */
  wiggle?: number;
}

export interface Part {
  seed: Pt;
  shape: MultiPoly;
}

const MAX_SAMPLE_TRIES_PER_SEED = 200;

/**
 * Cuts `parent` into `n` pieces that tile it exactly: Voronoi cells partition the plane, so their
 * intersections with the parent partition the parent (gaps and overlaps are only floating-point noise).
 */
export function partition(parent: MultiPoly, n: number, rng: Rng, opts: PartitionOptions = {}): Part[] {
  if (n <= 1) return [{ seed: multiCentroid(parent), shape: parent }];
  const [minX, minY, maxX, maxY] = multiBBox(parent);
  const density = opts.density ?? (() => 1);
  const seeds: Pt[] = [];
  let tries = 0;
  while (seeds.length < n) {
    const x = rng.range(minX, maxX);
    const y = rng.range(minY, maxY);
    tries++;
    if (!pointInMulti(x, y, parent)) continue;
    // Past the try budget accept anything inside: a thin parent must still get its n children.
    if (tries < n * MAX_SAMPLE_TRIES_PER_SEED && rng.next() > density(x, y)) continue;
    seeds.push([x, y]);
  }
  // Pad the Voronoi box so that no cell of an inside seed is cut by the box rather than the parent.
  const pad = Math.max(maxX - minX, maxY - minY);
  const box = [minX - pad, minY - pad, maxX + pad, maxY + pad] as const;
  for (let step = 0; step < (opts.relaxSteps ?? 1); step++) {
    const cells = voronoiCells(seeds, box);
    for (let i = 0; i < seeds.length; i++) {
      const cell = cells[i];
      if (!cell) continue;
      const clipped = clip(parent, cell);
      if (clipped.length === 0) continue;
      const [cx, cy] = multiCentroid(clipped);
      // Half a Lloyd step keeps some of the density contrast instead of flattening it to uniform.
      const nx = (seeds[i]![0] + cx) / 2;
      const ny = (seeds[i]![1] + cy) / 2;
      if (pointInMulti(nx, ny, parent)) seeds[i] = [nx, ny];
    }
  }
  const cells = voronoiCells(seeds, box);
  if (opts.wiggle) {
    const [a, b, c, d] = multiBBox(parent);
    const spacing = Math.sqrt(((c - a) * (d - b)) / n);
    const warp = makeWarp(rng, spacing * opts.wiggle, spacing * 0.6);
    for (let i = 0; i < cells.length; i++) if (cells[i]) cells[i] = bendRing(cells[i]!, warp, spacing / 40);
  }
  const parts: Part[] = [];
  try {
    for (let i = 0; i < seeds.length; i++) {
      const cell = cells[i];
      const shape = cell ? clip(parent, cell) : [];
      if (shape.length > 0) parts.push({ seed: seeds[i]!, shape });
    }
  } catch (err) {
    // polygon-clipping can fail on long runs of nearly collinear points; straight borders still tile.
    if (!opts.wiggle) throw err;
    return partition(parent, n, rng, { ...opts, wiggle: 0 });
  }
  return parts;
}

function voronoiCells(seeds: Pt[], box: readonly [number, number, number, number]): (Pt[] | null)[] {
  const voronoi = Delaunay.from(seeds).voronoi([box[0], box[1], box[2], box[3]]);
  return seeds.map((_, i) => (voronoi.cellPolygon(i) as Pt[] | null) ?? null);
}

function clip(parent: MultiPoly, cell: Pt[]): MultiPoly {
  const out = polygonClipping.intersection(
    parent as polygonClipping.MultiPolygon,
    [cell] as polygonClipping.Polygon,
  );
  return out.map((poly: Poly) => poly.map((ring, k) => normalizeRing(ring as Pt[], k > 0)));
}

type Warp = (x: number, y: number) => Pt;

/**
 * A smooth displacement: plane waves in random directions at two scales (a long bend and a shorter
 * meander). The total gradient stays below 0.8 (Σ amplitude × 2π / wavelength), so the warp never folds
 * the plane and a tiling stays a tiling.
 */
function makeWarp(rng: Rng, amplitude: number, wavelength: number): Warp {
  const scales = [
    { lambda: wavelength, share: 0.55 },
    { lambda: wavelength * 0.3, share: 0.45 },
  ];
  const waves = scales.flatMap(({ lambda, share }) =>
    [0, 1, 2].map(() => {
      const dir = rng.range(0, Math.PI);
      const disp = rng.range(0, Math.PI);
      const l = lambda * rng.range(0.85, 1.15);
      const amp = Math.min(amplitude * share, (0.8 * share * l) / (2 * Math.PI)) / 3;
      return {
        kx: Math.cos(dir),
        ky: Math.sin(dir),
        dx: Math.cos(disp),
        dy: Math.sin(disp),
        phase: rng.range(0, 2 * Math.PI),
        k: (2 * Math.PI) / l,
        amp,
      };
    }),
  );
  return (x, y) => {
    let ox = 0;
    let oy = 0;
    for (const w of waves) {
      const s = w.amp * Math.sin(w.k * (w.kx * x + w.ky * y) + w.phase);
      ox += s * w.dx;
      oy += s * w.dy;
    }
    return [x + ox, y + oy];
  };
}

/**
 * Densifies then warps a ring. Each edge is subdivided from its lexicographically smaller end, so the two
 * cells sharing an edge compute bit-identical points and stay gap-free after the warp.
 */
function bendRing(ring: Pt[], warp: Warp, stepM: number): Pt[] {
  const out: Pt[] = [];
  for (let i = 0; i + 1 < ring.length; i++) {
    const p = ring[i]!;
    const q = ring[i + 1]!;
    const isForward = p[0] < q[0] || (p[0] === q[0] && p[1] <= q[1]);
    const [a, b] = isForward ? [p, q] : [q, p];
    const n = Math.max(1, Math.ceil(Math.hypot(b[0] - a[0], b[1] - a[1]) / stepM));
    const pts: Pt[] = [];
    for (let k = 0; k <= n; k++)
      pts.push(warp(a[0] + ((b[0] - a[0]) * k) / n, a[1] + ((b[1] - a[1]) * k) / n));
    if (!isForward) pts.reverse();
    out.push(...pts.slice(0, -1));
  }
  out.push(out[0]!);
  return out;
}
