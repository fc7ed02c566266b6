import Flatbush from 'flatbush';
import polygonClipping, { type MultiPolygon as PcMultiPolygon } from 'polygon-clipping';
import { orient2d } from 'robust-predicates';

export type Position = [number, number];
export type Ring = Position[];
export type Polygon = Ring[];
export type MultiPolygon = Polygon[];

/** GeoJSON polygonal geometry as we store it. */
export type PolygonalGeometry =
  { type: 'Polygon'; coordinates: Polygon } | { type: 'MultiPolygon'; coordinates: MultiPolygon };

/** Stored coordinates keep 7 decimals (~1 cm): stable text, so a re-import compares equal. */
const COORD_DECIMALS = 1e7;
/** Parts of a MultiPolygon may share edges, not area: overlap beyond this share of their area is an error. */
const PART_OVERLAP_MAX = 0.001;

export type PolygonCheck = { ok: true; polygons: MultiPolygon } | { ok: false; message: string };

function roundCoord(v: number): number {
  return Math.round(v * COORD_DECIMALS) / COORD_DECIMALS;
}

function readRing(raw: unknown, where: string, convert: (p: Position) => Position): Ring | string {
  if (!Array.isArray(raw)) return `${where}不是坐标数组`;
  const ring: Ring = [];
  for (let k = 0; k < raw.length; k++) {
    const p = raw[k] as unknown;
    if (!Array.isArray(p) || p.length < 2 || typeof p[0] !== 'number' || typeof p[1] !== 'number')
      return `${where}第 ${k + 1} 个点不是 [经度, 纬度]`;
    const [lng, lat] = p as [number, number];
    if (!Number.isFinite(lng) || !Number.isFinite(lat) || lng < -180 || lng > 180 || lat < -90 || lat > 90)
      return `${where}第 ${k + 1} 个点坐标超出范围 (${String(lng)}, ${String(lat)})`;
    const [x, y] = convert([lng, lat]);
    const q: Position = [roundCoord(x), roundCoord(y)];
    const last = ring[ring.length - 1];
    // A repeated point is a zero-length edge: harmless, dropped.
    if (!last || last[0] !== q[0] || last[1] !== q[1]) ring.push(q);
  }
  if (raw.length >= 1 && ring.length === 1) return `${where}所有点重合`;
  const first = ring[0];
  const last = ring[ring.length - 1];
  if (!first || !last || first[0] !== last[0] || first[1] !== last[1])
    return `${where}未闭合（首尾点须相同）`;
  if (ring.length < 4) return `${where}少于 4 个点（含闭合点）`;
  return ring;
}

/** Shoelace area in degrees² (sign: counter-clockwise positive). */
function ringArea(ring: Ring): number {
  let a = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++)
    a += (ring[j]![0] - ring[i]![0]) * (ring[j]![1] + ring[i]![1]);
  return a / 2;
}

function onSegment(a: Position, b: Position, c: Position): boolean {
  return (
    Math.min(a[0], b[0]) <= c[0] &&
    c[0] <= Math.max(a[0], b[0]) &&
    Math.min(a[1], b[1]) <= c[1] &&
    c[1] <= Math.max(a[1], b[1])
  );
}

/** True when segments ab and cd share any point (robust orientation tests, collinear overlap included). */
export function segmentsIntersect(a: Position, b: Position, c: Position, d: Position): boolean {
  const o1 = orient2d(a[0], a[1], b[0], b[1], c[0], c[1]);
  const o2 = orient2d(a[0], a[1], b[0], b[1], d[0], d[1]);
  const o3 = orient2d(c[0], c[1], d[0], d[1], a[0], a[1]);
  const o4 = orient2d(c[0], c[1], d[0], d[1], b[0], b[1]);
  if (((o1 > 0 && o2 < 0) || (o1 < 0 && o2 > 0)) && ((o3 > 0 && o4 < 0) || (o3 < 0 && o4 > 0))) return true;
  if (o1 === 0 && onSegment(a, b, c)) return true;
  if (o2 === 0 && onSegment(a, b, d)) return true;
  if (o3 === 0 && onSegment(c, d, a)) return true;
  if (o4 === 0 && onSegment(c, d, b)) return true;
  return false;
}

