import fc from 'fast-check';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '@/lib/clock';
import type { TelemetryKind } from '@/lib/realtime/contract';
import { LiveState } from '../live/live-state';
import { createLogger } from '../logger';
import { IngestStats } from './ingest-stats';
import { TelemetryIngest } from './telemetry-ingest';

const NOW = Date.UTC(2026, 11, 2, 8, 0, 0);

function pipeline() {
  const live = new LiveState(new FakeClock(NOW));
  const ingest = new TelemetryIngest(live, new IngestStats(new Registry(), createLogger('silent')));
  return { live, ingest };
}

type Pipeline = ReturnType<typeof pipeline>;

/** Everything a report can change: the columns, the names, the registrations and the lag signal. */
function stateOf(p: Pipeline, kind: 'vehicle' | 'worker') {
  const s = p.live.store(kind);
  const n = s.count;
  p.live.seal();
  return {
    count: n,
    meta: Array.from({ length: n }, (_, i) => s.metaOf(i)),
    ts: Array.from(s.ts.subarray(0, n)),
    lng: Array.from(s.lng.subarray(0, n)),
    lat: Array.from(s.lat.subarray(0, n)),
    heading: Array.from(s.heading.subarray(0, n)),
    speed: Array.from(s.speed.subarray(0, n)),
    status: Array.from(s.status.subarray(0, n)),
    registrations: p.live.takeRegistrations(),
    lag: p.live.ingestLagMs,
    changed: p.live.changedBetween(kind, p.live.sealedTick - 1, p.live.sealedTick),
  };
}

// Number texts as gateways and hand-written clients send them, including forms the scanner leaves to the
// exact path (exponents, 16+ digits) and forms that are not JSON at all.
const numberText = fc.oneof(
  fc.double({ min: -200, max: 200, noNaN: true }).map((v) => JSON.stringify(v)),
  fc
    .tuple(fc.double({ min: -181, max: 181, noNaN: true }), fc.integer({ min: 0, max: 12 }))
    .map(([v, d]) => v.toFixed(d)),
  fc.integer({ min: -10, max: 500 }).map(String),
  fc.constantFrom('1e2', '-0', '0', '01', '1.', '.5', '-', '120.12345678901234', '3E1', 'null', '"12"'),
);
const tsText = fc.oneof(
  fc.integer({ min: NOW - 60_000, max: NOW + 10_000 }).map(String),
  fc.double({ min: NOW - 60_000, max: NOW, noNaN: true }).map((v) => JSON.stringify(v)),
  fc.constantFrom(String(NOW + 3_600_000), '1', '"2026-12-02T07:59:00Z"', `${NOW}e0`),
);
const idText = fc.oneof(
  fc.constantFrom('"V1"', '"V2"', '"V3"', '"浙A12345"', '"V\\u0031"', '""', '"W1"', '42'),
  fc.string({ maxLength: 70 }).map((s) => JSON.stringify(s)),
);
const enumText = fc.constantFrom(
  '"patrol"',
  '"idle"',
  '"responding"',
  '"on_scene"',
  '"offline"',
  '"on_duty"',
  '"off_duty"',
  '"gcj02"',
  '"bd09"',
  '"wgs84"',
  '"x"',
  'null',
);
const textValue = fc.oneof(
  fc.constantFrom('"巡逻01"', '"SUV"', '"a\\"b"', '""'),
  fc.string({ maxLength: 80 }).map((s) => JSON.stringify(s)),
);

const field = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(fc.constant('id'), idText) },
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom('lng', 'lat', 'speed', 'heading'), numberText) },
  { weight: 3, arbitrary: fc.tuple(fc.constant('ts'), tsText) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('status', 'crs'), enumText) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('name', 'kind'), textValue) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('extra', 'i', 'speeds', 'na\\u006de'), numberText) },
);

/**
 * A report in the plain shape, mostly one the exact path accepts (so the scanner's apply runs too), with
 * values at and just past each bound and timestamps a millisecond apart (latest-wins ties and near-ties).
 */
const nearly = <T>(usual: fc.Arbitrary<T>, edges: T[]) =>
  fc.oneof({ weight: 9, arbitrary: usual }, { weight: 1, arbitrary: fc.constantFrom(...edges) });
const goodReport = (kind: 'vehicle' | 'worker') =>
  fc
    .record({
      id: fc.constantFrom('V1', 'V2', 'V3', 'V4'),
      lng: nearly(fc.double({ min: 118, max: 123, noNaN: true }), [180, -180, 180.000001, -180.5]),
      lat: nearly(fc.double({ min: 27, max: 31, noNaN: true }), [90, -90, 90.0001, -91]),
      ts: fc.oneof(fc.integer({ min: NOW - 60_000, max: NOW }), fc.integer({ min: NOW - 2, max: NOW })),
      digits: fc.integer({ min: 0, max: 8 }),
      heading: fc.option(nearly(fc.integer({ min: 0, max: 360 }), [360, 361, 360.5, -1]), {
        nil: undefined,
      }),
      speed: fc.option(
        nearly(
          fc.integer({ min: 0, max: 4000 }).map((v) => v / 10),
          [400, 400.1, -0.1],
        ),
        {
          nil: undefined,
        },
      ),
      status: fc.option(fc.constantFrom('patrol', 'idle', 'responding', 'on_duty'), { nil: undefined }),
      crs: fc.option(fc.constantFrom('wgs84', 'gcj02', 'bd09'), { nil: undefined }),
      name: fc.option(fc.constantFrom('巡逻01', 'Patrol 7'), { nil: undefined }),
    })
    .map((r) => {
      const parts = [
        `"id":"${r.id}"`,
        `"lng":${r.lng.toFixed(r.digits)}`,
        `"lat":${r.lat.toFixed(r.digits)}`,
        `"ts":${r.ts}`,
      ];
      if (r.status !== undefined) parts.push(`"status":"${kind === 'worker' ? 'off_duty' : r.status}"`);
      if (r.crs !== undefined) parts.push(`"crs":"${r.crs}"`);
      if (kind === 'worker') return parts;
      if (r.heading !== undefined) parts.push(`"heading":${r.heading}`);
      if (r.speed !== undefined) parts.push(`"speed":${JSON.stringify(r.speed)}`);
      if (r.name !== undefined) parts.push(`"name":"${r.name}"`);
      return parts;
    });

