import fc from 'fast-check';
import net from 'node:net';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { InProcessBus } from '@/server/bus/in-process-bus';
import { IngestStats } from '@/server/ingest/ingest-stats';
import { createLogger } from '@/server/logger';
import { startJt808Gateway } from '@/server/protocols/jt808/gateway';
import { encodeLocation } from '@/server/protocols/jt808/location';
import { encodeFrame, MSG } from '@/server/protocols/jt808/message';
import { encodeAuthentication, encodeRegistration } from '@/server/protocols/jt808/registration';
import { Jt808Session } from '@/server/protocols/jt808/session';
import { createTerminalAuthority } from '@/server/protocols/jt808/terminal-auth';
import { hashAuthCode, staticTerminalLookup } from '@/server/protocols/jt808/terminal-directory';

const logger = createLogger('silent');
const PROVISIONED = '13912340001';
const DISABLED = '13912340002';
const CODE = 'a1b2c3d4e5f60718293a4b5c';
const terminals = staticTerminalLookup({
  [PROVISIONED]: { vehicleId: 'patrol-1', authHash: hashAuthCode(CODE), isDisabled: false },
  [DISABLED]: { vehicleId: 'patrol-2', authHash: hashAuthCode(CODE), isDisabled: true },
});

const phone = fc.constantFrom(PROVISIONED, DISABLED, '13700000000', '0', '99999999999');
const msgId = fc.constantFrom(
  MSG.terminalResponse,
  MSG.heartbeat,
  MSG.logout,
  MSG.register,
  MSG.authenticate,
  MSG.location,
  MSG.locationBatch,
  0x0900,
  0x8001,
);
/** Bodies a stranger might send: registrations, near-miss codes (never the right one), positions, noise. */
const body = fc.oneof(
  fc.constant(Buffer.alloc(0)),
  fc.string({ maxLength: 10 }).map((plate) => encodeRegistration(plate)),
  fc
    .oneof(
      fc.constant(CODE.slice(0, -1) + '0'),
      fc.constant(CODE.toUpperCase()),
      fc.string({ maxLength: 30 }),
    )
    .map((c) => encodeAuthentication(c)),
  fc
    .record({
      lat: fc.double({ min: -90, max: 90, noNaN: true }),
      lng: fc.double({ min: -180, max: 180, noNaN: true }),
    })
    .map(({ lat, lng }) => encodeLocation({ lat, lng, ts: Date.UTC(2026, 0, 1) })),
  fc.uint8Array({ maxLength: 100 }).map((u) => Buffer.from(u)),
);
const frame = fc
  .record({
    msgId,
    phone,
    body,
    serial: fc.nat(0xffff),
    packet: fc.option(
      fc.record({ total: fc.integer({ min: 2, max: 70 }), seq: fc.integer({ min: 1, max: 2 }) }),
    ),
    is2019: fc.boolean(),
  })
  .map(({ packet, ...f }) => encodeFrame({ ...f, packet: packet ?? undefined }));
/** One stranger's opening bytes: a few frames, or noise with flags in it. */
const input = fc.oneof(
  fc.array(frame, { minLength: 1, maxLength: 4 }).map((fs) => Buffer.concat(fs)),
  fc
    .uint8Array({ minLength: 1, maxLength: 200 })
    .map((u) => Buffer.concat([Buffer.from(u), Buffer.of(0x7e)])),
);

describe('JT/T 808 before authentication', () => {
  it('rejects 10,000 hostile openings, each with a reason: never authenticated, nothing reported', () => {
    const authority = createTerminalAuthority({ terminals, autoRegister: false });
    const stats = new IngestStats(new Registry(), logger);
    const total = () => [...stats.rejected.values()].reduce((a, b) => a + b, 0);
    const inputs = fc.sample(input, { numRuns: 10_000, seed: 808 });
    let reports = 0;
    let bound = 0;
    for (const bytes of inputs) {
      const before = total();
      const session = new Jt808Session(
        {
          stats,
          send: () => {},
          onReport: () => reports++,
          ...authority,
          onBound: () => bound++,
          close: () => {},
        },
        0,
        () => 0,
      );
      session.push(bytes);
      expect(session.isAuthenticated).toBe(false);
      // Bare flags carry no byte to refuse (an empty frame is nothing); everything else is refused, counted.
      const hasContent = bytes.some((b) => b !== 0x7e);
      if (hasContent && total() <= before) throw new Error(`no reason for ${bytes.toString('hex')}`);
    }
    expect(inputs).toHaveLength(10_000);
    expect(reports).toBe(0);
    expect(bound).toBe(0);
    // The reasons are specific, not one catch-all.
    const reasons = Object.keys(stats.rejectedObject());
    for (const r of [
      'unknown_terminal',
      'auth_failed',
      'unauthenticated',
      'split_unauthenticated',
      'vehicle_disabled',
    ])
      expect(reasons).toContain(`jt808/${r}`);
  });

  it('over TCP: 200 hostile openings leave no binding, no report and no connection behind', async () => {
    const bus = new InProcessBus();
    let published = 0;
    await bus.onTelemetry(() => void published++);
    const stats = new IngestStats(new Registry(), logger);
    const gw = await startJt808Gateway({
      port: 0,
      host: '127.0.0.1',
      bus,
      logger,
      stats,
      terminals,
      autoRegister: false,
      batchIntervalMs: 5,
      maxConnectionsPerIp: 1_000,
    });
    try {
      for (const bytes of fc.sample(input, { numRuns: 200, seed: 6808 })) {
        await new Promise<void>((resolve, reject) => {
          const s = net.connect({ port: gw.port, host: '127.0.0.1' }, () => s.end(bytes));
          s.resume();
          s.on('error', reject);
          s.on('close', () => resolve());
        });
      }
      while (gw.connections() > 0) await new Promise((r) => setTimeout(r, 5));
      await gw.flush();
      expect(gw.boundTerminals()).toBe(0);
      expect(gw.bufferedBytes()).toBe(0);
      expect(published).toBe(0);
      expect(stats.accepted).toBe(0);
    } finally {
      await gw.close();
    }
  });
});