/**
 * The first crossing between edges of a polygon's rings, as "ring r edge e", or null. Edges that are
 * neighbours on one ring share their vertex by construction and are skipped; any other contact (a crossing,
 * a ring touching itself, a hole touching its shell) is reported. Edges are found through an R-tree of their
 * boxes, so a 10,000-point boundary costs n log n, not n².
 */
export function findSelfIntersection(polygon: Polygon): string | null {
  const segs: { ring: number; edge: number; a: Position; b: Position; n: number }[] = [];
  polygon.forEach((ring, r) => {
    for (let e = 0; e + 1 < ring.length; e++)
      segs.push({ ring: r, edge: e, a: ring[e]!, b: ring[e + 1]!, n: ring.length - 1 });
  });
  if (segs.length === 0) return null;
  const index = new Flatbush(segs.length);
  for (const s of segs)
    index.add(
      Math.min(s.a[0], s.b[0]),
      Math.min(s.a[1], s.b[1]),
      Math.max(s.a[0], s.b[0]),
      Math.max(s.a[1], s.b[1]),
    );
  index.finish();
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i]!;
    const hits = index.search(
      Math.min(s.a[0], s.b[0]),
      Math.min(s.a[1], s.b[1]),
      Math.max(s.a[0], s.b[0]),
      Math.max(s.a[1], s.b[1]),
    );
    for (const j of hits) {
      if (j <= i) continue;
      const t = segs[j]!;
      if (t.ring === s.ring) {
        const gap = t.edge - s.edge;
        if (gap === 1 || gap === s.n - 1) continue; // neighbours share a vertex (and so do the first and last)
      }
      if (segmentsIntersect(s.a, s.b, t.a, t.b))
        return s.ring === t.ring
          ? `第 ${s.ring + 1} 环第 ${s.edge + 1} 边与第 ${t.edge + 1} 边相交`
          : `第 ${s.ring + 1} 环与第 ${t.ring + 1} 环相交（第 ${s.edge + 1}、${t.edge + 1} 边）`;
    }
  }
  return null;
}

function isInRing(p: Position, ring: Ring): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/**
 * Reads and checks a GeoJSON Polygon or MultiPolygon: positions in range, rings closed with ≥ 4 points and
 * a non-zero area, no edge crossing another, every hole inside its shell, no two parts overlapping.
 * `convert` maps each position to WGS-84 (a GCJ-02 or BD-09 file); the result is stored as returned.
 */
