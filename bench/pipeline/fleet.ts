/**
 * The synthetic province fleet the load generator drives: vehicle k is `V` + k zero-padded, so a subscriber
 * maps an id back to k without a lookup table.
 */
export const FLEET_ID_DIGITS = 7;
/** A province-sized box (≈ Zhejiang): positions fit the codec's 24-bit window at 1e-6°. */
export const FLEET_BBOX: [number, number, number, number] = [118.0, 27.0, 123.0, 31.2];

export function vehicleId(k: number): string {
  return `V${String(k).padStart(FLEET_ID_DIGITS, '0')}`;
}

export function vehicleNumber(id: string): number {
  return Number(id.slice(1));
}

/** Deterministic pseudo-random base position of vehicle k (no RNG state to share between processes). */
export function basePosition(k: number): [number, number] {
  const h1 = Math.imul(k + 1, 0x9e3779b1) >>> 0;
  const h2 = Math.imul(k + 7, 0x85ebca77) >>> 0;
  const [w, s, e, n] = FLEET_BBOX;
  return [w + ((h1 % 1_000_000) / 1_000_000) * (e - w), s + ((h2 % 1_000_000) / 1_000_000) * (n - s)];
}
