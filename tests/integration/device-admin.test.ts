import { sql } from 'drizzle-orm';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeviceRoutes } from '@/server/admin/device-routes';
import { UNIT_COUNT_CAP, UNIT_PAGE_MAX } from '@/lib/admin/unit-page';
import { seedDemoAccounts } from '@/server/auth/accounts';
import { LoginLimiter } from '@/server/auth/login-limiter';
import { dispatchAppHooks } from '@/server/dispatch/dispatch-module';
import { createLogger } from '@/server/logger';
import { createDeviceDirectory, type DeviceDirectory } from '@/server/protocols/gb28181/device-directory';
import {
  DEFAULT_REALM,
  startGb28181Listener,
  type Gb28181Listener,
} from '@/server/protocols/gb28181/listener';
import { SimulatedDevice } from '@/server/protocols/gb28181/simulated-device';
import { startJt808Gateway, type Jt808Gateway } from '@/server/protocols/jt808/gateway';
import { MSG } from '@/server/protocols/jt808/message';
import { REGISTER_RESULT } from '@/server/protocols/jt808/registration';
import { SimulatedTerminal } from '@/server/protocols/jt808/simulated-terminal';
import { createTerminalDirectory, type TerminalDirectory } from '@/server/protocols/jt808/terminal-directory';
import { startTestApp, waitFor, type TestApp } from '../helpers/test-app';

const PASSWORD = 'pingan-demo';
const IPC = '33010200001320000007';
/** One more than the list's count cap: the count must stop there. */
const BULK_CAMERAS = UNIT_COUNT_CAP + 20;
const SPECIAL_CAMERAS = [
  ['33010200001320000101', '东门入口'],
  ['33010200001320000102', '东门停车场 50%'],
  ['33010200001320000103', '西门'],
] as const;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const md5 = (s: string) => createHash('md5').update(s).digest('hex');

// Response bodies are checked structurally.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = any;

