import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  batchHeading,
  batchLat,
  batchLng,
  batchTs,
  BYTES_PER_UPDATE,
  decodePositions,
  encodePositions,
  originForBbox,
  POSITION_HEADER_BYTES,
  PositionCodecError,
  TS_UNIT_MS,
  type PositionColumns,
} from './position-codec';

function columns(
  rows: { lng: number; lat: number; heading: number; speed: number; status: number; ts: number }[],
) {
  const n = rows.length;
  const c: PositionColumns = {
    lng: new Float64Array(n),
    lat: new Float64Array(n),
    heading: new Float32Array(n),
    speed: new Float32Array(n),
    status: new Uint8Array(n),
    ts: new Float64Array(n),
  };
  rows.forEach((r, i) => {
    c.lng[i] = r.lng;
    c.lat[i] = r.lat;
    c.heading[i] = r.heading;
    c.speed[i] = r.speed;
    c.status[i] = r.status;
    c.ts[i] = r.ts;
  });
  return c;
}

const origin = originForBbox(102, 28, 110, 34); // a province-sized window

const row = fc.record({
  lng: fc.double({ min: 102, max: 110, noNaN: true }),
  lat: fc.double({ min: 28, max: 34, noNaN: true }),
  heading: fc.double({ min: 0, max: 359.9, noNaN: true }),
  speed: fc.double({ min: 0, max: 250, noNaN: true }),
  status: fc.integer({ min: 0, max: 4 }),
  ageMs: fc.integer({ min: 0, max: 600_000 }),
});

describe('position codec', () => {
  it('costs 15 bytes per update plus a 32-byte header', () => {
    const c = columns([{ lng: 104, lat: 30, heading: 0, speed: 0, status: 0, ts: 1 }]);
    expect(encodePositions('vehicle', c, [0], 1, 1, origin, false).byteLength).toBe(
      POSITION_HEADER_BYTES + BYTES_PER_UPDATE,
    );
  });

  it('round-trips every field within its stated resolution', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 200 }), fc.boolean(), (rows, isFull) => {
        const base = 1_790_000_000_000;
        const c = columns(rows.map((r) => ({ ...r, ts: base - r.ageMs })));
        const idx = rows.map((_, i) => i);
        const bytes = encodePositions('vehicle', c, idx, idx.length, base, origin, isFull);
        const d = decodePositions(bytes);
        expect(d.count).toBe(rows.length);
        expect(d.isFull).toBe(isFull);
        expect(d.kind).toBe('vehicle');
        rows.forEach((r, i) => {
          expect(d.idx[i]).toBe(i);
          expect(Math.abs(batchLng(d, i) - r.lng)).toBeLessThanOrEqual(origin.unitE6 * 1e-6);
          expect(Math.abs(batchLat(d, i) - r.lat)).toBeLessThanOrEqual(origin.unitE6 * 1e-6);
          expect(Math.abs(batchTs(d, i) - (base - r.ageMs))).toBeLessThanOrEqual(TS_UNIT_MS / 2);
          const dh = Math.abs(batchHeading(d, i) - r.heading);
          expect(Math.min(dh, 360 - dh)).toBeLessThanOrEqual(360 / 256);
          expect(Math.abs(d.speed[i]! - r.speed)).toBeLessThanOrEqual(0.5);
          expect(d.status[i]).toBe(r.status);
        });
      }),
    );
  });

  it('marks a report older than the age window as infinitely old, never as fresh', () => {
    const c = columns([{ lng: 104, lat: 30, heading: 0, speed: 0, status: 0, ts: 0 }]);
    const d = decodePositions(encodePositions('camera', c, [0], 1, 1_790_000_000_000, origin, true));
    expect(batchTs(d, 0)).toBe(-Infinity);
  });

  it('decodes from an unaligned Node Buffer slice (what socket.io-client hands over)', () => {
    const c = columns([{ lng: 104.123456, lat: 30.654321, heading: 90, speed: 30, status: 2, ts: 5 }]);
    const bytes = encodePositions('worker', c, [0], 1, 5, origin, false);
    const padded = Buffer.alloc(bytes.byteLength + 3);
    padded.set(bytes, 3);
    const d = decodePositions(padded.subarray(3));
    expect(batchLng(d, 0)).toBeCloseTo(104.123456, 6);
    expect(d.kind).toBe('worker');
  });

  it('rejects garbage with a codec error, never a crash or a wrong batch', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (junk) => {
        try {
          decodePositions(junk);
        } catch (e) {
          expect(e).toBeInstanceOf(PositionCodecError);
        }
      }),
    );
  });

  it('widens the step so a wide territory still fits the 24-bit window', () => {
    expect(originForBbox(104, 30, 105, 31).unitE6).toBe(1);
    expect(originForBbox(73, 18, 135, 54).unitE6).toBe(4);
  });
});
