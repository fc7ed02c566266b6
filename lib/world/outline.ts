import type { MultiPoly, Pt, Ring } from './geo';
import { normalizeRing } from './geo';
import type { Rng } from './rng';

/**
 * A territory outline: a circle of `radiusM` bent by a few low harmonics, so it reads as a boundary that
 * follows rivers and ridges rather than a surveyor's rectangle, yet stays star-shaped (never self-crossing).
 */
export function blobOutline(rng: Rng, center: Pt, radiusM: number, vertices = 128, roughness = 1): MultiPoly {
  const harmonics = [2, 3, 4, 5, 7, 11].map((k) => ({
    k,
    amp: (rng.range(0.02, 0.09) * roughness) / Math.sqrt(k / 2),
    phase: rng.range(0, 2 * Math.PI),
  }));
  const ring: Ring = [];
  for (let i = 0; i < vertices; i++) {
    const th = (2 * Math.PI * i) / vertices;
    let f = 1;
    for (const h of harmonics) f += h.amp * Math.sin(h.k * th + h.phase);
    const r = radiusM * Math.max(0.5, f);
    ring.push([center[0] + r * Math.cos(th), center[1] + r * Math.sin(th)]);
  }
  return [[normalizeRing(ring, false)]];
}

/** A meandering line across a box: a river, entering on one side and leaving on the other. */
export function meander(rng: Rng, from: Pt, to: Pt, amplitudeM: number, points = 160): Pt[] {
  const dx = to[0] - from[0];
  const dy = to[1] - from[1];
  const len = Math.hypot(dx, dy);
  const nx = -dy / len;
  const ny = dx / len;
  const waves = [1.5, 3.2, 7.1].map((k, i) => ({
    k,
    amp: amplitudeM / (i + 1),
    phase: rng.range(0, 2 * Math.PI),
  }));
  const out: Pt[] = [];
  for (let i = 0; i <= points; i++) {
    const t = i / points;
    let off = 0;
    for (const w of waves) off += w.amp * Math.sin(2 * Math.PI * w.k * t + w.phase);
    // Fade the meander in and out so the river enters and leaves where it was told to.
    off *= Math.sin(Math.PI * t) ** 0.5;
    out.push([from[0] + dx * t + nx * off, from[1] + dy * t + ny * off]);
  }
  return out;
}
