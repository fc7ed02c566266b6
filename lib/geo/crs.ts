import gcoord from 'gcoord';
import type { Crs } from '../domain/enums';

/**
 * Converts a source position to WGS-84, the system we store (DESIGN.md §3). JT/T 808 terminals and GB/T 28181
 * devices send WGS-84; Chinese web map SDKs (AMap, Tencent) send GCJ-02 and Baidu sends BD-09.
 */
export function toWgs84(lng: number, lat: number, crs: Crs | undefined): [number, number] {
  if (!crs || crs === 'wgs84') return [lng, lat];
  const from = crs === 'gcj02' ? gcoord.GCJ02 : gcoord.BD09;
  const [x, y] = gcoord.transform([lng, lat], from, gcoord.WGS84) as [number, number];
  return [x, y];
}

/** Converts a stored WGS-84 position for a basemap drawn in GCJ-02 (most Chinese tile services). */
export function wgs84To(lng: number, lat: number, crs: Crs): [number, number] {
  if (crs === 'wgs84') return [lng, lat];
  const to = crs === 'gcj02' ? gcoord.GCJ02 : gcoord.BD09;
  const [x, y] = gcoord.transform([lng, lat], gcoord.WGS84, to) as [number, number];
  return [x, y];
}
