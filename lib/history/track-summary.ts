import type { TrackPoint, TrackStop } from './contract';

/** A stop is a stay of at least this long (issue 17: "stops of 3 minutes or more"). */
export const TRACK_STOP_MIN_MS = 3 * 60_000;
/** Within this distance of where it began, a unit counts as not moving (GPS jitter at rest is 5–30 m). */
export const TRACK_STOP_RADIUS_M = 50;
const EARTH_RADIUS_M = 6_371_008.8;

export function haversineM(lng1: number, lat1: number, lng2: number, lat2: number): number {
  const r = Math.PI / 180;
  const dLat = (lat2 - lat1) * r;
  const dLng = (lng2 - lng1) * r;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** Metres along the points in order (points sorted by time). */
export function trackDistanceM(points: readonly TrackPoint[]): number {
  let d = 0;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    d += haversineM(a.lng, a.lat, b.lng, b.lat);
  }
  return Math.round(d);
}

/**
 * Stays: maximal runs of points within TRACK_STOP_RADIUS_M of the run's first point lasting
 * TRACK_STOP_MIN_MS or more, placed at the run's mean position. Greedy and linear; points sorted by time.
 */
export function findStops(
  points: readonly TrackPoint[],
  minMs = TRACK_STOP_MIN_MS,
  radiusM = TRACK_STOP_RADIUS_M,
): TrackStop[] {
  const stops: TrackStop[] = [];
  let i = 0;
  while (i < points.length) {
    const a = points[i]!;
    let j = i + 1;
    while (j < points.length && haversineM(a.lng, a.lat, points[j]!.lng, points[j]!.lat) <= radiusM) j++;
    const last = points[j - 1]!;
    if (last.ts - a.ts >= minMs) {
      let lng = 0;
      let lat = 0;
      for (let k = i; k < j; k++) {
        lng += points[k]!.lng;
        lat += points[k]!.lat;
      }
      const n = j - i;
      stops.push({
        from: a.ts,
        to: last.ts,
        lng: Math.round((lng / n) * 1e6) / 1e6,
        lat: Math.round((lat / n) * 1e6) / 1e6,
      });
      i = j;
    } else i++;
  }
  return stops;
}
