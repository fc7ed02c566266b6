import Flatbush from 'flatbush';

type Position = [number, number];
type Ring = Position[];
type Polygon = Ring[];

/** The polygons of a GeoJSON Polygon or MultiPolygon; none for anything else. */
function polygonsOf(geometry: unknown): Polygon[] {
  const g = geometry as { type?: string; coordinates?: unknown };
  if (g?.type === 'Polygon') return [g.coordinates as Polygon];
  if (g?.type === 'MultiPolygon') return g.coordinates as Polygon[];
  return [];
}

/** Numbers appended one by one into a typed array that doubles when full. */
class Column<A extends Float64Array | Uint32Array> {
  length = 0;
  constructor(private data: A) {}
  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = new (this.data.constructor as new (n: number) => A)(Math.max(16, this.data.length * 2));
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }
  /** The values, in an array of exactly their length. */
  done(): A {
    return this.data.slice(0, this.length) as A;
  }
}

/**
 * Many coded areas (a province's 120,000 grids, ~1.6 M outline vertices) packed into a few typed arrays,
 * with an R-tree of their outer rings' boxes. As GeoJSON arrays ([x, y] each) the same outlines held ~130 MB
 * of the server's heap (heap snapshot at province scale); packed they take ~30 MB.
 *
 * Area a's polygons are polyStart[a]..polyStart[a+1], polygon p's rings ringStart[p]..ringStart[p+1], ring
 * r's vertices pointStart[r]..pointStart[r+1] in `xy` (x, y pairs). Areas without a polygon are left out.
 */
export class PackedPolygons {
  private readonly codes: string[] = [];
  private readonly xy: Float64Array;
  private readonly pointStart: Uint32Array;
  private readonly ringStart: Uint32Array;
  private readonly polyStart: Uint32Array;
  /** Outer-ring box of area a at [4a, 4a + 4). */
  private readonly boxes: Float64Array;
  private readonly index: Flatbush | null;
  /** [minX, minY, maxX, maxY] of all areas, or null when there are none. */
  readonly bbox: [number, number, number, number] | null;

  constructor(areas: Iterable<{ code: string; geometry: unknown }>) {
    const boxes = new Column(new Float64Array(0));
    const xy = new Column(new Float64Array(0));
    const pointStart = new Column(new Uint32Array(0));
    const ringStart = new Column(new Uint32Array(0));
    const polyStart = new Column(new Uint32Array(0));
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (const a of areas) {
      const polygons = polygonsOf(a.geometry);
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
      polyStart.push(ringStart.length);
      for (const p of polygons) {
        ringStart.push(pointStart.length);
        for (const ring of p) {
          pointStart.push(xy.length / 2);
          for (const [x, y] of ring) {
            xy.push(x);
            xy.push(y);
          }
        }
      }
      this.codes.push(a.code);
      for (const v of [x0, y0, x1, y1]) boxes.push(v);
      minX = Math.min(minX, x0);
      minY = Math.min(minY, y0);
      maxX = Math.max(maxX, x1);
      maxY = Math.max(maxY, y1);
    }
    // Each start column ends with its total, so the last item's end reads like any other's.
    pointStart.push(xy.length / 2);
    ringStart.push(pointStart.length - 1);
    polyStart.push(ringStart.length - 1);
    this.xy = xy.done();
    this.pointStart = pointStart.done();
    this.ringStart = ringStart.done();
    this.polyStart = polyStart.done();
    this.boxes = boxes.done();
    if (this.codes.length > 0) {
      const idx = new Flatbush(this.codes.length);
      const b = this.boxes;
      for (let i = 0; i < this.codes.length; i++)
        idx.add(b[4 * i]!, b[4 * i + 1]!, b[4 * i + 2]!, b[4 * i + 3]!);
      idx.finish();
      this.index = idx;
      this.bbox = [minX, minY, maxX, maxY];
    } else {
      this.index = null;
      this.bbox = null;
    }
  }

  get size(): number {
    return this.codes.length;
  }

  codeAt(a: number): string {
    return this.codes[a]!;
  }

  /** Area a's outer-ring box [minX, minY, maxX, maxY]. */
  boxAt(a: number): [number, number, number, number] {
    const b = this.boxes;
    return [b[4 * a]!, b[4 * a + 1]!, b[4 * a + 2]!, b[4 * a + 3]!];
  }

  /** The areas whose box meets [minX, maxX] × [minY, maxY], in the R-tree's order. */
  search(minX: number, minY: number, maxX: number, maxY: number): number[] {
    return this.index ? this.index.search(minX, minY, maxX, maxY) : [];
  }

  /** Whether (x, y) lies in area a: even-odd over each polygon's rings (holes included). */
  contains(a: number, x: number, y: number): boolean {
    const xy = this.xy;
    for (let p = this.polyStart[a]!; p < this.polyStart[a + 1]!; p++) {
      let isInside = false;
      for (let r = this.ringStart[p]!; r < this.ringStart[p + 1]!; r++) {
        const from = this.pointStart[r]!;
        const to = this.pointStart[r + 1]!;
        for (let i = from, j = to - 1; i < to; j = i++) {
          const xi = xy[2 * i]!;
          const yi = xy[2 * i + 1]!;
          const xj = xy[2 * j]!;
          const yj = xy[2 * j + 1]!;
          if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) isInside = !isInside;
        }
      }
      if (isInside) return true;
    }
    return false;
  }

  /** Area a as GeoJSON, a Polygon when it has one (new arrays: for cutting a tile, not for keeping). */
  geometryAt(
    a: number,
  ): { type: 'Polygon'; coordinates: Polygon } | { type: 'MultiPolygon'; coordinates: Polygon[] } {
    const xy = this.xy;
    const coordinates: Polygon[] = [];
    for (let p = this.polyStart[a]!; p < this.polyStart[a + 1]!; p++) {
      const rings: Ring[] = [];
      for (let r = this.ringStart[p]!; r < this.ringStart[p + 1]!; r++) {
        const ring: Ring = [];
        for (let i = this.pointStart[r]!; i < this.pointStart[r + 1]!; i++)
          ring.push([xy[2 * i]!, xy[2 * i + 1]!]);
        rings.push(ring);
      }
      coordinates.push(rings);
    }
    return coordinates.length === 1
      ? { type: 'Polygon', coordinates: coordinates[0]! }
      : { type: 'MultiPolygon', coordinates };
  }
}
