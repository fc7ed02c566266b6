import Flatbush from 'flatbush';

type Ring = [number, number][];
type Polygon = Ring[];

interface GridShape {
  code: string;
  polygons: Polygon[];
}

function polygonsOf(geometry: unknown): Polygon[] {
  const g = geometry as { type?: string; coordinates?: unknown };
  if (g?.type === 'Polygon') return [g.coordinates as Polygon];
  if (g?.type === 'MultiPolygon') return g.coordinates as Polygon[];
  return [];
}

/** Even-odd ray casting over all rings (holes included). */
function isInPolygon(lng: number, lat: number, poly: Polygon): boolean {
  let isInside = false;
  for (const ring of poly) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i]!;
      const [xj, yj] = ring[j]!;
      if (yi > lat !== yj > lat && lng < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) isInside = !isInside;
    }
  }
  return isInside;
}

/** Finds the grid a position falls in (incidents without a gridCode), via an R-tree of grid bboxes. */
export class GridLocator {
  private readonly shapes: GridShape[] = [];
  private readonly index: Flatbush | null;
  /** [minLng, minLat, maxLng, maxLat] of all grids, or null when there are none. */
  readonly bbox: [number, number, number, number] | null;
  private readonly bboxes: Float64Array;

  constructor(grids: { code: string; geometry: string }[]) {
    const boxes: number[] = [];
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (const g of grids) {
      let polygons: Polygon[];
      try {
        polygons = polygonsOf(JSON.parse(g.geometry));
      } catch {
        continue;
      }
      let x0 = Infinity;
      let y0 = Infinity;
      let x1 = -Infinity;
      let y1 = -Infinity;
      for (const p of polygons)
        for (const [x, y] of p[0] ?? []) {
          x0 = Math.min(x0, x);
          y0 = Math.min(y0, y);
          x1 = Math.max(x1, x);
          y1 = Math.max(y1, y);
        }
      if (!Number.isFinite(x0)) continue;
      this.shapes.push({ code: g.code, polygons });
      boxes.push(x0, y0, x1, y1);
      minX = Math.min(minX, x0);
      minY = Math.min(minY, y0);
      maxX = Math.max(maxX, x1);
      maxY = Math.max(maxY, y1);
    }
    this.bboxes = Float64Array.from(boxes);
    if (this.shapes.length > 0) {
      const idx = new Flatbush(this.shapes.length);
      for (let i = 0; i < this.shapes.length; i++)
        idx.add(boxes[4 * i]!, boxes[4 * i + 1]!, boxes[4 * i + 2]!, boxes[4 * i + 3]!);
      idx.finish();
      this.index = idx;
      this.bbox = [minX, minY, maxX, maxY];
    } else {
      this.index = null;
      this.bbox = null;
    }
  }

  get size(): number {
    return this.shapes.length;
  }

  locate(lng: number, lat: number): string | null {
    if (!this.index) return null;
    for (const i of this.index.search(lng, lat, lng, lat)) {
      const s = this.shapes[i]!;
      if (s.polygons.some((p) => isInPolygon(lng, lat, p))) return s.code;
    }
    return null;
  }

  /** Bounding box of every grid under a region prefix (null when the region has no grids). */
  bboxOf(prefix: string): [number, number, number, number] | null {
    let b: [number, number, number, number] | null = null;
    for (let i = 0; i < this.shapes.length; i++) {
      if (!this.shapes[i]!.code.startsWith(prefix)) continue;
      const [x0, y0, x1, y1] = [
        this.bboxes[4 * i]!,
        this.bboxes[4 * i + 1]!,
        this.bboxes[4 * i + 2]!,
        this.bboxes[4 * i + 3]!,
      ];
      b = b
        ? [Math.min(b[0], x0), Math.min(b[1], y0), Math.max(b[2], x1), Math.max(b[3], y1)]
        : [x0, y0, x1, y1];
    }
    return b;
  }
}