/** The device admin routes on the real app, with the JT/T 808 gateway and SIP listener reading its database. */
describe('device admin → field gateways', () => {
  let t: TestApp;
  let jt: Jt808Gateway;
  let sip: Gb28181Listener;
  let terminals: TerminalDirectory;
  let devices: DeviceDirectory;
  const cookies: Record<string, string> = {};
  const open: { close(): void }[] = [];

  async function api(method: string, path: string, as = 'admin', body?: unknown) {
    const headers: Record<string, string> = { cookie: cookies[as]! };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const r = await fetch(`${t.url}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, body: (text ? JSON.parse(text) : null) as Body };
  }
  const auditRows = (action: string, result = 'ok') =>
    t.app.ctx.sql.all<{ actor: string; objectId: string; before: string; after: string; result: string }>(
      sql`SELECT actor, object_id AS "objectId", before, after, result FROM audit_log
          WHERE action = ${action} AND result = ${result} ORDER BY id`,
    );
  /** Every audit row as text: what a secret must never be found in. */
  const auditDump = async () => JSON.stringify(await t.app.ctx.sql.all(sql`SELECT * FROM audit_log`));
  const terminal = async (phone: string) => {
    const term = await SimulatedTerminal.connect(jt.port, phone);
    open.push(term);
    return term;
  };

  beforeAll(async () => {
    // The fleet is in the database before the server starts (as after an import), so the live state knows it:
    // written through a first start on the same database (either engine), then the app under test starts on it.
    const seed = await startTestApp();
    const now = Date.now();
    await seed.app.ctx.sql.transaction(async (tx) => {
      await tx.run(
        sql`INSERT INTO vehicles (id, name, plate, kind, created_at) VALUES
            ('patrol-9', '上城巡逻 9 号车', '浙A·P0009', 'patrol_car', ${now}),
            ('patrol-10', '上城巡逻 10 号车', '浙A·P0010', 'patrol_car', ${now})`,
      );
      // More cameras than the count cap, so the list must page and cap its count rather than read them all.
      const cameras: [string, string, number, number, string | null, string][] = [];
      for (let i = 0; i < BULK_CAMERAS; i++)
        cameras.push([`33010200001310${100_000 + i}`, `批量点位 ${i}`, 120.1, 30.2, null, 'xueliang']);
      for (const [id, name] of SPECIAL_CAMERAS)
        cameras.push([id, name, 120.17, 30.25, '330102001001001', 'huiyan']);
      // Rows per INSERT: well inside both engines' limits on bound parameters.
      const CHUNK = 500;
      for (let k = 0; k < cameras.length; k += CHUNK) {
        const values = cameras
          .slice(k, k + CHUNK)
          .map(
            ([id, name, lng, lat, grid, program]) =>
              sql`(${id}, ${name}, ${lng}, ${lat}, ${grid}, ${program}, ${now})`,
          );
        await tx.run(
          sql`INSERT INTO cameras (id, name, lng, lat, grid_code, program, created_at) VALUES ${sql.join(values, sql`, `)}`,
        );
      }
      await tx.run(
        sql`INSERT INTO workers (id, name, role, grid_code, created_at) VALUES
            ('w-100', '张三', 'full_time', '330102001001001', ${now}),
            ('w-101', '李四', 'assistant', '330102001001002', ${now}),
            ('w-102', '王五', 'full_time', '330102002001001', ${now})`,
      );
    });
    await seed.close();
    const hooks = dispatchAppHooks({ limiter: new LoginLimiter(10_000) });
    t = await startTestApp({
      dbPath: seed.dbPath,
      env: { FIELD_AUTO_REGISTER: '0' }, // production: only provisioned devices, only known units
      auth: hooks.auth,
      routes: (ctx) => [...hooks.routes(ctx), ...createDeviceRoutes(ctx, hooks.module()!)],
    });
    await seedDemoAccounts(t.app.ctx.sql, t.app.ctx.clock, PASSWORD);
    for (const who of ['admin', 'dispatcher']) {
      const r = await fetch(`${t.url}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: who, password: PASSWORD }),
      });
      expect(r.status).toBe(200);
      cookies[who] = r.headers.get('set-cookie')!.split(';')[0]!;
    }
    const deps = { host: '127.0.0.1', bus: t.bus, logger: createLogger('silent'), stats: t.app.ctx.stats };
    // Long timers: anything the gateways pick up below came from the admin change's immediate refresh.
    const logger = createLogger('silent');
    terminals = await createTerminalDirectory(t.app.ctx.sql, { logger, refreshMs: 3_600_000 });
    devices = await createDeviceDirectory(t.app.ctx.sql, { logger, refreshMs: 3_600_000 });
    jt = await startJt808Gateway({ ...deps, port: 0, terminals, autoRegister: false, batchIntervalMs: 5 });
    sip = await startGb28181Listener({ ...deps, port: 0, devices, autoRegister: false });
  });
  afterAll(async () => {
    for (const o of open) o.close();
    await jt.close();
    await sip.close();
    terminals.close();
    await devices.close();
    await t.close();
  });

  it('lists vehicles and devices for an administrator only', async () => {
    expect((await api('GET', '/api/admin/devices', 'dispatcher')).status).toBe(403);
    const r = await api('GET', '/api/admin/devices');
    expect(r.status).toBe(200);
    expect(r.body.autoRegister).toBe(false);
    expect(r.body.terminals).toContainEqual({
      vehicleId: 'patrol-9',
      name: '上城巡逻 9 号车',
      plate: '浙A·P0009',
      phone: null,
      isProvisioned: false,
      disabledAt: null,
      lastSeenAt: null,
    });
    expect(r.body.gb28181).toEqual([]);
  });

  it('refuses the terminal until it is provisioned; provisioning shows the code once and stores its hash', async () => {
    const before = await terminal('013912345009');
    expect((await before.registerResult()).result).toBe(REGISTER_RESULT.noTerminal);
    await before.closed();

    expect(
      (await api('POST', '/api/admin/devices/terminals', 'dispatcher', { vehicleId: 'patrol-9', phone: '1' }))
        .status,
    ).toBe(403);
    expect(
      (await api('POST', '/api/admin/devices/terminals', 'admin', { vehicleId: 'patrol-9', phone: '13a' }))
        .status,
    ).toBe(400);
    expect(
      (await api('POST', '/api/admin/devices/terminals', 'admin', { vehicleId: 'nope', phone: '139' }))
        .status,
    ).toBe(404);
    const r = await api('POST', '/api/admin/devices/terminals', 'admin', {
      vehicleId: 'patrol-9',
      phone: '013912345009',
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ ok: true, authCode: expect.stringMatching(/^[0-9a-f]{24}$/) });
    const code: string = r.body.authCode;
    const row = await t.app.ctx.sql.get(
      sql`SELECT terminal_phone AS phone, terminal_auth_hash AS hash FROM vehicles WHERE id = 'patrol-9'`,
    );
    expect(row).toEqual({ phone: '13912345009', hash: sha256(code) });
    // The code is nowhere in the database: not in the vehicle row, not in the audit log.
    expect(await auditDump()).not.toContain(code);
    // The dispatcher's attempt is on record as denied (written after the refusal was answered).
    const denied = await waitFor(
      async () => {
        const rows = await auditRows('device.terminal.provision', 'denied');
        return rows.length > 0 ? rows : null;
      },
      5_000,
      'denial audited',
    );
    expect(denied).toMatchObject([{ actor: 'dispatcher' }]);
    const [audit] = await auditRows('device.terminal.provision');
    expect(audit).toMatchObject({ actor: 'admin', objectId: 'patrol-9', result: 'ok' });
    expect(JSON.parse(audit!.after)).toEqual({ phone: '13912345009', isProvisioned: true, isRotated: false });
    // The listing says provisioned, never the code.
    const listed = (await api('GET', '/api/admin/devices')).body.terminals.find(
      (x: Body) => x.vehicleId === 'patrol-9',
    );
    expect(listed).toMatchObject({ phone: '13912345009', isProvisioned: true });
    expect(JSON.stringify(listed)).not.toContain(code);

    // The running gateway knows at once (its timer is an hour): the terminal authenticates and reports.
    const term = await terminal('013912345009');
    expect(await term.authenticate(code)).toBe(0);
    const ack = term.waitForResponseTo(MSG.location);
    term.send(term.location({ lat: 30.25, lng: 120.17, ts: Date.now() - 1_000 }));
    expect((await ack).body[4]).toBe(0);
    const v = await waitFor(
      () => {
        const s = t.app.ctx.live.vehicle.getById('patrol-9');
        return s && s.ts > 0 ? s : null;
      },
      5_000,
      'patrol-9 on the live state',
    );
    expect(v.lat).toBeCloseTo(30.25, 5);
    const seen = (await api('GET', '/api/admin/devices')).body.terminals.find(
      (x: Body) => x.vehicleId === 'patrol-9',
    );
    expect(seen.lastSeenAt).toBe(v.ts);

    // One phone, one vehicle.
    const dup = await api('POST', '/api/admin/devices/terminals', 'admin', {
      vehicleId: 'patrol-10',
      phone: '13912345009',
    });
    expect(dup.status).toBe(409);

    // Posting again rotates the code: the connection on the old one is dropped, the old code no longer works.
    const rotated = await api('POST', '/api/admin/devices/terminals', 'admin', {
      vehicleId: 'patrol-9',
      phone: '13912345009',
    });
    expect(rotated.body.authCode).not.toBe(code);
    await term.closed();
    const stale = await terminal('13912345009');
    expect(await stale.authenticate(code)).toBe(1);
    const fresh = await terminal('13912345009');
    expect(await fresh.authenticate(rotated.body.authCode)).toBe(0);

    // Disabled: the connection goes and the terminal is refused; enabled: it is back.
    expect((await api('POST', '/api/admin/devices/terminals/patrol-9/disable')).status).toBe(200);
    await fresh.closed();
    const refused = await terminal('13912345009');
    expect((await refused.registerResult()).result).toBe(REGISTER_RESULT.noVehicle);
    expect(await auditRows('device.terminal.disable')).toHaveLength(1);
    expect((await api('POST', '/api/admin/devices/terminals/patrol-9/enable')).status).toBe(200);
    const back = await terminal('13912345009');
    expect(await back.authenticate(rotated.body.authCode)).toBe(0);
    expect(await auditRows('device.terminal.enable')).toHaveLength(1);
    expect((await api('POST', '/api/admin/devices/terminals/nope/disable')).status).toBe(404);
  });

  it('provisions a GB/T 28181 device with its own password (stored as HA1), and disables it', async () => {
    const dev = await SimulatedDevice.create(IPC, sip.port);
    open.push(dev);
    expect((await dev.register({ password: 'camera-pass-7' })).status).toBe(403); // unknown yet

    expect((await api('POST', '/api/admin/devices/gb28181', 'admin', { id: '123' })).status).toBe(400);
    const r = await api('POST', '/api/admin/devices/gb28181', 'admin', {
      id: IPC,
      name: '东门入口',
      password: 'camera-pass-7',
    });
    expect(r.status).toBe(201);
    const row = await t.app.ctx.sql.get(
      sql`SELECT name, sip_ha1 AS ha1 FROM field_devices WHERE id = ${IPC}`,
    );
    expect(row).toEqual({ name: '东门入口', ha1: md5(`${IPC}:${DEFAULT_REALM}:camera-pass-7`) });
    expect(await auditDump()).not.toContain('camera-pass-7');
    expect(await auditRows('device.gb28181.upsert')).toHaveLength(1);

    expect((await dev.register({ password: 'wrong-pass-77' })).status).toBe(403);
    expect((await dev.register({ password: 'camera-pass-7' })).status).toBe(200);
    expect((await dev.keepalive(1)).status).toBe(200);
    // last_seen_at / last_address are written in batches, within a second.
    const listed = await waitFor(
      async () => {
        const list = (await api('GET', '/api/admin/devices')).body.gb28181;
        return list[0]?.lastSeenAt ? list : null;
      },
      5_000,
      'last seen written',
    );
    expect(listed).toEqual([
      {
        id: IPC,
        name: '东门入口',
        hasOwnPassword: true,
        disabledAt: null,
        lastSeenAt: expect.any(Number),
        lastAddress: dev.address,
      },
    ]);

    // A rename keeps the password.
    expect((await api('POST', '/api/admin/devices/gb28181', 'admin', { id: IPC, name: '东门' })).status).toBe(
      200,
    );
    expect((await api('GET', '/api/admin/devices')).body.gb28181[0]).toMatchObject({
      name: '东门',
      hasOwnPassword: true,
    });

    expect((await api('POST', `/api/admin/devices/gb28181/${IPC}/disable`)).status).toBe(200);
    expect((await dev.keepalive(2)).status).toBe(403);
    expect((await dev.register({ password: 'camera-pass-7' })).status).toBe(403);
    expect(await auditRows('device.gb28181.disable')).toHaveLength(1);
    expect((await api('POST', `/api/admin/devices/gb28181/${IPC}/enable`)).status).toBe(200);
    expect((await dev.register({ password: 'camera-pass-7' })).status).toBe(200);
    expect((await api('POST', '/api/admin/devices/gb28181/33010200001320000999/disable')).status).toBe(404);
  });

  it('lists cameras a page at a time, counting up to its cap, for an administrator only', async () => {
    expect((await api('GET', '/api/admin/devices/cameras', 'dispatcher')).status).toBe(403);
    expect((await api('GET', '/api/admin/devices/workers', 'dispatcher')).status).toBe(403);

    const first = await api('GET', '/api/admin/devices/cameras');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ total: UNIT_COUNT_CAP, isTotalCapped: true, page: 1, pageSize: 50 });
    expect(first.body.rows).toHaveLength(50);
    expect(first.body.rows[0]).toEqual({
      id: '33010200001310100000',
      name: '批量点位 0',
      type: 'xueliang',
      gridCode: null,
      regionCode: null,
      isUnassigned: false,
      disabledAt: null,
      status: null,
      lastReportAt: null,
      isStale: true,
    });
    // Pages follow id order without overlap; past the end is an empty page, not an error.
    const third = await api('GET', `/api/admin/devices/cameras?page=3&pageSize=${UNIT_PAGE_MAX}`);
    expect(third.body.rows).toHaveLength(UNIT_PAGE_MAX);
    expect(third.body.rows[0].id).toBe(`33010200001310${100_000 + 2 * UNIT_PAGE_MAX}`);
    expect((await api('GET', '/api/admin/devices/cameras?page=9999&pageSize=200')).body.rows).toEqual([]);
    for (const bad of ['pageSize=201', 'page=0', 'page=x', 'state=gone', `q=${'x'.repeat(65)}`])
      expect((await api('GET', `/api/admin/devices/cameras?${bad}`)).status).toBe(400);
  });

  it('searches cameras and workers by name, id or grid, with % and _ taken literally', async () => {
    const find = async (kind: string, q: string, extra = '') =>
      (await api('GET', `/api/admin/devices/${kind}?q=${encodeURIComponent(q)}${extra}`)).body;
    const gate = await find('cameras', '东门');
    expect(gate).toMatchObject({ total: 2, isTotalCapped: false });
    expect(gate.rows.map((r: Body) => r.name)).toEqual(['东门入口', '东门停车场 50%']);
    expect((await find('cameras', '50%')).rows.map((r: Body) => r.name)).toEqual(['东门停车场 50%']);
    expect((await find('cameras', '_')).total).toBe(0);
    expect((await find('cameras', '1320000103')).rows.map((r: Body) => r.name)).toEqual(['西门']);
    // A grid code matches as a prefix (a community's 12 digits find its grids' workers).
    const grid = await find('workers', '330102001001');
    expect(grid.rows.map((r: Body) => [r.id, r.name, r.type])).toEqual([
      ['w-100', '张三', 'full_time'],
      ['w-101', '李四', 'assistant'],
    ]);
    expect((await find('workers', '王')).rows.map((r: Body) => r.id)).toEqual(['w-102']);
  });

  it('lists a disabled camera as disabled (filterable), and a reporting one with its live status', async () => {
    const [east] = SPECIAL_CAMERAS[0];
    await t.bus.publishTelemetry('camera', JSON.stringify({ id: east, status: 'online', ts: Date.now() }));
    const seen = await waitFor(
      async () => {
        const row = (await api('GET', `/api/admin/devices/cameras?q=${east}`)).body.rows[0];
        return row?.status === 'online' ? row : null;
      },
      5_000,
      'the camera report on the list',
    );
    expect(seen).toMatchObject({ id: east, isStale: false, lastReportAt: expect.any(Number) });

    expect((await api('POST', `/api/admin/devices/cameras/${east}/disable`)).status).toBe(200);
    const disabled = await api('GET', '/api/admin/devices/cameras?state=disabled');
    expect(disabled.body).toMatchObject({ total: 1, isTotalCapped: false });
    expect(disabled.body.rows[0]).toMatchObject({ id: east, disabledAt: expect.any(Number) });
    expect(
      (await api('GET', '/api/admin/devices/cameras?q=东门&state=enabled')).body.rows.map((r: Body) => r.id),
    ).toEqual([SPECIAL_CAMERAS[1][0]]);
    expect((await api('POST', `/api/admin/devices/cameras/${east}/enable`)).status).toBe(200);
    expect((await api('GET', '/api/admin/devices/cameras?state=disabled')).body.total).toBe(0);

    expect((await api('POST', '/api/admin/devices/workers/w-101/disable')).status).toBe(200);
    const workers = (await api('GET', '/api/admin/devices/workers?state=disabled')).body;
    expect(workers.rows.map((r: Body) => r.id)).toEqual(['w-101']);
    expect((await api('POST', '/api/admin/devices/workers/w-101/enable')).status).toBe(200);
  });

  it('refuses telemetry for an id no registry knows, and registers nothing', async () => {
    await t.bus.publishTelemetry(
      'vehicle',
      JSON.stringify([{ id: 'FORGED-1', lng: 120.2, lat: 30.2, ts: Date.now() }]),
    );
    await waitFor(
      () => t.app.ctx.stats.rejected.get('redis:vehicle/unknown_id'),
      5_000,
      'unknown id refused',
    );
    expect(t.app.ctx.live.vehicle.getById('FORGED-1')).toBeUndefined();
    // Nothing was queued for the registrar (it queues synchronously, on the report that registers).
    expect(t.app.ctx.stats.registered).toBe(0);
    expect(await t.app.ctx.sql.get(sql`SELECT COUNT(*) AS n FROM vehicles WHERE id = 'FORGED-1'`)).toEqual({
      n: 0,
    });
  });
});
