import gcoord from 'gcoord';

/** The coordinate systems a basemap may be drawn in (BASEMAP_CRS); stored positions are always WGS-84. */
export const DRAW_CRSES = ['wgs84', 'gcj02'] as const;
export type DrawCrs = (typeof DRAW_CRSES)[number];

export function isDrawCrs(v: unknown): v is DrawCrs {
  return v === 'wgs84' || v === 'gcj02';
}

/**
 * The GCJ-02 offset is looked up in cells of this size (degrees, ~1.7 km) and interpolated bilinearly from the
 * cell's corners: the offset's fastest term has a period of 1/3°, so the error stays under half a metre
 * (tested against gcoord), while one point costs a Map lookup and a few multiplications instead of gcoord's
 * ~1.5 µs (100k moved vehicles per batch would be 150 ms of main thread).
 */
export const GCJ_CELL_DEG = 1 / 64;
/** Corner offsets are kept for at most this many cells (a province is ~40,000 cells; 32 B each). */
const MAX_CACHED_CELLS = 250_000;

/**
 * Converts stored WGS-84 positions to the basemap's system for drawing, and screen picks back. Identity for a
 * WGS-84 basemap, so the common case copies nothing and costs nothing.
 */
export interface DrawProjection {
  readonly crs: DrawCrs;
  readonly isIdentity: boolean;
  /** One position, WGS-84 → basemap (for low-rate things: incidents, the console's units). */
  point(lng: number, lat: number): [number, number];
  /** One position, basemap → WGS-84 (a click, a map centre). */
  unproject(x: number, y: number): [number, number];
  /** Interleaved [lng, lat] for `indexes` (or the first `count` when 'all'), src → dst in place by index. */
  convert(src: Float64Array, dst: Float64Array, indexes: ArrayLike<number> | 'all', count: number): void;
}

const IDENTITY: DrawProjection = {
  crs: 'wgs84',
  isIdentity: true,
  point: (lng, lat) => [lng, lat],
  unproject: (x, y) => [x, y],
  convert(src, dst, indexes, count) {
    if (src === dst) return;
    if (indexes === 'all') dst.set(src.subarray(0, 2 * count));
    else
      for (let k = 0; k < indexes.length; k++) {
        const i = indexes[k]!;
        dst[2 * i] = src[2 * i]!;
        dst[2 * i + 1] = src[2 * i + 1]!;
      }
  },
};

function exactGcj(lng: number, lat: number): [number, number] {
  return gcoord.transform([lng, lat], gcoord.WGS84, gcoord.GCJ02) as [number, number];
}

class GcjProjection implements DrawProjection {
  readonly crs = 'gcj02' as const;
  readonly isIdentity = false;
  /** Per cell: the offsets (dLng, dLat) at its four corners, SW, SE, NW, NE. */
  private cells = new Map<number, Float64Array>();

  point(lng: number, lat: number): [number, number] {
    const out = new Float64Array(2);
    this.one(lng, lat, out, 0);
    return [out[0]!, out[1]!];
  }

  unproject(x: number, y: number): [number, number] {
    return gcoord.transform([x, y], gcoord.GCJ02, gcoord.WGS84) as [number, number];
  }

  convert(src: Float64Array, dst: Float64Array, indexes: ArrayLike<number> | 'all', count: number): void {
    if (indexes === 'all') for (let i = 0; i < count; i++) this.one(src[2 * i]!, src[2 * i + 1]!, dst, 2 * i);
    else
      for (let k = 0; k < indexes.length; k++) {
        const o = 2 * indexes[k]!;
        this.one(src[o]!, src[o + 1]!, dst, o);
      }
  }

  private one(lng: number, lat: number, dst: Float64Array, o: number): void {
    // NaN (never placed) stays NaN: deck.gl leaves it undrawn.
    if (lng !== lng || lat !== lat) {
      dst[o] = lng;
      dst[o + 1] = lat;
      return;
    }
    const fx = lng / GCJ_CELL_DEG;
    const fy = lat / GCJ_CELL_DEG;
    const cx = Math.floor(fx);
    const cy = Math.floor(fy);
    const key = cx * 65_536 + cy;
    let c = this.cells.get(key);
    if (!c) {
      if (this.cells.size >= MAX_CACHED_CELLS) this.cells.clear();
      c = cornerOffsets(cx, cy);
      this.cells.set(key, c);
    }
    const tx = fx - cx;
    const ty = fy - cy;
    const w00 = (1 - tx) * (1 - ty);
    const w10 = tx * (1 - ty);
    const w01 = (1 - tx) * ty;
    const w11 = tx * ty;
    dst[o] = lng + w00 * c[0]! + w10 * c[2]! + w01 * c[4]! + w11 * c[6]!;
    dst[o + 1] = lat + w00 * c[1]! + w10 * c[3]! + w01 * c[5]! + w11 * c[7]!;
  }
}

function cornerOffsets(cx: number, cy: number): Float64Array {
  const c = new Float64Array(8);
  let k = 0;
  for (const [dx, dy] of [
    [0, 0],
    [1, 0],
    [0, 1],
    [1, 1],
  ] as const) {
    const lng = (cx + dx) * GCJ_CELL_DEG;
    const lat = (cy + dy) * GCJ_CELL_DEG;
    const [x, y] = exactGcj(lng, lat);
    c[k++] = x - lng;
    c[k++] = y - lat;
  }
  return c;
}

export function drawProjection(crs: DrawCrs): DrawProjection {
  return crs === 'gcj02' ? new GcjProjection() : IDENTITY;
}
