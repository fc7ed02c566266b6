import { Registry } from 'prom-client';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '@/lib/clock';
import { CameraReportSchema, type CameraReport } from '@/lib/domain/camera';
import { payloadText } from '@/server/bus/bus';
import { InProcessBus } from '@/server/bus/in-process-bus';
import { IngestStats } from '@/server/ingest/ingest-stats';
import { createLogger } from '@/server/logger';
import {
  startGb28181Listener,
  type Gb28181Listener,
  type Gb28181ListenerOptions,
} from '@/server/protocols/gb28181/listener';
import { SimulatedDevice } from '@/server/protocols/gb28181/simulated-device';
import { header } from '@/server/protocols/gb28181/sip-message';

const logger = createLogger('silent');
const IPC = '34020000001320000001';
const NVR = '34020000001180000001';
const open: { listener?: Gb28181Listener; devices: SimulatedDevice[] } = { devices: [] };

const KEEPALIVE_MS = 1_000;

async function start(extra: Partial<Gb28181ListenerOptions> = {}) {
  const bus = new InProcessBus();
  const stats = new IngestStats(new Registry(), logger);
  const clock = new FakeClock();
  const reports: CameraReport[] = [];
  await bus.onTelemetry((kind, raw) => {
    expect(kind).toBe('camera');
    for (const r of JSON.parse(payloadText(raw)) as unknown[]) reports.push(CameraReportSchema.parse(r));
  });
  const listener = await startGb28181Listener({
    port: 0,
    host: '127.0.0.1',
    bus,
    logger,
    stats,
    clock,
    keepaliveIntervalMs: KEEPALIVE_MS,
    missedKeepalives: 3,
    sweepIntervalMs: 60_000, // the test sweeps by hand, after moving the clock
    // These tests cover the protocol with auto-registration (demo); gb28181-provisioning covers the rest.
    autoRegister: true,
    ...extra,
  });
  open.listener = listener;
  const device = async (id: string) => {
    const d = await SimulatedDevice.create(id, listener.port);
    open.devices.push(d);
    return d;
  };
  /** The newest status published for an id, after letting the bus deliver. */
  const statusOf = async (id: string) => {
    await listener.sweep();
    await new Promise((r) => setImmediate(r));
    return reports.filter((r) => r.id === id).at(-1)?.status;
  };
  return { listener, stats, clock, reports, device, statusOf };
}

afterEach(async () => {
  for (const d of open.devices) d.close();
  open.devices = [];
  await open.listener?.close();
  open.listener = undefined;
});

