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
  ENTITY_KINDS,
  originForBbox,
  POSITION_HEADER_BYTES,
  PositionCodecError,
  STATIC_KINDS,
  TS_UNIT_MS,
  type EntityKind,
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
  it('costs 15 bytes per sparse update of a moving kind, less where a column says nothing', () => {
    const c = columns(
      Array.from({ length: 5 }, () => ({ lng: 104, lat: 30, heading: 0, speed: 0, status: 0, ts: 1 })),
    );
    const size = (kind: EntityKind, idx: number[]) =>
      (encodePositions(kind, c, idx, idx.length, 1, origin, false).byteLength - POSITION_HEADER_BYTES) /
      idx.length;
    expect(size('vehicle', [0, 2])).toBe(BYTES_PER_UPDATE);
    expect(size('worker', [4, 1])).toBe(BYTES_PER_UPDATE);
    expect(size('vehicle', [1, 2, 3])).toBe(11); // a dense run: no idx column
    expect(size('camera', [0, 2])).toBe(13); // a camera never moves: no heading or speed
    expect(size('camera', [0, 1, 2, 3, 4])).toBe(9);
  });

  it('round-trips every field within its stated resolution, for any index order and kind', () => {
    const base = 1_790_000_000_000;
    const batch = fc.array(row, { maxLength: 200 }).chain((rows) =>
      fc.record({
        rows: fc.constant(rows),
        // Any subset in any order, including dense runs (whole snapshots) and single entities.
        idx: fc.oneof(
          fc.shuffledSubarray(rows.map((_, i) => i)),
          fc.integer({ min: 0, max: rows.length }).map((k) => rows.map((_, i) => i).slice(k)),
        ),
        kind: fc.constantFrom(...ENTITY_KINDS),
        isFull: fc.boolean(),
      }),
    );
    fc.assert(
      fc.property(batch, ({ rows, idx, kind, isFull }) => {
        const c = columns(rows.map((r) => ({ ...r, ts: base - r.ageMs })));
        const d = decodePositions(encodePositions(kind, c, idx, idx.length, base, origin, isFull));
        expect(d.count).toBe(idx.length);
        expect(d.isFull).toBe(isFull);
        expect(d.kind).toBe(kind);
        expect([...d.idx]).toEqual(idx);
        idx.forEach((e, i) => {
          const r = rows[e]!;
          expect(Math.abs(batchLng(d, i) - r.lng)).toBeLessThanOrEqual(origin.unitE6 * 1e-6);
          expect(Math.abs(batchLat(d, i) - r.lat)).toBeLessThanOrEqual(origin.unitE6 * 1e-6);
          expect(Math.abs(batchTs(d, i) - (base - r.ageMs))).toBeLessThanOrEqual(TS_UNIT_MS / 2);
          expect(d.status[i]).toBe(r.status);
          if (STATIC_KINDS.has(kind)) {
            expect([d.heading[i], d.speed[i]]).toEqual([0, 0]);
          } else {
            const dh = Math.abs(batchHeading(d, i) - r.heading);
            expect(Math.min(dh, 360 - dh)).toBeLessThanOrEqual(360 / 256);
            expect(Math.abs(d.speed[i]! - r.speed)).toBeLessThanOrEqual(0.5);
          }
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
