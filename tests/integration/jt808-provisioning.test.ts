import net from 'node:net';
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
import { encodeFrame, MSG } from '@/server/protocols/jt808/message';
import { encodeLocation } from '@/server/protocols/jt808/location';
import { REGISTER_RESULT } from '@/server/protocols/jt808/registration';
import { SimulatedTerminal } from '@/server/protocols/jt808/simulated-terminal';
import {
  hashAuthCode,
  phoneKey,
  type TerminalEntry,
  type TerminalLookup,
} from '@/server/protocols/jt808/terminal-directory';

const logger = createLogger('silent');
const TS = Date.parse('2026-03-01T02:00:00Z');
const PHONE = '13912340001';
const CODE = 'a1b2c3d4e5f60718293a4b5c';
const DISABLED_PHONE = '13912340002';
const open: { gw?: Jt808Gateway; sockets: { close(): void }[] } = { sockets: [] };

/** A directory the test can change while the gateway runs (as an administrator would). */
function mutableDirectory(entries: Record<string, TerminalEntry>) {
  const map = new Map(Object.entries(entries).map(([p, e]) => [phoneKey(p), e]));
  const listeners: (() => void)[] = [];
  const dir: TerminalLookup & { set(phone: string, e: TerminalEntry): void } = {
    lookup: (p) => map.get(p),
    onChange: (fn) => void listeners.push(fn),
    set(phone, e) {
      map.set(phoneKey(phone), e);
      for (const fn of listeners) fn();
    },
  };
  return dir;
}

async function start(extra: Partial<Jt808GatewayOptions> = {}) {
  const bus = new InProcessBus();
  const stats = new IngestStats(new Registry(), logger);
  const reports: VehicleReport[] = [];
  await bus.onTelemetry((_kind, raw) => {
    for (const r of JSON.parse(payloadText(raw)) as unknown[]) reports.push(VehicleReportSchema.parse(r));
  });
  const terminals = mutableDirectory({
    [PHONE]: { vehicleId: 'patrol-1', authHash: hashAuthCode(CODE), isDisabled: false },
    [DISABLED_PHONE]: { vehicleId: 'patrol-2', authHash: hashAuthCode(CODE), isDisabled: true },
  });
  const gw = await startJt808Gateway({
    port: 0,
    host: '127.0.0.1',
    bus,
    logger,
    stats,
    batchIntervalMs: 5,
    terminals,
    autoRegister: false,
    ...extra,
  });
  open.gw = gw;
  const terminal = async (phone: string) => {
    const t = await SimulatedTerminal.connect(gw.port, phone);
    open.sockets.push(t);
    return t;
  };
  /** Everything published so far, after the batcher and the bus had their turn. */
  const published = async () => {
    await gw.flush();
    await new Promise((r) => setImmediate(r));
    return reports;
  };
  return { gw, stats, reports, published, terminal, terminals };
}

/** A raw TCP connection (no protocol helper), for partial frames. */
function rawConnection(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' }, () => resolve(s));
    s.resume(); // read (and drop) the answers, so the gateway's hang-up is seen
    s.once('error', reject);
    s.on('error', () => {});
    open.sockets.push({ close: () => s.destroy() });
  });
}

const closedSocket = (s: net.Socket) =>
  s.destroyed ? Promise.resolve() : new Promise<void>((r) => s.once('close', () => r()));

afterEach(async () => {
  for (const s of open.sockets) s.close();
  open.sockets = [];
  await open.gw?.close();
  open.gw = undefined;
});

