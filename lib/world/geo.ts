/**
 * Plane geometry for the generator. The world is laid out in local metres around its centre (equirectangular:
 * good to ~0.1 % over a district, and a bijection at any size, so a tiling in metres is a tiling in degrees),
 * then written out as WGS-84 degrees.
 */
export type Pt = [number, number];
export type Ring = Pt[];
/** Outer ring first, then holes; rings are closed (first point repeated last), as GeoJSON. */
export type Poly = Ring[];
export type MultiPoly = Poly[];

export const EARTH_RADIUS_M = 6_371_008.8;
const DEG = Math.PI / 180;

export class LocalProjection {
  private readonly mPerDegLng: number;
  private readonly mPerDegLat: number;

  constructor(
    readonly lng0: number,
    readonly lat0: number,
  ) {
    this.mPerDegLat = EARTH_RADIUS_M * DEG;
    this.mPerDegLng = this.mPerDegLat * Math.cos(lat0 * DEG);
  }

  toMeters(lng: number, lat: number): Pt {
    return [(lng - this.lng0) * this.mPerDegLng, (lat - this.lat0) * this.mPerDegLat];
  }

  /** Degrees rounded to 1e-6 (~0.1 m): finer is noise, and it keeps the stored JSON small. */
  toLngLat(x: number, y: number): Pt {
    return [round6(this.lng0 + x / this.mPerDegLng), round6(this.lat0 + y / this.mPerDegLat)];
  }
}

export function round6(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

/** Great-circle distance in metres. */
export function haversineM(lng1: number, lat1: number, lng2: number, lat2: number): number {
  const dLat = (lat2 - lat1) * DEG;
  const dLng = (lng2 - lng1) * DEG;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * DEG) * Math.cos(lat2 * DEG) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** Initial bearing in degrees clockwise from north, 0..360. */
export function bearingDeg(lng1: number, lat1: number, lng2: number, lat2: number): number {
  const y = Math.sin((lng2 - lng1) * DEG) * Math.cos(lat2 * DEG);
  const x =
    Math.cos(lat1 * DEG) * Math.sin(lat2 * DEG) -
    Math.sin(lat1 * DEG) * Math.cos(lat2 * DEG) * Math.cos((lng2 - lng1) * DEG);
  const b = Math.atan2(y, x) / DEG;
  return (b + 360) % 360;
}

/** Signed area (positive when counter-clockwise), shoelace over a closed or open ring. */
export function ringSignedArea(ring: readonly Pt[]): number {
  let s = 0;
  for (let i = 0, n = ring.length; i < n; i++) {
    const [x1, y1] = ring[i]!;
    const [x2, y2] = ring[(i + 1) % n]!;
    s += x1 * y2 - x2 * y1;
  }
  return s / 2;
}

export function polyArea(poly: Poly): number {
  let a = 0;
  poly.forEach(
    (ring, i) => (a += i === 0 ? Math.abs(ringSignedArea(ring)) : -Math.abs(ringSignedArea(ring))),
  );
  return a;
}

export function multiArea(mp: MultiPoly): number {
  return mp.reduce((s, p) => s + polyArea(p), 0);
}

export function pointInRing(x: number, y: number, ring: readonly Pt[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

export function pointInPoly(x: number, y: number, poly: Poly): boolean {
  if (!poly[0] || !pointInRing(x, y, poly[0])) return false;
  for (let h = 1; h < poly.length; h++) if (pointInRing(x, y, poly[h]!)) return false;
  return true;
}

export function pointInMulti(x: number, y: number, mp: MultiPoly): boolean {
  return mp.some((p) => pointInPoly(x, y, p));
}

export type BBox = [number, number, number, number];

export function bboxOf(points: Iterable<Pt>): BBox {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const [x, y] of points) {
    if (x < minX) minX = x;
    if (y < minY) minY = y;
    if (x > maxX) maxX = x;
    if (y > maxY) maxY = y;
  }
  return [minX, minY, maxX, maxY];
}

export function multiBBox(mp: MultiPoly): BBox {
  return bboxOf(mp.flatMap((p) => p[0] ?? []));
}

/** Area-weighted centroid of the outer rings; falls back to the vertex mean for degenerate rings. */
export function multiCentroid(mp: MultiPoly): Pt {
  let cx = 0;
  let cy = 0;
  let a = 0;
  for (const poly of mp) {
    const ring = poly[0];
    if (!ring) continue;
    for (let i = 0, n = ring.length; i < n; i++) {
      const [x1, y1] = ring[i]!;
      const [x2, y2] = ring[(i + 1) % n]!;
      const f = x1 * y2 - x2 * y1;
      cx += (x1 + x2) * f;
      cy += (y1 + y2) * f;
      a += f;
    }
  }
  if (Math.abs(a) < 1e-9) {
    const pts = mp.flatMap((p) => p[0] ?? []);
    return [pts.reduce((s, p) => s + p[0], 0) / pts.length, pts.reduce((s, p) => s + p[1], 0) / pts.length];
  }
  return [cx / (3 * a), cy / (3 * a)];
}

/** Closest point on segment AB to P, with the fraction t along AB. */
export function closestOnSegment(px: number, py: number, ax: number, ay: number, bx: number, by: number) {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2));
  const x = ax + t * dx;
  const y = ay + t * dy;
  return { x, y, t, d2: (px - x) ** 2 + (py - y) ** 2 };
}

/** Whether segments AB and CD properly intersect. */
export function segmentsIntersect(a: Pt, b: Pt, c: Pt, d: Pt): boolean {
  const o = (p: Pt, q: Pt, r: Pt) => (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0]);
  const d1 = o(c, d, a);
  const d2 = o(c, d, b);
  const d3 = o(a, b, c);
  const d4 = o(a, b, d);
  return d1 * d2 < 0 && d3 * d4 < 0;
}

/** Closes a ring and orients it: exterior counter-clockwise, holes clockwise (RFC 7946). */
export function normalizeRing(ring: Ring, isHole: boolean): Ring {
  const r = ring.slice();
  const first = r[0];
  const last = r[r.length - 1];
  if (first && last && (first[0] !== last[0] || first[1] !== last[1])) r.push([first[0], first[1]]);
  const ccw = ringSignedArea(r) > 0;
  if (ccw === isHole) r.reverse();
  return r;
}
