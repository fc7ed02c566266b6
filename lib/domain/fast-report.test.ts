import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { acceptVehicleReport, acceptWorkerReport } from './fast-report';
import { VehicleReportSchema } from './vehicle';
import { WorkerReportSchema } from './worker';

const plausible = fc.record(
  {
    id: fc.oneof(fc.string({ maxLength: 70 }), fc.integer()),
    lng: fc.oneof(fc.double(), fc.double({ min: -180, max: 180 }), fc.constant(Number.NaN), fc.string()),
    lat: fc.oneof(fc.double({ min: -95, max: 95 }), fc.constant(Infinity)),
    ts: fc.oneof(
      fc.integer({ min: 0, max: 5_000_000_000_000 }),
      fc.double(),
      fc.constant('2026-11-23T10:00:00Z'),
    ),
    crs: fc.constantFrom('wgs84', 'gcj02', 'bd09', 'utm', undefined),
    speed: fc.option(fc.double({ min: -10, max: 500 }), { nil: undefined }),
    heading: fc.option(fc.double({ min: -10, max: 400 }), { nil: undefined }),
    status: fc.constantFrom(
      'patrol',
      'idle',
      'responding',
      'on_scene',
      'offline',
      'on_duty',
      'off_duty',
      'x',
      undefined,
    ),
    name: fc.option(fc.string({ maxLength: 70 }), { nil: undefined }),
    kind: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
  },
  { requiredKeys: [] },
);

const strip = (o: object) => JSON.parse(JSON.stringify(o)) as unknown;

describe('fast report acceptors agree with the schemas', () => {
  it('vehicle: accepts only what the schema accepts, with the same output', () => {
    fc.assert(
      fc.property(fc.oneof(plausible, fc.anything()), (input) => {
        const fast = acceptVehicleReport(input);
        if (fast === null) return; // the caller falls back to the schema
        const z = VehicleReportSchema.safeParse(input);
        expect(z.success).toBe(true);
        if (z.success) expect(strip(fast)).toEqual(strip(z.data));
      }),
      { numRuns: 3000 },
    );
  });

  it('worker: accepts only what the schema accepts, with the same output', () => {
    fc.assert(
      fc.property(fc.oneof(plausible, fc.anything()), (input) => {
        const fast = acceptWorkerReport(input);
        if (fast === null) return;
        const z = WorkerReportSchema.safeParse(input);
        expect(z.success).toBe(true);
        if (z.success) expect(strip(fast)).toEqual(strip(z.data));
      }),
      { numRuns: 3000 },
    );
  });

  it('takes the ordinary gateway shape on the fast path', () => {
    const r = {
      id: 'V1',
      lng: 104.06,
      lat: 30.66,
      speed: 35.5,
      heading: 90,
      status: 'patrol',
      ts: 1_790_000_000_000,
    };
    expect(acceptVehicleReport(r)).toEqual(r);
    expect(acceptWorkerReport({ id: 'W1', lng: 104, lat: 30, ts: 1_790_000_000_000 })).not.toBeNull();
  });
});
