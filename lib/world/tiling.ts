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
  const parts: Part[] = [];
  for (let i = 0; i < seeds.length; i++) {
    const cell = cells[i];
    const shape = cell ? clip(parent, cell) : [];
    if (shape.length > 0) parts.push({ seed: seeds[i]!, shape });
  }
  return parts;
}

function voronoiCells(seeds: Pt[], box: readonly [number, number, number, number]): (Pt[] | null)[] {
  const voronoi = Delaunay.from(seeds).voronoi([box[0], box[1], box[2], box[3]]);
  return seeds.map((_, i) => (voronoi.cellPolygon(i) as Pt[] | null) ?? null);
}

function clip(parent: MultiPoly, cell: Pt[]): MultiPoly {
  const out = polygonClipping.intersection(parent as polygonClipping.MultiPolygon, [cell] as polygonClipping.Polygon);
  return out.map((poly: Poly) => poly.map((ring, k) => normalizeRing(ring as Pt[], k > 0)));
}