export function checkPolygonal(
  geometry: unknown,
  convert: (p: Position) => Position = (p) => p,
): PolygonCheck {
  const g = geometry as { type?: unknown; coordinates?: unknown } | null;
  if (!g || typeof g !== 'object') return { ok: false, message: '缺少几何（geometry）' };
  if (g.type !== 'Polygon' && g.type !== 'MultiPolygon')
    return { ok: false, message: `几何类型须为 Polygon 或 MultiPolygon，而不是 ${String(g.type)}` };
  if (!Array.isArray(g.coordinates) || g.coordinates.length === 0)
    return { ok: false, message: '几何没有坐标' };
  const rawPolys = (g.type === 'Polygon' ? [g.coordinates] : g.coordinates) as unknown[];
  const polygons: MultiPolygon = [];
  for (let p = 0; p < rawPolys.length; p++) {
    const rawRings = rawPolys[p];
    const partLabel = g.type === 'MultiPolygon' ? `第 ${p + 1} 部分` : '';
    if (!Array.isArray(rawRings) || rawRings.length === 0)
      return { ok: false, message: `${partLabel}没有环` };
    const poly: Polygon = [];
    for (let r = 0; r < rawRings.length; r++) {
      const ring = readRing(rawRings[r], `${partLabel}第 ${r + 1} 环`, convert);
      if (typeof ring === 'string') return { ok: false, message: ring };
      poly.push(ring);
    }
    const crossing = findSelfIntersection(poly);
    if (crossing) return { ok: false, message: `${partLabel}自相交：${crossing}` };
    for (let r = 0; r < poly.length; r++)
      if (ringArea(poly[r]!) === 0) return { ok: false, message: `${partLabel}第 ${r + 1} 环面积为零` };
    for (let r = 1; r < poly.length; r++)
      if (!isInRing(poly[r]![0]!, poly[0]!))
        return { ok: false, message: `${partLabel}第 ${r + 1} 环（洞）不在外环之内` };
    polygons.push(poly);
  }
  if (polygons.length > 1) {
    const sum = polygons.reduce((s, p) => s + Math.abs(areaOf([p])), 0);
    const union = Math.abs(areaOf(polygonClipping.union(...(polygons.map((p) => [p]) as [PcMultiPolygon]))));
    if (sum - union > PART_OVERLAP_MAX * sum) return { ok: false, message: '多个部分相互重叠' };
  }
  return { ok: true, polygons };
}

/** Area of a multipolygon in degrees² (holes subtracted; orientation ignored). */
export function areaOf(mp: MultiPolygon): number {
  let a = 0;
  for (const poly of mp)
    poly.forEach((ring, r) => {
      a += r === 0 ? Math.abs(ringArea(ring)) : -Math.abs(ringArea(ring));
    });
  return a;
}

/** Square metres per square degree at a latitude (equirectangular, fine at a district's size). */
export function m2PerDeg2(lat: number): number {
  return 111_320 * Math.cos((lat * Math.PI) / 180) * 110_574;
}

export function bboxOf(mp: MultiPolygon): [number, number, number, number] {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const poly of mp)
    for (const [x, y] of poly[0] ?? []) {
      if (x < x0) x0 = x;
      if (y < y0) y0 = y;
      if (x > x1) x1 = x;
      if (y > y1) y1 = y;
    }
  return [x0, y0, x1, y1];
}

/** Area (degrees²) of the intersection of two multipolygons. */
export function intersectionArea(a: MultiPolygon, b: MultiPolygon): number {
  return areaOf(polygonClipping.intersection(a as PcMultiPolygon, b as PcMultiPolygon) as MultiPolygon);
}

/** A point for labels: the centre of the largest part's box, pulled to the part's vertex mean when outside. */
export function labelPoint(mp: MultiPolygon): Position {
  let best = mp[0]!;
  let bestArea = -1;
  for (const p of mp) {
    const a = Math.abs(areaOf([p]));
    if (a > bestArea) {
      bestArea = a;
      best = p;
    }
  }
  const [x0, y0, x1, y1] = bboxOf([best]);
  const c: Position = [roundCoord((x0 + x1) / 2), roundCoord((y0 + y1) / 2)];
  if (isInPolygonWithHoles(c, best)) return c;
  const shell = best[0]!;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i + 1 < shell.length; i++) {
    sx += shell[i]![0];
    sy += shell[i]![1];
  }
  const n = shell.length - 1;
  return [roundCoord(sx / n), roundCoord(sy / n)];
}

function isInPolygonWithHoles(p: Position, poly: Polygon): boolean {
  if (!isInRing(p, poly[0]!)) return false;
  for (let r = 1; r < poly.length; r++) if (isInRing(p, poly[r]!)) return false;
  return true;
}

export function toGeometry(mp: MultiPolygon): PolygonalGeometry {
  return mp.length === 1
    ? { type: 'Polygon', coordinates: mp[0]! }
    : { type: 'MultiPolygon', coordinates: mp };
}
