import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '@/lib/clock';
import { VehicleReportSchema, type VehicleReport } from '@/lib/domain/vehicle';
import { payloadText } from '@/server/bus/bus';
import { InProcessBus } from '@/server/bus/in-process-bus';
import { IngestStats } from '@/server/ingest/ingest-stats';
import { createLogger } from '@/server/logger';
import {
  startJt808Gateway,
  type Jt808Gateway,
  type Jt808GatewayOptions,
} from '@/server/protocols/jt808/gateway';
import { MSG } from '@/server/protocols/jt808/message';
import { SimulatedTerminal } from '@/server/protocols/jt808/simulated-terminal';
import { staticTerminalLookup } from '@/server/protocols/jt808/terminal-directory';

const logger = createLogger('silent');
const TS = Date.parse('2026-01-23T01:45:12Z');
const open: { gw?: Jt808Gateway; terminals: SimulatedTerminal[] } = { terminals: [] };

async function start(extra: Partial<Jt808GatewayOptions> = {}) {
  const bus = new InProcessBus();
  const stats = new IngestStats(new Registry(), logger);
  const reports: VehicleReport[] = [];
  let waiters: (() => void)[] = [];
  await bus.onTelemetry((kind, raw) => {
    expect(kind).toBe('vehicle');
    for (const r of JSON.parse(payloadText(raw)) as unknown[]) reports.push(VehicleReportSchema.parse(r));
    for (const w of waiters) w();
    waiters = [];
  });
  const gw = await startJt808Gateway({
    port: 0,
    host: '127.0.0.1',
    bus,
    logger,
    stats,
    batchIntervalMs: 5,
    // These tests cover the protocol with auto-registration (demo); jt808-provisioning covers the rest.
    autoRegister: true,
    ...extra,
  });
  open.gw = gw;
  const until = async (n: number) => {
    const deadline = Date.now() + 5_000;
    while (reports.length < n) {
      if (Date.now() > deadline) throw new Error(`only ${reports.length}/${n} reports reached the bus`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 50);
      });
    }
  };
  const terminal = async (phone: string, is2019 = false) => {
    const t = await SimulatedTerminal.connect(gw.port, phone, { is2019 });
    open.terminals.push(t);
    return t;
  };
  return { gw, stats, reports, until, terminal };
}

afterEach(async () => {
  for (const t of open.terminals) t.close();
  open.terminals = [];
  await open.gw?.close();
  open.gw = undefined;
});

