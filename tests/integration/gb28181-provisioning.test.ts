import fc from 'fast-check';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '@/lib/clock';
import { CameraReportSchema, type CameraReport } from '@/lib/domain/camera';
import { payloadText } from '@/server/bus/bus';
import { InProcessBus } from '@/server/bus/in-process-bus';
import { IngestStats } from '@/server/ingest/ingest-stats';
import { createLogger } from '@/server/logger';
import type { DeviceLookup, FieldDeviceEntry } from '@/server/protocols/gb28181/device-directory';
import { digestAuthorization, parseDigest, sipHa1 } from '@/server/protocols/gb28181/digest';
import {
  DEFAULT_REALM,
  startGb28181Listener,
  type Gb28181Listener,
  type Gb28181ListenerOptions,
} from '@/server/protocols/gb28181/listener';
import { SimulatedDevice } from '@/server/protocols/gb28181/simulated-device';
import { header } from '@/server/protocols/gb28181/sip-message';

const logger = createLogger('silent');
const IPC = '34020000001320000001';
const OWN_PW_IPC = '34020000001320000002';
const NO_PW_IPC = '34020000001320000003';
const DISABLED_IPC = '34020000001320000004';
const NVR = '34020000001180000001';
const UNKNOWN = '34020000001320000099';
const DOMAIN_PW = 'domain-secret';
const OWN_PW = 'own-secret-2';
const KEEPALIVE_MS = 60_000;
const open: { listener?: Gb28181Listener; devices: SimulatedDevice[] } = { devices: [] };

function mutableDevices(entries: Record<string, Partial<FieldDeviceEntry>>) {
  const full = (e: Partial<FieldDeviceEntry>): FieldDeviceEntry => ({
    ha1: e.ha1 ?? null,
    isDisabled: e.isDisabled ?? false,
    lastAddress: e.lastAddress ?? null,
  });
  const map = new Map(Object.entries(entries).map(([id, e]) => [id, full(e)]));
  const listeners: (() => void)[] = [];
  const dir: DeviceLookup & { set(id: string, e: Partial<FieldDeviceEntry>): void } = {
    lookup: (id) => map.get(id),
    onChange: (fn) => void listeners.push(fn),
    set(id, e) {
      map.set(id, full(e));
      for (const fn of listeners) fn();
    },
  };
  return dir;
}

async function start(extra: Partial<Gb28181ListenerOptions> = {}) {
  const bus = new InProcessBus();
  const stats = new IngestStats(new Registry(), logger);
  const clock = new FakeClock();
  const reports: CameraReport[] = [];
  await bus.onTelemetry((_kind, raw) => {
    for (const r of JSON.parse(payloadText(raw)) as unknown[]) reports.push(CameraReportSchema.parse(r));
  });
  const devices = mutableDevices({
    [IPC]: {},
    [OWN_PW_IPC]: { ha1: sipHa1(OWN_PW_IPC, DEFAULT_REALM, OWN_PW) },
    [DISABLED_IPC]: { isDisabled: true },
    [NVR]: {},
  });
  const listener = await startGb28181Listener({
    port: 0,
    host: '127.0.0.1',
    bus,
    logger,
    stats,
    clock,
    keepaliveIntervalMs: KEEPALIVE_MS,
    sweepIntervalMs: 60_000,
    devices,
    autoRegister: false,
    password: DOMAIN_PW,
    ...extra,
  });
  open.listener = listener;
  const device = async (id: string) => {
    const d = await SimulatedDevice.create(id, listener.port);
    open.devices.push(d);
    return d;
  };
  const statusOf = async (id: string) => {
    await listener.sweep();
    await new Promise((r) => setImmediate(r));
    return reports.filter((r) => r.id === id).at(-1)?.status;
  };
  return { listener, stats, clock, reports, device, statusOf, devices };
}

afterEach(async () => {
  for (const d of open.devices) d.close();
  open.devices = [];
  await open.listener?.close();
  open.listener = undefined;
});

