/**
 * Field-device administration and the gateways' directories on both engines (issue 19): the device admin
 * routes on SqlDb (a terminal fitted, changed, disabled and enabled on a vehicle; a GB/T 28181 device added;
 * cameras and workers listed a page at a time), each change with its audit row, the unique terminal phone
 * answered as a conflict whichever way it is met (the look-up, or the index under a race between two
 * processes), and the in-memory directories a gateway reads per frame: loaded before it listens, re-read at
 * once after a change here and within their refresh period after one made elsewhere.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '@/lib/clock';
import { createDeviceRoutes } from '@/server/admin/device-routes';
import type { AppContext } from '@/server/app';
import { SqlAudit } from '@/server/audit/audit-append';
import { configureSqlAuditChain } from '@/server/audit/audit-key';
import { sqlChainSource, verifyChain } from '@/server/audit/verify-chain';
import type { SqlDb } from '@/server/db/sql-db';
import type { Authorize } from '@/server/auth/guard';
import { createRouter, HttpError, sendJson, type Principal, type RouteContext } from '@/server/http/router';
import { LiveState } from '@/server/live/live-state';
import { createLogger } from '@/server/logger';
import { createDeviceDirectory, type DeviceDirectory } from '@/server/protocols/gb28181/device-directory';
import {
  createTerminalDirectory,
  hashAuthCode,
  type TerminalDirectory,
} from '@/server/protocols/jt808/terminal-directory';
import { SQL_BACKENDS, type TestSqlDb } from '../helpers/sql-backends';
import { waitFor } from '../helpers/test-app';

const NOW = 1_800_000_000_000;
const REALM = '3402000000';
const IPC = '33010200001320000007';
const RACERS = 8;
const AUDIT_KEY = 'sql-backends-devices-test-key-0123456789';
const ADMIN: Principal = { username: 'admin', role: 'admin', isDisplay: false };
const logger = createLogger('silent');

// Response bodies are checked structurally.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = any;

const authorize = ((c: RouteContext, opts: { roles: readonly string[] }) => {
  if (!c.principal || !opts.roles.includes(c.principal.role)) throw new HttpError(403, 'denied');
  return c.principal;
}) as Authorize;

/** One server process's device routes over `db`, on a port of its own; an unexpected error answers 500. */
async function serveRoutes(db: SqlDb, clock: FakeClock, live: LiveState) {
  // Each process configures the chain at its start, as main.ts does.
  await configureSqlAuditChain(db, { auditKey: AUDIT_KEY, logger });
  const ctx = {
    sql: db,
    clock,
    live,
    config: { GB28181_REALM: REALM, fieldAutoRegister: false } as unknown as AppContext['config'],
  };
  const match = createRouter(
    createDeviceRoutes(ctx, { sqlAudit: new SqlAudit(db, clock), auth: { authorize } }),
  );
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const m = match(req.method ?? 'GET', url.pathname);
    if (!m) return sendJson(res, 404, { error: 'no route' });
    const c: RouteContext = { req, res, url, params: m.params, principal: ADMIN, clientAddress: '127.0.0.1' };
    Promise.resolve(m.route.handler(c)).catch((e: unknown) =>
      e instanceof HttpError
        ? sendJson(res, e.status, { error: e.message })
        : sendJson(res, 500, { error: (e as Error).message }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    async api(method: string, path: string, body?: unknown): Promise<{ status: number; body: Body }> {
      const r = await fetch(`${base}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: r.status, body: await r.json() };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The same database, each read 100 ms late. */
function slowReads(db: SqlDb): SqlDb {
  return {
    ...db,
    dialect: db.dialect,
    all: async (q) => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      return db.all(q);
    },
  } as SqlDb;
}

for (const backend of SQL_BACKENDS) {
  describe.skipIf(backend.unavailable !== null)(`field devices on ${backend.name}`, () => {
    let t: TestSqlDb;
    const clock = new FakeClock(NOW);
    const live = new LiveState(clock);
    let here: Awaited<ReturnType<typeof serveRoutes>>;
    let there: Awaited<ReturnType<typeof serveRoutes>>;
    let terminals: TerminalDirectory;
    let devices: DeviceDirectory;

    const auditCount = async (action: string) =>
      Number(
        (await t.db.get<{ n: number | string }>(
          sql`SELECT COUNT(*) AS n FROM audit_log WHERE action = ${action} AND result = 'ok'`,
        ))!.n,
      );
    const vehicle = (id: string) =>
      t.db.get<{ phone: string | null; hash: string | null; disabledAt: number | null }>(
        sql`SELECT terminal_phone AS phone, terminal_auth_hash AS hash, disabled_at AS "disabledAt" FROM vehicles WHERE id = ${id}`,
      );

    beforeAll(async () => {
      t = await backend.open();
      for (let k = 1; k <= 3 + RACERS; k++)
        await t.db.run(
          sql`INSERT INTO vehicles (id, name, plate, kind, is_unassigned, created_at)
              VALUES (${`v-${k}`}, ${`巡逻 ${k} 号车`}, ${`浙A·P000${k}`}, 'patrol_car', ${false}, ${NOW})`,
        );
      // Already fitted before the directories start: the first read must carry it.
      await t.db.run(
        sql`UPDATE vehicles SET terminal_phone = '13900000099', terminal_auth_hash = ${hashAuthCode('old')} WHERE id = 'v-2'`,
      );
      await t.db.run(
        sql`INSERT INTO field_devices (id, name, sip_ha1, created_at) VALUES ('34020000001320000001', '老设备', NULL, ${NOW})`,
      );
      for (const [id, name, grid] of [
        ['c-1', '东门入口', '330102001001001'],
        ['c-2', '东门停车场 50%', '330102001001001'],
        ['c-3', '西门', '330102001001002'],
      ] as const)
        await t.db.run(
          sql`INSERT INTO cameras (id, name, lng, lat, grid_code, program, is_unassigned, created_at)
              VALUES (${id}, ${name}, 120.17, 30.25, ${grid}, 'xueliang', ${false}, ${NOW})`,
        );
      for (const [id, name] of [
        ['w-1', '张三'],
        ['W-2', '李四'],
      ] as const)
        await t.db.run(
          sql`INSERT INTO workers (id, name, role, grid_code, is_unassigned, created_at)
              VALUES (${id}, ${name}, 'full_time', '330102001001001', ${true}, ${NOW})`,
        );
      // Long timers: what these directories show after a change came from the change's own re-read. Slow
      // reads: a route that answered before that re-read finished would be seen answering too early.
      terminals = await createTerminalDirectory(slowReads(t.db), { logger, refreshMs: 3_600_000 });
      devices = await createDeviceDirectory(slowReads(t.db), { logger, refreshMs: 3_600_000 });
      here = await serveRoutes(t.db, clock, live);
      there = await serveRoutes(t.another(), clock, new LiveState(clock));
    });
    afterAll(async () => {
      terminals?.close();
      await devices?.close();
      await here?.close();
      await there?.close();
      await t?.close();
    });

    it('loads the directories before a gateway listens', () => {
      expect(terminals.lookup('13900000099')).toEqual({
        vehicleId: 'v-2',
        authHash: hashAuthCode('old'),
        isDisabled: false,
      });
      expect(terminals.lookup('13900000001')).toBeUndefined();
      expect(devices.lookup('34020000001320000001')).toEqual({
        ha1: null,
        isDisabled: false,
        lastAddress: null,
      });
    });

    it('fits, changes, disables and enables a vehicle terminal, each audited and known to the gateway at once', async () => {
      const fitted = await here.api('POST', '/api/admin/devices/terminals', {
        vehicleId: 'v-1',
        phone: '0139-0000-0001',
      });
      expect(fitted.status).toBe(200);
      const code: string = fitted.body.authCode;
      expect(await vehicle('v-1')).toEqual({
        phone: '13900000001',
        hash: hashAuthCode(code),
        disabledAt: null,
      });
      expect(terminals.lookup('13900000001')).toEqual({
        vehicleId: 'v-1',
        authHash: hashAuthCode(code),
        isDisabled: false,
      });

      const changed = await here.api('POST', '/api/admin/devices/terminals', {
        vehicleId: 'v-1',
        phone: '13900000011',
      });
      expect(changed.status).toBe(200);
      expect(terminals.lookup('13900000001')).toBeUndefined();
      expect(terminals.lookup('13900000011')?.authHash).toBe(hashAuthCode(changed.body.authCode));
      expect(await auditCount('device.terminal.provision')).toBe(2);

      expect((await here.api('POST', '/api/admin/devices/terminals/v-1/disable')).status).toBe(200);
      expect((await vehicle('v-1'))!.disabledAt).toBe(NOW);
      expect(terminals.lookup('13900000011')?.isDisabled).toBe(true);
      expect(live.vehicle.getById('v-1')).toBeDefined();
      expect(live.vehicle.isDisabled[live.vehicle.indexOf('v-1')!]).toBe(1);
      expect((await here.api('POST', '/api/admin/devices/terminals/v-1/enable')).status).toBe(200);
      expect(terminals.lookup('13900000011')?.isDisabled).toBe(false);
      expect((await here.api('POST', '/api/admin/devices/terminals/nope/disable')).status).toBe(404);
      expect([
        await auditCount('device.terminal.disable'),
        await auditCount('device.terminal.enable'),
      ]).toEqual([1, 1]);

      const listed = (await here.api('GET', '/api/admin/devices')).body;
      // Fitted vehicles first, then the rest, each in id order.
      expect(listed.terminals.slice(0, 2).map((r: Body) => [r.vehicleId, r.phone, r.isProvisioned])).toEqual([
        ['v-1', '13900000011', true],
        ['v-2', '13900000099', true],
      ]);
      expect(listed.terminals[0].disabledAt).toBeNull();
    });

    it('answers a phone already on another vehicle as a conflict naming it', async () => {
      const dup = await here.api('POST', '/api/admin/devices/terminals', {
        vehicleId: 'v-3',
        phone: '13900000099',
      });
      expect(dup).toEqual({ status: 409, body: { error: '该终端手机号已绑定车辆 v-2' } });
      expect((await vehicle('v-3'))!.phone).toBeNull();
    });

    it('lets one of two processes racing one phone onto different vehicles win; the others get 409, never 500', async () => {
      const answers = await Promise.all(
        Array.from({ length: RACERS }, (_, k) =>
          (k % 2 ? there : here).api('POST', '/api/admin/devices/terminals', {
            vehicleId: `v-${3 + k}`,
            phone: '13955555555',
          }),
        ),
      );
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses).toEqual([200, ...Array<number>(RACERS - 1).fill(409)]);
      const holders = await t.db.all<{ id: string }>(
        sql`SELECT id FROM vehicles WHERE terminal_phone = '13955555555'`,
      );
      expect(holders).toHaveLength(1);
      for (const a of answers)
        if (a.status === 409) expect(a.body.error).toBe(`该终端手机号已绑定车辆 ${holders[0]!.id}`);
      expect(await auditCount('device.terminal.provision')).toBe(3);
    });

    it('takes changes to one terminal one after another, each audited against the last', async () => {
      const vehicleId = `v-${3 + RACERS}`;
      const answers = await Promise.all(
        Array.from({ length: 4 }, (_, k) =>
          (k % 2 ? there : here).api('POST', '/api/admin/devices/terminals', {
            vehicleId,
            phone: `1390000070${k}`,
          }),
        ),
      );
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
      const afters = await t.db.all<{ after: string }>(
        sql`SELECT after FROM audit_log WHERE action = 'device.terminal.provision' AND object_id = ${vehicleId} ORDER BY id`,
      );
      // Each change read the row the one before it left (locked on PostgreSQL): only the first was a first fit.
      expect(afters.map((a) => (JSON.parse(a.after) as { isRotated: boolean }).isRotated)).toEqual([
        false,
        true,
        true,
        true,
      ]);
    });

    it('adds a GB/T 28181 device once however many administrators add it at once', async () => {
      const answers = await Promise.all(
        Array.from({ length: RACERS }, (_, k) =>
          (k % 2 ? there : here).api('POST', '/api/admin/devices/gb28181', {
            id: IPC,
            name: '东门入口',
            password: 'camera-pass-7',
          }),
        ),
      );
      const statuses = answers.map((a) => a.status);
      expect(statuses.filter((s) => s === 201)).toHaveLength(1);
      expect(statuses.every((s) => s === 201 || s === 200 || s === 409)).toBe(true);
      const applied = statuses.filter((s) => s !== 409).length;
      expect(await auditCount('device.gb28181.upsert')).toBe(applied);
      expect(devices.lookup(IPC)).toMatchObject({
        isDisabled: false,
        ha1: expect.stringMatching(/^[0-9a-f]{32}$/),
      });

      expect((await here.api('POST', `/api/admin/devices/gb28181/${IPC}/disable`)).status).toBe(200);
      expect(devices.lookup(IPC)?.isDisabled).toBe(true);
      expect((await here.api('POST', `/api/admin/devices/gb28181/${IPC}/enable`)).status).toBe(200);
      expect((await here.api('POST', '/api/admin/devices/gb28181/34020000001320000999/disable')).status).toBe(
        404,
      );
      const listed = (await here.api('GET', '/api/admin/devices')).body.gb28181;
      expect(listed.map((d: Body) => [d.id, d.hasOwnPassword, d.disabledAt])).toEqual([
        [IPC, true, null],
        ['34020000001320000001', false, null],
      ]);
    });

    it('follows a change made by another process within its refresh period', async () => {
      const elsewhere = await createTerminalDirectory(t.another(), { logger, refreshMs: 50 });
      try {
        expect(elsewhere.lookup('13900000099')?.isDisabled).toBe(false);
        // Written straight to the database: no signal reaches this process's directories.
        await t.db.run(sql`UPDATE vehicles SET disabled_at = ${NOW} WHERE id = 'v-2'`);
        await waitFor(() => elsewhere.lookup('13900000099')?.isDisabled, 2_000, 'the timer re-read');
        expect(terminals.lookup('13900000099')?.isDisabled).toBe(false);
        await terminals.refresh();
        expect(terminals.lookup('13900000099')?.isDisabled).toBe(true);
      } finally {
        elsewhere.close();
      }
    });

    it('records where devices were seen and the devices that registered themselves, off the datagram path', async () => {
      const dir = await createDeviceDirectory(t.another(), { logger, refreshMs: 3_600_000 });
      dir.seen!('34020000001320000001', '10.0.0.7:5060', NOW);
      dir.autoRegistered!('34020000001320000002', '10.0.0.8:5060', NOW + 1);
      dir.seen!('34020000001320000002', '10.0.0.8:5060', NOW + 1);
      // Known at once; a re-read before the write lands does not forget it.
      expect(dir.lookup('34020000001320000002')).toEqual({
        ha1: null,
        isDisabled: false,
        lastAddress: '10.0.0.8:5060',
      });
      await dir.refresh();
      expect(dir.lookup('34020000001320000002')).toBeDefined();
      expect(dir.lookup('34020000001320000001')?.lastAddress).toBe('10.0.0.7:5060');
      await dir.close(); // writes what is pending
      const rows = await t.db.all<{ id: string; lastSeenAt: number; lastAddress: string }>(
        sql`SELECT id, last_seen_at AS "lastSeenAt", last_address AS "lastAddress" FROM field_devices
            WHERE id IN ('34020000001320000001', '34020000001320000002') ORDER BY id`,
      );
      expect(rows).toEqual([
        { id: '34020000001320000001', lastSeenAt: NOW, lastAddress: '10.0.0.7:5060' },
        { id: '34020000001320000002', lastSeenAt: NOW + 1, lastAddress: '10.0.0.8:5060' },
      ]);
    });

    it('lists cameras and workers a page at a time, % literal, case as SQLite has it', async () => {
      const page = (kind: string, query: string) => here.api('GET', `/api/admin/devices/${kind}?${query}`);
      const gate = (await page('cameras', `q=${encodeURIComponent('东门')}`)).body;
      expect(gate).toMatchObject({ total: 2, isTotalCapped: false });
      expect(gate.rows.map((r: Body) => r.name)).toEqual(['东门入口', '东门停车场 50%']);
      expect(
        (await page('cameras', `q=${encodeURIComponent('50%')}`)).body.rows.map((r: Body) => r.id),
      ).toEqual(['c-2']);
      expect((await page('cameras', 'q=_')).body.total).toBe(0);
      // A page past the first counts the matches (a second read): a number on both engines.
      const second = (await page('cameras', 'q=330102001001&page=2&pageSize=1')).body;
      expect(second).toMatchObject({ total: 3, page: 2, rows: [{ id: 'c-2', gridCode: '330102001001001' }] });
      expect(second.rows[0]).toMatchObject({ isUnassigned: false, regionCode: null, type: 'xueliang' });
      // Id order is the primary key's (byte order on SQLite, the database collation on PostgreSQL), so
      // ids differing in case are compared as a set.
      const workers = (await page('workers', 'q=w-')).body;
      expect(workers.rows.map((r: Body) => [r.id, r.isUnassigned]).sort()).toEqual([
        ['W-2', true],
        ['w-1', true],
      ]);

      expect((await here.api('POST', '/api/admin/devices/cameras/c-1/disable')).status).toBe(200);
      expect((await page('cameras', 'state=disabled')).body.rows.map((r: Body) => r.id)).toEqual(['c-1']);
      expect((await here.api('POST', '/api/admin/devices/cameras/c-1/enable')).status).toBe(200);
      expect((await here.api('POST', '/api/admin/devices/workers/w-1/disable')).status).toBe(200);
      expect((await page('workers', 'state=enabled')).body.rows.map((r: Body) => r.id)).toEqual(['W-2']);
      expect((await here.api('POST', '/api/admin/devices/workers/nope/disable')).status).toBe(404);
      expect([await auditCount('device.camera.disable'), await auditCount('device.worker.disable')]).toEqual([
        1, 1,
      ]);
    });

    it('leaves one audit chain that verifies', async () => {
      const v = await verifyChain(sqlChainSource(t.db), { auditKey: AUDIT_KEY });
      expect(v.ok).toBe(true);
      expect(v.rows).toBeGreaterThanOrEqual(10);
    });
  });
}