describe('JT/T 808 gateway over TCP', () => {
  it('registers, authenticates and publishes a position to the bus', async () => {
    const { reports, until, terminal, stats } = await start();
    const t = await terminal('13912345678');
    const code = await t.register('粤B12345');
    expect(await t.authenticate(code)).toBe(0);
    const ack = t.waitForResponseTo(MSG.location);
    t.send(t.location({ lat: 22.543096, lng: 114.057865, speedKmh: 60, heading: 90, ts: TS }));
    expect((await ack).body[4]).toBe(0);
    await until(1);
    expect(reports[0]).toEqual({
      id: '13912345678',
      lat: 22.543096,
      lng: 114.057865,
      speed: 60,
      heading: 90,
      ts: TS,
      name: '粤B12345',
    });
    expect(stats.accepted).toBe(1);
  });

  it('maps a configured terminal to its vehicle and speaks the 2019 edition', async () => {
    const { reports, until, terminal } = await start({
      terminals: staticTerminalLookup({
        '13800000001': { vehicleId: 'patrol-7', authHash: null, isDisabled: false },
      }),
    });
    const t = await terminal('13800000001', true);
    expect(await t.authenticate(await t.register())).toBe(0);
    t.send(
      t.locationBatch(
        [
          { lat: 30, lng: 120, ts: TS - 1_000 },
          { lat: 30.001, lng: 120.001, ts: TS },
        ],
        1,
      ),
    );
    await until(1);
    // Coalesced per vehicle: the newest of the batch wins.
    expect(reports).toEqual([{ id: 'patrol-7', lat: 30.001, lng: 120.001, speed: 0, heading: 0, ts: TS }]);
  });

  it('survives split, joined and corrupted reads and counts every reject', async () => {
    const { reports, until, terminal, stats } = await start({ crs: 'gcj02' });
    const t = await terminal('13912345679');
    expect(await t.authenticate(await t.register())).toBe(0);
    const good = t.location({ lat: 31.2, lng: 121.4, ts: TS });
    const corrupt = Buffer.from(t.location({ lat: 31.3, lng: 121.5, ts: TS }));
    corrupt.writeUInt8(corrupt.readUInt8(corrupt.length - 2) ^ 0x55, corrupt.length - 2); // the check code
    const later = t.location({ lat: 31.25, lng: 121.45, ts: TS + 1_000 });
    const stream = Buffer.concat([Buffer.from('noise'), good, corrupt, Buffer.from([1, 2, 3]), later]);
    for (let i = 0; i < stream.length; i += 7) {
      t.send(stream.subarray(i, i + 7));
      await new Promise((r) => setImmediate(r));
    }
    await until(1);
    await open.gw!.flush();
    expect(reports.at(-1)).toMatchObject({ lat: 31.25, lng: 121.45, crs: 'gcj02' });
    // Once framing is established, bytes between two frames are a candidate of their own: the noise and
    // the 3 stray bytes are each rejected as too short, the corrupted frame by its check code.
    expect(stats.rejectedObject()).toEqual({ 'jt808/too_short': 2, 'jt808/bad_checksum': 1 });
  });

  it('refuses positions before authentication and wrong auth codes', async () => {
    const { terminal, stats, reports } = await start();
    const t = await terminal('13700000000');
    const ack = t.waitForResponseTo(MSG.location);
    t.send(t.location({ lat: 1, lng: 1, ts: TS }));
    expect((await ack).body[4]).toBe(1);
    expect(await t.authenticate('not-the-code')).toBe(1);
    expect(stats.rejectedObject()).toMatchObject({ 'jt808/unauthenticated': 1, 'jt808/auth_failed': 1 });
    expect(reports).toHaveLength(0);
  });

  it('times out silent terminals and replaces a reconnected one', async () => {
    const clock = new FakeClock();
    const { gw, terminal } = await start({ clock, idleTimeoutMs: 60_000 });
    const first = await terminal('13600000000');
    expect(await first.authenticate(await first.register())).toBe(0);
    const second = await terminal('13600000000');
    expect(await second.authenticate(await second.register())).toBe(0);
    await first.closed(); // the older connection of the same phone is closed once the new one authenticated
    const silent = await terminal('13600000001');
    await new Promise((r) => setTimeout(r, 20));
    expect(gw.connections()).toBe(2);
    clock.advance(60_001);
    expect(gw.sweepIdle()).toBe(2);
    await Promise.all([second.closed(), silent.closed()]);
  });

  it('serves a thousand terminals at once', async () => {
    // All from 127.0.0.1: as many as behind one carrier NAT.
    const { reports, until, terminal, gw } = await start({ maxConnectionsPerIp: 2_000 });
    const N = 1_000;
    const ts = await Promise.all(
      Array.from({ length: N }, (_, i) => terminal(`1390000${String(i).padStart(4, '0')}`)),
    );
    while (gw.connections() < N) await new Promise((r) => setTimeout(r, 10));
    const results = await Promise.all(ts.map(async (t) => t.authenticate(await t.register())));
    expect(results.every((r) => r === 0)).toBe(true);
    expect(gw.boundTerminals()).toBe(N);
    ts.forEach((t, i) => t.send(t.location({ lat: 30 + i / 1e4, lng: 120, ts: TS })));
    await until(N);
    expect(new Set(reports.map((r) => r.id)).size).toBe(N);
  });
});
