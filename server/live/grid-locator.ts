import { PackedPolygons } from '@/lib/geo/packed-polygons';

/** Parsed one row at a time, so a province's outlines never sit in the heap as GeoJSON all at once. */
function* parsed(
  grids: { code: string; geometry: string }[],
): Generator<{ code: string; geometry: unknown }> {
  for (const g of grids) {
    try {
      yield { code: g.code, geometry: JSON.parse(g.geometry) };
    } catch {
      // A damaged outline places nothing; the grid's other uses (its name, its code) are unaffected.
    }
  }
}

/** Finds the grid a position falls in (incidents without a gridCode), via an R-tree of grid boxes. */
export class GridLocator {
  private readonly areas: PackedPolygons;
  /** [minLng, minLat, maxLng, maxLat] of all grids, or null when there are none. */
  readonly bbox: [number, number, number, number] | null;

  constructor(grids: { code: string; geometry: string }[]) {
    this.areas = new PackedPolygons(parsed(grids));
    this.bbox = this.areas.bbox;
  }

  get size(): number {
    return this.areas.size;
  }

  locate(lng: number, lat: number): string | null {
    for (const a of this.areas.search(lng, lat, lng, lat))
      if (this.areas.contains(a, lng, lat)) return this.areas.codeAt(a);
    return null;
  }

  /** Bounding box of every grid under a region prefix (null when the region has no grids). */
  bboxOf(prefix: string): [number, number, number, number] | null {
    let b: [number, number, number, number] | null = null;
    for (let a = 0; a < this.areas.size; a++) {
      if (!this.areas.codeAt(a).startsWith(prefix)) continue;
      const [x0, y0, x1, y1] = this.areas.boxAt(a);
      b = b
        ? [Math.min(b[0], x0), Math.min(b[1], y0), Math.max(b[2], x1), Math.max(b[3], y1)]
        : [x0, y0, x1, y1];
    }
    return b;
  }
}
