import { describe, expect, it } from 'vitest';
import { decodePositions, encodePositions, originForBbox } from '../realtime/position-codec';
import { emptyColumns, MAX_GLIDE_DEG, writeInterpolated } from './replay-frame';

const origin = originForBbox(103.9, 30.5, 104.2, 30.8);

/** A vehicle keyframe holding the given units: [idx, lng, lat, ts, status]. */
function frame(units: [number, number, number, number, number][]) {
  const n = Math.max(...units.map((u) => u[0])) + 1;
  const cols = {
    lng: new Float64Array(n),
    lat: new Float64Array(n),
    heading: new Float32Array(n),
    speed: new Float32Array(n),
    status: new Uint8Array(n),
    ts: new Float64Array(n),
  };
  for (const [i, lng, lat, ts, status] of units) {
    cols.lng[i] = lng;
    cols.lat[i] = lat;
    cols.ts[i] = ts;
    cols.status[i] = status;
    cols.speed[i] = 30;
  }
  const idx = units.map((u) => u[0]);
  const newest = Math.max(...units.map((u) => u[3]));
  return decodePositions(encodePositions('vehicle', cols, idx, idx.length, newest, origin, true));
}

describe('writeInterpolated', () => {
  const t0 = 1_700_000_000_000;
  const a = frame([
    [0, 104.0, 30.6, t0 - 5_000, 0],
    [3, 104.1, 30.7, t0 - 1_000, 1],
  ]);
  const b = frame([
    [0, 104.01, 30.62, t0 + 9_000, 2],
    [3, 104.1 + 2 * MAX_GLIDE_DEG, 30.7, t0 + 9_000, 1],
    [5, 104.05, 30.65, t0 + 9_000, 0],
  ]);

  it('glides positions between keyframes and keeps the earlier status (nothing from the future)', () => {
    const c = emptyColumns('vehicle');
    const changed = writeInterpolated(c, a, b, 0.5);
    expect([...changed]).toEqual([0, 3]);
    expect(c.count).toBe(4);
    expect(c.position[0]).toBeCloseTo(104.005, 5);
    expect(c.position[1]).toBeCloseTo(30.61, 5);
    expect(c.status[0]).toBe(0);
    expect(c.ts[0]).toBe(t0 + 2_000);
    // A jump farther than MAX_GLIDE_DEG is a new fix, not a drive: it stays put until the next keyframe.
    expect(c.position[6]).toBeCloseTo(104.1, 5);
    // Only what was known at the earlier keyframe is present.
    expect([...c.present.subarray(0, 6)]).toEqual([1, 0, 0, 1, 0, 0]);
  });

  it('shows the earlier keyframe exactly at 0 and without a later one, and bumps the version each time', () => {
    const c = emptyColumns('vehicle');
    writeInterpolated(c, a, b, 0);
    expect(c.position[0]).toBeCloseTo(104.0, 5);
    const v = c.version;
    writeInterpolated(c, a, null, 0.7);
    expect(c.position[0]).toBeCloseTo(104.0, 5);
    expect(c.version).toBe(v + 1);
  });

  it('clears units the new keyframe no longer holds', () => {
    const c = emptyColumns('vehicle');
    writeInterpolated(c, a, null, 0);
    writeInterpolated(c, frame([[0, 104.0, 30.6, t0, 0]]), null, 0);
    expect(c.present[3]).toBe(0);
  });
});
