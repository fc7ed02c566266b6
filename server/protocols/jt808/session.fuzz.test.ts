import fc from 'fast-check';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { VehicleReportSchema } from '@/lib/domain/vehicle';
import { IngestStats } from '@/server/ingest/ingest-stats';
import { createLogger } from '@/server/logger';
import { FrameSplitter } from './frame';
import { decodeFrame, encodeFrame, MSG } from './message';
import { encodeLocation } from './location';
import { Jt808Session } from './session';

const logger = createLogger('silent');

/** A session whose every outcome is counted: an answer, a report, a reject, or a terminal's own answer. */
function harness() {
  const stats = new IngestStats(new Registry(), logger);
  let answers = 0;
  let reports = 0;
  const session = new Jt808Session(
    {
      stats,
      send: () => answers++,
      onReport: (r) => {
        VehicleReportSchema.parse(r); // whatever gets through must be a valid report
        reports++;
      },
      register: () => ({ result: 0, authCode: 'code', close: false }),
      authenticate: (phone, code) =>
        code === 'code' ? { vehicleId: phone, credential: 'auto:' } : { refused: 'auth_failed' },
      onBound: () => {},
      close: () => {},
    },
    0,
    () => 0,
  );
  // The hostile frames below are what an authenticated terminal's connection might carry.
  session.push(
    encodeFrame({ msgId: MSG.authenticate, phone: '13912345678', serial: 0, body: Buffer.from('code') }),
  );
  if (!session.isAuthenticated) throw new Error('harness did not authenticate');
  const rejects = () => [...stats.rejected.values()].reduce((a, b) => a + b, 0);
  const base = answers;
  return { session, stats, rejects, outcomes: () => answers - base + reports + rejects() };
}

/** Candidate frames the gateway will see in `bytes`, by an independent splitter. */
function candidates(chunks: Uint8Array[]): { frames: number; silent: number } {
  let frames = 0;
  let silent = 0;
  const s = new FrameSplitter({
    onFrame: (f) => {
      frames++;
      const d = decodeFrame(f);
      if (d.ok && d.message.header.msgId === MSG.terminalResponse) silent++;
    },
    onDiscard: () => {},
  });
  for (const c of chunks) s.push(Buffer.from(c));
  return { frames, silent };
}

const validFrame = fc
  .record({
    lat: fc.double({ min: -90, max: 90, noNaN: true }),
    lng: fc.double({ min: -180, max: 180, noNaN: true }),
    serial: fc.nat(0xffff),
  })
  .map(({ lat, lng, serial }) =>
    encodeFrame({
      msgId: MSG.location,
      phone: '13912345678',
      serial,
      body: encodeLocation({ lat, lng, ts: Date.UTC(2026, 0, 1) }),
    }),
  );
/** Valid frames with a few bytes flipped, plus raw noise with flags sprinkled in. */
const hostileChunk = fc.oneof(
  fc
    .tuple(validFrame, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }))
    .map(([f, flips]) => {
      const b = Buffer.from(f);
      for (const [i, v] of flips) b[1 + (i % Math.max(1, b.length - 2))] = v;
      return new Uint8Array(b);
    }),
  fc.uint8Array({ maxLength: 200 }),
  fc.array(fc.constantFrom(0x7e, 0x7d, 0x01, 0x02, 0x00), { maxLength: 40 }).map((a) => Uint8Array.from(a)),
  validFrame.map((f) => new Uint8Array(f)),
);

describe('JT/T 808 session under hostile input', () => {
  it('never throws, and every candidate frame is answered, reported or counted as rejected', () => {
    fc.assert(
      fc.property(fc.array(hostileChunk, { maxLength: 30 }), (chunks) => {
        const h = harness();
        const joined = Buffer.concat(chunks.map((c) => Buffer.from(c)));
        // Deliver the same bytes cut at arbitrary places (TCP does).
        for (let i = 0; i < joined.length; i += 13) h.session.push(joined.subarray(i, i + 13));
        h.session.push(Buffer.from([0x7e])); // close a trailing frame so the count is exact
        const { frames, silent } = candidates([joined, Uint8Array.of(0x7e)]);
        expect(h.outcomes()).toBeGreaterThanOrEqual(frames - silent);
      }),
      { numRuns: 300 },
    );
  });

  it('takes 10,000 malformed frames without a crash, each rejected with a reason', () => {
    const h = harness();
    const rng = fc.sample(fc.uint8Array({ minLength: 1, maxLength: 64 }), { numRuns: 10_000, seed: 808 });
    let frames = 0;
    for (const body of rng) {
      const noFlags = Buffer.from(body.map((b) => (b === 0x7e ? 0x7f : b)));
      const before = h.rejects();
      h.session.push(Buffer.concat([Buffer.of(0x7e), noFlags, Buffer.of(0x7e)]));
      const d = decodeFrame(noFlags);
      if (!d.ok) {
        frames++;
        expect(h.rejects()).toBe(before + 1);
      }
    }
    expect(frames).toBeGreaterThan(9_900);
    expect(h.stats.rejected.size).toBeGreaterThan(1);
  });
});