describe('GB/T 28181 SIP listener over UDP', () => {
  it('turns a camera online on REGISTER + keepalive, and offline after three missed keepalives', async () => {
    const { clock, device, statusOf, reports, stats } = await start();
    const ipc = await device(IPC);
    ipc.channels = [{ id: IPC, name: '东门入口', status: 'ON', lng: 120.1552, lat: 30.2741 }];
    const reg = await ipc.register();
    expect(reg.status).toBe(200);
    expect(header(reg, 'date')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$/);
    expect((await ipc.keepalive(1)).status).toBe(200);
    // The platform asked for the catalog and the IPC answered it with itself (name and position, GB2312).
    await new Promise((r) => setTimeout(r, 50));
    expect(ipc.queries).toHaveLength(1);
    expect(await statusOf(IPC)).toBe('online');
    expect(reports.at(-1)).toMatchObject({ name: '东门入口', lng: 120.1552, lat: 30.2741 });

    clock.advance(2 * KEEPALIVE_MS);
    await ipc.keepalive(2);
    clock.advance(3 * KEEPALIVE_MS); // exactly the window: still online
    expect(await statusOf(IPC)).toBe('online');
    clock.advance(1);
    expect(await statusOf(IPC)).toBe('offline');
    await ipc.keepalive(3);
    expect(await statusOf(IPC)).toBe('online');
    expect(stats.rejected.size).toBe(0);
  });

  it('lists NVR channels from its catalog, with ONLINE/OFFLINE and VLOST/DEFECT events', async () => {
    const { device, statusOf, clock } = await start();
    const nvr = await device(NVR);
    const ch = (n: number) => `3402000000131000000${n}`;
    nvr.channels = [
      { id: ch(1), name: '通道1', status: 'ONLINE' },
      { id: ch(2), name: '通道2', status: 'OFFLINE' },
      { id: ch(3), name: '通道3', status: 'ON' },
      { id: '34020000002150000001', name: '业务分组' }, // a group, not a camera
    ];
    await nvr.register();
    await new Promise((r) => setTimeout(r, 50));
    expect(await statusOf(ch(1))).toBe('online');
    expect(await statusOf(ch(2))).toBe('offline');
    expect(await statusOf(NVR)).toBeUndefined(); // the recorder itself is not a camera point
    expect(await statusOf('34020000002150000001')).toBeUndefined();
    await nvr.sendCatalog([{ id: ch(3), event: 'VLOST' }], 'Notify');
    expect(await statusOf(ch(3))).toBe('fault');
    await nvr.keepalive(1, 'ERROR', [ch(1)]);
    expect(await statusOf(ch(1))).toBe('fault');
    clock.advance(3 * KEEPALIVE_MS + 1);
    expect(await statusOf(ch(1))).toBe('offline');
    expect(await statusOf(ch(3))).toBe('offline');
  });

  it('asks for digest credentials when a password is configured', async () => {
    const { device, stats, statusOf } = await start({ password: 's3cret' });
    const ipc = await device(IPC);
    expect((await ipc.register({ password: 'wrong' })).status).toBe(403);
    expect((await ipc.keepalive(1)).status).toBe(403); // not registered: keepalives refused
    expect(stats.rejectedObject()).toMatchObject({ 'sip/auth_failed': 1, 'sip/unregistered': 1 });
    expect((await ipc.register({ password: 's3cret' })).status).toBe(200);
    expect((await ipc.keepalive(2)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 20));
    expect(await statusOf(IPC)).toBeUndefined(); // no catalog answer yet: waiting for it
  });

  it('shows a camera that never answers the catalog query on its own keepalives, and unregisters it', async () => {
    const { device, statusOf, clock } = await start({ keepaliveIntervalMs: 60_000 });
    const ipc = await device(IPC);
    await ipc.register();
    await ipc.keepalive(1);
    clock.advance(10_000);
    expect(await statusOf(IPC)).toBe('online');
    expect((await ipc.register({ expires: 0 })).status).toBe(200);
    expect(await statusOf(IPC)).toBe('offline');
  });

  it('re-reports live cameras once per keepalive interval so the wall never shows them stale', async () => {
    const { device, clock, listener, reports } = await start();
    const ipc = await device(IPC);
    ipc.channels = [{ id: IPC, status: 'ON' }];
    await ipc.register();
    await new Promise((r) => setTimeout(r, 50));
    await listener.sweep();
    const before = reports.length;
    clock.advance(KEEPALIVE_MS);
    await ipc.keepalive(1);
    await listener.sweep();
    await new Promise((r) => setImmediate(r));
    expect(reports.length).toBe(before + 1);
  });

  it('counts every malformed datagram and keeps serving', async () => {
    const { device, stats, listener } = await start();
    const sender = await device(IPC);
    const junk = fc.sample(fc.uint8Array({ minLength: 1, maxLength: 512 }), { numRuns: 1_000, seed: 28181 });
    const total = () => [...stats.rejected.values()].reduce((a, b) => a + b, 0);
    // Stop-and-wait: a burst of UDP on a loaded machine loses datagrams in the kernel, which is not what we test.
    for (let i = 0; i < junk.length; i++) {
      sender.sendRaw(Buffer.from(junk[i]!));
      const deadline = Date.now() + 1_000;
      while (total() < i + 1 && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    }
    expect(total()).toBe(junk.length);
    expect(stats.rejectedObject()['sip/internal_error']).toBeUndefined();
    expect((await sender.register()).status).toBe(200);
    expect(listener.devices()).toBe(1);
  });
});