describe('JT/T 808: only provisioned terminals', () => {
  it('refuses an unprovisioned terminal with 0x8100 result 4 and hangs up; nothing is published', async () => {
    const { terminal, stats, published } = await start();
    const t = await terminal('13700000009');
    const { result, code } = await t.registerResult('粤B00001');
    expect(result).toBe(REGISTER_RESULT.noTerminal);
    expect(code).toBe('');
    await t.closed();
    // Authenticating straight away does not work either.
    const u = await terminal('13700000009');
    expect(await u.authenticate('anything')).toBe(1);
    await u.closed();
    expect(await published()).toHaveLength(0);
    expect(stats.rejectedObject()).toMatchObject({ 'jt808/unknown_terminal': 2 });
  });

  it('authenticates a provisioned terminal with its own code and publishes under its vehicle id', async () => {
    const { terminal, published, gw } = await start();
    const t = await terminal(PHONE);
    // Its registration is answered "already registered": the code came from the installer, not from 0x8100.
    expect((await t.registerResult('川A10001')).result).toBe(REGISTER_RESULT.terminalTaken);
    expect(await t.authenticate(CODE)).toBe(0);
    expect(gw.boundTerminals()).toBe(1);
    const ack = t.waitForResponseTo(MSG.location);
    t.send(t.location({ lat: 30.66, lng: 104.06, ts: TS }));
    expect((await ack).body[4]).toBe(0);
    expect(await published()).toEqual([
      { id: 'patrol-1', lat: 30.66, lng: 104.06, speed: 0, heading: 0, ts: TS },
    ]);
  });

  it('refuses a wrong code and closes the connection', async () => {
    const { terminal, stats, published } = await start();
    const t = await terminal(PHONE);
    expect(await t.authenticate('b1b2c3d4e5f60718293a4b5c')).toBe(1);
    await t.closed();
    expect(stats.rejectedObject()).toMatchObject({ 'jt808/auth_failed': 1 });
    expect(await published()).toHaveLength(0);
  });

  it('refuses a disabled vehicle at registration (result 2) and authentication', async () => {
    const { terminal, stats } = await start();
    const t = await terminal(DISABLED_PHONE);
    expect((await t.registerResult()).result).toBe(REGISTER_RESULT.noVehicle);
    await t.closed();
    const u = await terminal(DISABLED_PHONE);
    expect(await u.authenticate(CODE)).toBe(1);
    await u.closed();
    expect(stats.rejectedObject()).toMatchObject({ 'jt808/vehicle_disabled': 2 });
  });

  it('does not let an unauthenticated frame naming a provisioned phone disconnect or speak for the real terminal', async () => {
    const { terminal, stats, published, gw } = await start();
    const real = await terminal(PHONE);
    expect(await real.authenticate(CODE)).toBe(0);
    const impostor = await terminal(PHONE);
    const hb = impostor.waitForResponseTo(MSG.heartbeat);
    impostor.send(impostor.frame(MSG.heartbeat));
    expect((await hb).body[4]).toBe(1); // failure: not authenticated
    const pos = impostor.waitForResponseTo(MSG.location);
    impostor.send(impostor.location({ lat: 1, lng: 1, ts: TS + 5_000 }));
    expect((await pos).body[4]).toBe(1);
    // The real terminal is still connected and still reporting.
    expect(real.socket.destroyed).toBe(false);
    expect(gw.boundTerminals()).toBe(1);
    const ack = real.waitForResponseTo(MSG.location);
    real.send(real.location({ lat: 30.5, lng: 104.5, ts: TS }));
    expect((await ack).body[4]).toBe(0);
    const reports = await published();
    expect(reports).toEqual([expect.objectContaining({ id: 'patrol-1', lat: 30.5, lng: 104.5 })]);
    expect(stats.rejectedObject()).toMatchObject({ 'jt808/unauthenticated': 2 });
  });

  it('replaces the real connection only when a new one authenticates with the code', async () => {
    const { terminal } = await start();
    const first = await terminal(PHONE);
    expect(await first.authenticate(CODE)).toBe(0);
    const second = await terminal(PHONE);
    expect(await second.authenticate(CODE)).toBe(0);
    await first.closed();
    expect(second.socket.destroyed).toBe(false);
  });

  it('does not reassemble split packets before authentication: the connection is closed, counted', async () => {
    const { gw, stats, published } = await start();
    const s = await rawConnection(gw.port);
    const part = (seq: number) =>
      encodeFrame({
        msgId: MSG.location,
        phone: PHONE,
        serial: seq,
        body: encodeLocation({ lat: 1, lng: 1, ts: TS }).subarray(0, 14),
        packet: { total: 2, seq },
      });
    s.write(Buffer.concat([part(1), part(2)]));
    await closedSocket(s);
    expect(stats.rejectedObject()['jt808/split_unauthenticated']).toBe(1);
    expect(gw.bufferedBytes()).toBe(0);
    expect(await published()).toHaveLength(0);
  });

  it('closes a connection that floods frames before authenticating', async () => {
    const { gw, stats } = await start();
    const s = await rawConnection(gw.port);
    const hb = (serial: number) => encodeFrame({ msgId: MSG.heartbeat, phone: PHONE, serial });
    s.write(Buffer.concat(Array.from({ length: 20 }, (_, i) => hb(i))));
    await closedSocket(s);
    expect(stats.rejectedObject()).toMatchObject({ 'jt808/unauthenticated': 8, 'jt808/preauth_flood': 1 });
  });

  it('caps connections per address, counted', async () => {
    const { gw, stats } = await start({ maxConnectionsPerIp: 3 });
    const kept = await Promise.all([0, 1, 2].map(() => rawConnection(gw.port)));
    const refused = await rawConnection(gw.port);
    await closedSocket(refused);
    expect(stats.rejectedObject()['jt808/per_ip_cap']).toBe(1);
    expect(gw.connections()).toBe(3);
    kept[0]!.destroy();
    await closedSocket(kept[0]!);
    while (gw.connections() > 2) await new Promise((r) => setTimeout(r, 5));
    const again = await rawConnection(gw.port); // a slot freed: accepted
    await new Promise((r) => setTimeout(r, 20));
    expect(again.destroyed).toBe(false);
    expect(gw.connections()).toBe(3);
  });

  it('keeps all connections together within the byte budget: the one that grows past it is closed', async () => {
    const { gw, stats } = await start({ maxBufferedBytes: 2_000 });
    // Unfinished frames: an opening flag and 900 bytes that never end (under the 1 KiB pre-auth frame bound).
    const partial = Buffer.concat([Buffer.of(0x7e), Buffer.alloc(900, 0x31)]);
    const a = await rawConnection(gw.port);
    const b = await rawConnection(gw.port);
    const c = await rawConnection(gw.port);
    a.write(partial);
    b.write(partial);
    while (gw.bufferedBytes() < 1_800) await new Promise((r) => setTimeout(r, 5));
    c.write(partial);
    await closedSocket(c);
    expect(stats.rejectedObject()['jt808/byte_budget']).toBe(1);
    expect(gw.bufferedBytes()).toBe(1_800);
    expect(a.destroyed || b.destroyed).toBe(false);
    // A frame past the pre-auth bound is dropped by the splitter, not held.
    const d = await rawConnection(gw.port);
    d.write(Buffer.concat([Buffer.of(0x7e), Buffer.alloc(1_500, 0x31)]));
    while (!stats.rejectedObject()['jt808/oversize']) await new Promise((r) => setTimeout(r, 5));
    expect(gw.bufferedBytes()).toBeLessThanOrEqual(2_000);
  });

  it('drops a bound connection when its terminal is disabled or its code rotated', async () => {
    const { terminal, terminals, stats } = await start();
    const t = await terminal(PHONE);
    expect(await t.authenticate(CODE)).toBe(0);
    terminals.set(PHONE, {
      vehicleId: 'patrol-1',
      authHash: hashAuthCode('rotated-code'),
      isDisabled: false,
    });
    await t.closed();
    const u = await terminal(PHONE);
    expect(await u.authenticate('rotated-code')).toBe(0);
    terminals.set(PHONE, { vehicleId: 'patrol-1', authHash: hashAuthCode('rotated-code'), isDisabled: true });
    await u.closed();
    expect(stats.rejectedObject()['jt808/deprovisioned']).toBe(2);
  });

  it('clamps a position stamped in the future to now, counted', async () => {
    const clock = new FakeClock(TS);
    const { terminal, stats, published } = await start({ clock });
    const t = await terminal(PHONE);
    expect(await t.authenticate(CODE)).toBe(0);
    const ack = t.waitForResponseTo(MSG.location);
    t.send(t.location({ lat: 30.1, lng: 104.1, ts: TS + 3_600_000 }));
    expect((await ack).body[4]).toBe(0);
    const [report] = await published();
    expect(report).toMatchObject({ id: 'patrol-1', ts: TS });
    expect(stats.adjusted.get('jt808/future_clamped')).toBe(1);
    // Within the allowed skew it is kept as sent.
    t.send(t.location({ lat: 30.2, lng: 104.2, ts: TS + 20_000 }));
    await t.waitForResponseTo(MSG.location);
    expect((await published()).at(-1)).toMatchObject({ ts: TS + 20_000 });
  });

  it('refuses a position stamped in the future under the reject policy, counted', async () => {
    const clock = new FakeClock(TS);
    const { terminal, stats, published } = await start({
      clock,
      future: { maxMs: 30_000, policy: 'reject' },
    });
    const t = await terminal(PHONE);
    expect(await t.authenticate(CODE)).toBe(0);
    const ack = t.waitForResponseTo(MSG.location);
    t.send(t.location({ lat: 30.1, lng: 104.1, ts: TS + 31_000 }));
    expect((await ack).body[4]).toBe(2); // bad message
    expect(await published()).toHaveLength(0);
    expect(stats.rejectedObject()['jt808/future_ts']).toBe(1);
  });

  it('times out a connection that never authenticates', async () => {
    const clock = new FakeClock(TS);
    const { gw, stats } = await start({ clock, authTimeoutMs: 10_000, idleTimeoutMs: 60_000 });
    const s = await rawConnection(gw.port);
    while (gw.connections() < 1) await new Promise((r) => setTimeout(r, 5));
    clock.advance(10_001);
    expect(gw.sweepIdle()).toBe(1);
    await closedSocket(s);
    expect(stats.rejectedObject()['jt808/auth_timeout']).toBe(1);
  });
});
