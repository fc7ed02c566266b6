import { drawProjection, type DrawCrs } from './draw-projection';

/**
 * Moves every coordinate of a GeoJSON value (a FeatureCollection, Feature or geometry; any nesting of
 * positions) from stored WGS-84 into the basemap's system, returning a new value. For what the server draws
 * from the world itself (the built-in basemap, the area tiles) when BASEMAP_CRS is gcj02, so that roads,
 * outlines and the live positions all sit in one system. Not for the hot path: once per asset.
 */
export function geoJsonToDrawCrs<T>(value: T, crs: DrawCrs): T {
  if (crs === 'wgs84') return value;
  const p = drawProjection(crs);
  const walk = (v: unknown, key: string | null): unknown => {
    if (Array.isArray(v)) {
      if (key === 'coordinates' || key === null) return positions(v);
      return v.map((x) => walk(x, null));
    }
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v))
        out[k] = k === 'properties' ? x : k === 'coordinates' ? positions(x as unknown[]) : walk(x, k);
      return out;
    }
    return v;
  };
  const positions = (v: unknown[]): unknown => {
    if (v.length >= 2 && typeof v[0] === 'number' && typeof v[1] === 'number') {
      const [x, y] = p.point(v[0], v[1]);
      return [x, y, ...v.slice(2)];
    }
    return v.map((x) => (Array.isArray(x) ? positions(x) : walk(x, null)));
  };
  return walk(value, 'root') as T;
}

/** A [minLng, minLat, maxLng, maxLat] box in the basemap's system (its corners moved). */
export function bboxToDrawCrs(
  b: [number, number, number, number],
  crs: DrawCrs,
): [number, number, number, number] {
  const p = drawProjection(crs);
  const [x0, y0] = p.point(b[0], b[1]);
  const [x1, y1] = p.point(b[2], b[3]);
  return [x0, y0, x1, y1];
}
