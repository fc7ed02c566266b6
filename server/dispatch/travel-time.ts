/** Anything that can estimate driving time between two WGS-84 points; null when it cannot route. */
export interface TravelTimeEstimator {
  travelTimeS(fromLng: number, fromLat: number, toLng: number, toLat: number): number | null;
}

const EARTH_RADIUS_M = 6_371_008.8;
/** Urban patrol speed when no road graph is loaded: 30 km/h. */
export const FALLBACK_SPEED_MPS = 30 / 3.6;
/** Roads are longer than the crow flies; 1.3 is the usual urban detour factor. */
export const DETOUR_FACTOR = 1.3;

export function haversineM(lng1: number, lat1: number, lng2: number, lat2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLng = (lng2 - lng1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

export const straightLineEstimator: TravelTimeEstimator = {
  travelTimeS: (fromLng, fromLat, toLng, toLat) =>
    (haversineM(fromLng, fromLat, toLng, toLat) * DETOUR_FACTOR) / FALLBACK_SPEED_MPS,
};