describe('GB/T 28181: only provisioned devices, from their registered address', () => {
  it('refuses an unknown device outright, and its keepalives', async () => {
    const { device, stats, reports, listener } = await start();
    const d = await device(UNKNOWN);
    expect((await d.register({ password: DOMAIN_PW })).status).toBe(403);
    expect((await d.keepalive(1)).status).toBe(403);
    expect(stats.rejectedObject()).toMatchObject({ 'sip/unknown_device': 2 });
    await listener.sweep();
    expect(reports).toHaveLength(0);
    expect(listener.devices()).toBe(0);
  });

  it('registers a device with its own password, and refuses the domain password or a wrong one for it', async () => {
    const { device, stats } = await start();
    const d = await device(OWN_PW_IPC);
    expect((await d.register({ password: DOMAIN_PW })).status).toBe(403);
    expect((await d.register({ password: 'wrong-password' })).status).toBe(403);
    expect(stats.rejectedObject()['sip/auth_failed']).toBe(2);
    expect((await d.register({ password: OWN_PW })).status).toBe(200);
    expect((await d.keepalive(1)).status).toBe(200);
  });

  it('registers a device without its own password with the domain password; a wrong digest is refused', async () => {
    const { device, stats } = await start();
    const d = await device(IPC);
    expect((await d.register()).status).toBe(401); // challenged, no credentials given
    expect((await d.register({ password: 'not-the-domain-one' })).status).toBe(403);
    expect(stats.rejectedObject()['sip/auth_failed']).toBe(1);
    expect((await d.register({ password: DOMAIN_PW })).status).toBe(200);
  });

  it('refuses credentials made out for another device id', async () => {
    const { stats, listener, device } = await start();
    // A real challenge's nonce, and a digest that is valid for OWN_PW_IPC, sent in a REGISTER from IPC.
    const challenge = await (await device(OWN_PW_IPC)).register();
    expect(challenge.status).toBe(401);
    const nonce = parseDigest(header(challenge, 'www-authenticate'))!.get('nonce')!;
    const auth = digestAuthorization({
      username: OWN_PW_IPC,
      realm: DEFAULT_REALM,
      password: OWN_PW,
      nonce,
      uri: `sip:${DEFAULT_REALM}`,
      method: 'REGISTER',
    });
    const raw = [
      `REGISTER sip:${DEFAULT_REALM} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:5060;rport;branch=z9hG4bK1`,
      `From: <sip:${IPC}@${DEFAULT_REALM}>;tag=1`,
      `To: <sip:${IPC}@${DEFAULT_REALM}>`,
      `Call-ID: x1`,
      `CSeq: 1 REGISTER`,
      `Authorization: ${auth}`,
      `Expires: 3600`,
      `Content-Length: 0`,
      '',
      '',
    ].join('\r\n');
    expect(listener.handleDatagram(Buffer.from(raw), { address: '127.0.0.1', port: 1 })).toBe(403);
    expect(stats.rejectedObject()['sip/auth_failed']).toBe(1);
  });

  it('refuses a provisioned device when there is no password to check (own or domain)', async () => {
    const { device, stats } = await start({ password: undefined });
    const d = await device(IPC);
    expect((await d.register()).status).toBe(403);
    expect(stats.rejectedObject()['sip/no_credentials']).toBe(1);
  });

  it('accepts MESSAGE/NOTIFY only from the address the device registered from', async () => {
    const { device, stats, statusOf } = await start();
    const real = await device(NVR);
    const ch = '34020000001310000001';
    real.channels = [{ id: ch, name: '北门', status: 'ON' }];
    expect((await real.register({ password: DOMAIN_PW })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 50)); // the catalog query and its answer
    expect(await statusOf(ch)).toBe('online');
    // Same id, another port on 127.0.0.1: a stranger who knows the id.
    const stranger = await device(NVR);
    expect((await stranger.sendCatalog([{ id: ch, event: 'VLOST' }], 'Notify')).status).toBe(403);
    expect((await stranger.keepalive(9, 'ERROR')).status).toBe(403);
    expect(await statusOf(ch)).toBe('online');
    expect(stats.rejectedObject()['sip/foreign_address']).toBe(2);
    // The real device still speaks.
    expect((await real.sendCatalog([{ id: ch, event: 'VLOST' }], 'Notify')).status).toBe(200);
    expect(await statusOf(ch)).toBe('fault');
  });

  it('a registration with valid credentials moves the binding (a device whose address changed)', async () => {
    const { device } = await start();
    const first = await device(IPC);
    expect((await first.register({ password: DOMAIN_PW })).status).toBe(200);
    const moved = await device(IPC);
    expect((await moved.register({ password: DOMAIN_PW })).status).toBe(200);
    expect((await first.keepalive(1)).status).toBe(403);
    expect((await moved.keepalive(2)).status).toBe(200);
  });

  it('after a restart, accepts keepalives from the persisted registration address only', async () => {
    const { device, devices, stats, statusOf, clock } = await start();
    const d = await device(IPC);
    const stranger = await device(IPC);
    expect((await d.keepalive(1)).status).toBe(403); // nothing persisted yet: register first
    // What field_devices.last_address says after a restart (this process never saw the REGISTER).
    devices.set(IPC, { lastAddress: d.address });
    expect((await stranger.keepalive(2)).status).toBe(403);
    expect((await d.keepalive(3)).status).toBe(200);
    clock.advance(10_000);
    expect(await statusOf(IPC)).toBe('online');
    expect((await stranger.keepalive(4)).status).toBe(403);
    expect(stats.rejectedObject()).toMatchObject({ 'sip/unregistered': 2, 'sip/foreign_address': 1 });
  });

  it('refuses a disabled device, and takes a device offline when it is disabled while registered', async () => {
    const { device, stats, statusOf, devices, clock } = await start();
    const d = await device(DISABLED_IPC);
    expect((await d.register({ password: DOMAIN_PW })).status).toBe(403);
    const ipc = await device(IPC);
    expect((await ipc.register({ password: DOMAIN_PW })).status).toBe(200);
    await ipc.keepalive(1);
    clock.advance(10_000); // past the catalog grace: the IPC is shown on its own keepalives
    expect(await statusOf(IPC)).toBe('online');
    devices.set(IPC, { isDisabled: true });
    expect(await statusOf(IPC)).toBe('offline');
    expect((await ipc.keepalive(2)).status).toBe(403);
    expect(stats.rejectedObject()['sip/device_disabled']).toBe(2);
  });

  it('caps catalog channels across all devices, counted', async () => {
    const { device, stats, listener } = await start({ maxCatalogChannels: 3 });
    const nvr = await device(NVR);
    const ch = (n: number) => `3402000000131000000${n}`;
    nvr.channels = [1, 2, 3, 4, 5].map((n) => ({ id: ch(n), status: 'ON' }));
    expect((await nvr.register({ password: DOMAIN_PW })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 50));
    expect(listener.channels()).toBe(3);
    expect(stats.rejectedObject()['sip/channel_cap']).toBe(1);
    // Deleting one frees a place.
    await nvr.sendCatalog([{ id: ch(1), event: 'DEL' }], 'Notify');
    await nvr.sendCatalog([{ id: ch(5), status: 'ON' }], 'Notify');
    expect(listener.channels()).toBe(3);
  });

  it('rejects 10,000 hostile pre-registration requests, each with a reason, without a crash', async () => {
    const { listener, stats, reports } = await start();
    const ids = fc.constantFrom(
      IPC,
      OWN_PW_IPC,
      NO_PW_IPC,
      DISABLED_IPC,
      NVR,
      UNKNOWN,
      '123',
      'x'.repeat(20),
    );
    const auth = fc.oneof(
      fc.constant(undefined),
      fc.string({ maxLength: 80 }).map((s) => `Digest ${s}`),
      fc
        .record({
          user: ids,
          pw: fc.constantFrom(DOMAIN_PW, OWN_PW, 'guess'),
          nonce: fc.stringMatching(/^[0-9a-f]{0,40}$/),
        })
        .map(({ user, pw, nonce }) =>
          digestAuthorization({
            username: user,
            realm: DEFAULT_REALM,
            password: pw,
            nonce,
            uri: `sip:${DEFAULT_REALM}`,
            method: 'REGISTER',
          }),
        ),
    );
    const body = fc.oneof(
      fc.constant(''),
      ids.map(
        (id) =>
          `<?xml version="1.0"?><Notify><CmdType>Keepalive</CmdType><SN>1</SN><DeviceID>${id}</DeviceID><Status>OK</Status></Notify>`,
      ),
      ids.map(
        (id) =>
          `<?xml version="1.0"?><Notify><CmdType>Catalog</CmdType><SN>1</SN><DeviceID>${id}</DeviceID><DeviceList Num="1"><Item><DeviceID>34020000001310000009</DeviceID><Status>ON</Status></Item></DeviceList></Notify>`,
      ),
      fc.string({ maxLength: 200 }),
    );
    const request = fc
      .record({
        method: fc.constantFrom('REGISTER', 'MESSAGE', 'NOTIFY', 'SUBSCRIBE'),
        id: ids,
        auth,
        body,
        expires: fc.constantFrom(undefined, '0', '3600', '-1', 'x'),
        port: fc.integer({ min: 1, max: 65_535 }),
      })
      .map(({ method, id, auth: a, body: b, expires, port }) => {
        const lines = [
          `${method} sip:${DEFAULT_REALM} SIP/2.0`,
          `Via: SIP/2.0/UDP 127.0.0.1:${port};rport;branch=z9hG4bK${port}`,
          `From: <sip:${id}@${DEFAULT_REALM}>;tag=1`,
          `To: <sip:${id}@${DEFAULT_REALM}>`,
          `Call-ID: fuzz-${port}`,
          `CSeq: 1 ${method}`,
        ];
        if (a) lines.push(`Authorization: ${a}`);
        if (expires !== undefined) lines.push(`Expires: ${expires}`);
        if (b) lines.push('Content-Type: Application/MANSCDP+xml');
        lines.push(`Content-Length: ${Buffer.byteLength(b)}`, '', b);
        return { buf: Buffer.from(lines.join('\r\n')), port };
      });
    const inputs = [
      ...fc.sample(request, { numRuns: 9_000, seed: 28_181 }),
      ...fc
        .sample(fc.uint8Array({ minLength: 1, maxLength: 300 }), { numRuns: 1_000, seed: 1 })
        .map((u) => ({ buf: Buffer.from(u), port: 9 })),
    ];
    const total = () => [...stats.rejected.values()].reduce((a, b) => a + b, 0);
    let challenged = 0;
    for (const { buf, port } of inputs) {
      const before = total();
      const status = listener.handleDatagram(buf, { address: '127.0.0.9', port });
      // Nothing got in: every request was refused with a counted reason, or challenged for credentials.
      expect(status).not.toBe(200);
      if (status === 401) challenged++;
      else expect(total()).toBeGreaterThan(before);
    }
    expect(inputs).toHaveLength(10_000);
    expect(stats.rejectedObject()['sip/internal_error']).toBeUndefined();
    expect(stats.accepted).toBe(0);
    expect(listener.devices()).toBe(0);
    await listener.sweep();
    expect(reports).toHaveLength(0);
    expect(challenged).toBeGreaterThan(0);
  });
});