const ws = fc.constantFrom('', '', '', ' ', '\n  ', '\t');
const shuffles = fc.array(fc.constantFrom(0, 1, 2), { maxLength: 10 });

const asObject = ([pairs, space, shuffle]: [string[], string, number[]]) => {
  const p = [...pairs];
  for (const s of shuffle) if (p.length > 1) p.push(...p.splice(s % p.length, 1));
  return `{${space}${p.join(`${space},${space}`)}${space}}`;
};

const good = (kind: 'vehicle' | 'worker') => fc.tuple(goodReport(kind), ws, shuffles).map(asObject);

const report = (kind: 'vehicle' | 'worker') =>
  fc
    .tuple(
      fc.oneof(
        { weight: 3, arbitrary: goodReport(kind) },
        {
          weight: 2,
          arbitrary: fc.array(field, { maxLength: 9 }).map((fs) => fs.map(([k, v]) => `"${k}":${v}`)),
        },
      ),
      ws,
      shuffles,
    )
    .map(asObject);

const array = (r: fc.Arbitrary<string>) =>
  fc.tuple(fc.array(r, { maxLength: 8 }), ws).map(([rs, s]) => `[${s}${rs.join(`,${s}`)}${s}]`);

const message = (kind: 'vehicle' | 'worker') =>
  fc.oneof(
    { weight: 4, arbitrary: array(good(kind)) },
    { weight: 3, arbitrary: array(report(kind)) },
    { weight: 1, arbitrary: report(kind) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '',
        '[',
        '[]',
        '[{}]',
        '{"id":"V1"',
        '[{"id":"V1","lng":1,"lat":2,"ts":1764662400000}]x',
      ),
    },
  );

describe('report scanner: the byte path leaves the same state as JSON.parse and the schemas', () => {
  for (const kind of ['vehicle', 'worker'] as const) {
    it(`${kind}: every message sequence, accepted or rejected, with the same reasons`, () => {
      let fast = 0;
      let total = 0;
      fc.assert(
        fc.property(fc.array(message(kind), { minLength: 1, maxLength: 5 }), (messages) => {
          const exact = pipeline();
          const bytes = pipeline();
          for (const m of messages) {
            const a = exact.ingest.handleRaw(kind as TelemetryKind, m, 'redis:x');
            const b = bytes.ingest.handleBytes(kind as TelemetryKind, Buffer.from(m), 'redis:x');
            expect(b).toEqual(a);
          }
          expect(stateOf(bytes, kind)).toEqual(stateOf(exact, kind));
          fast += bytes.ingest.scanCounts.fast;
          total += messages.length;
        }),
        { numRuns: 1500 },
      );
      // The property means little unless the scanner itself, not its fallback, handled a good share.
      expect(fast / total).toBeGreaterThan(0.2);
    });
  }

  it('takes the byte path for the shape gateways send, and the exact path for an ISO timestamp', () => {
    const p = pipeline();
    const plain = `[{"id":"V1","lng":120.123456,"lat":30.5,"speed":40,"status":"patrol","heading":90,"ts":${NOW}}]`;
    expect(p.ingest.handleBytes('vehicle', Buffer.from(plain))).toEqual({ accepted: 1, rejected: [] });
    expect(p.ingest.scanCounts).toEqual({ fast: 1, exact: 0 });
    const iso = '{"id":"V1","lng":120.2,"lat":30.6,"ts":"2026-12-02T08:00:00Z"}';
    expect(p.ingest.handleBytes('vehicle', Buffer.from(iso))).toEqual({ accepted: 1, rejected: [] });
    expect(p.ingest.scanCounts).toEqual({ fast: 1, exact: 1 });
    const s = p.live.vehicle;
    expect([s.lng[0], s.lat[0], s.ts[0]]).toEqual([120.2, 30.6, NOW]);
  });

  it('rejects a bad report by reason without losing the good ones beside it', () => {
    const p = pipeline();
    const msg = `[{"id":"V1","lng":120,"lat":30,"ts":${NOW}},{"id":"V2","lng":999,"lat":30,"ts":${NOW}},{"id":"V3","lng":121,"lat":31,"ts":${NOW}}]`;
    const r = p.ingest.handleBytes('vehicle', Buffer.from(msg));
    expect(r.accepted).toBe(2);
    expect(r.rejected).toEqual([{ index: 1, reason: expect.stringContaining('lng') }]);
    expect(p.live.vehicle.count).toBe(2);
  });
});
