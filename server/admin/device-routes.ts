import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { AppContext } from '../app';
import type { AuditLog } from '../audit/audit-log';
import type { Authorize } from '../auth/guard';
import { HttpError, readJson, sendJson, type Route, type RouteContext } from '../http/router';
import { isGbId } from '../protocols/gb28181/device-registry';
import { sipHa1 } from '../protocols/gb28181/digest';
import { newAuthCode } from '../protocols/jt808/gateway';
import { hashAuthCode, phoneKey } from '../protocols/jt808/terminal-directory';
import { notifyProvisioningChange } from '../protocols/provisioning-events';
import type { UnitKind } from '@/lib/admin/unit-page';
import { listUnits, parseUnitListQuery } from './unit-list';

const ADMIN = ['admin'] as const;
/** Vehicles listed at most (a province's fleet fits; the page filters). */
const MAX_LISTED = 20_000;

const TerminalSchema = z.object({
  vehicleId: z.string().trim().min(1).max(64),
  // BCD phone field: 12 digits (2011/2013) or 20 (2019); separators are allowed and dropped.
  phone: z
    .string()
    .trim()
    .max(32)
    .refine((p) => /^[\d\s-]+$/.test(p), '终端手机号只能包含数字')
    .transform((p) => p.replace(/\D/g, ''))
    .refine((p) => p.length >= 1 && p.length <= 20 && /[1-9]/.test(p), '终端手机号为 1–20 位数字'),
});

const GbDeviceSchema = z.object({
  id: z.string().trim().refine(isGbId, '设备编码为 20 位数字'),
  name: z.string().trim().max(64).optional(),
  // null clears the device's own password (the domain password applies again).
  password: z.string().min(8, '设备密码至少 8 位').max(128).nullable().optional(),
});

interface TerminalRow {
  vehicleId: string;
  name: string | null;
  plate: string | null;
  phone: string | null;
  authHash: string | null;
  disabledAt: number | null;
}

interface GbRow {
  id: string;
  name: string | null;
  sipHa1: string | null;
  disabledAt: number | null;
  lastSeenAt: number | null;
  lastAddress: string | null;
}

/**
 * Field-device provisioning (admin only, every change audited in its transaction): JT/T 808 terminals get
 * their own auth code (shown once, stored as sha256), GB/T 28181 devices their own digest password (stored
 * as HA1). The in-process gateways re-read the database at once after a change. Disabling a vehicle,
 * camera or grid worker also applies to the live state at once: its reports over Redis and HTTP are refused
 * (`disabled`) and it leaves the walls.
 *
 *   routes: (ctx) => [...createDeviceRoutes(ctx, dispatch.module()!)]
 */
export function createDeviceRoutes(
  ctx: Pick<AppContext, 'db' | 'clock' | 'config' | 'live'>,
  mod: { audit: AuditLog; auth: { authorize: Authorize } },
): Route[] {
  const sqlite: Database.Database = ctx.db.$client;
  const { clock, live } = ctx;
  const { audit } = mod;
  const authorize = mod.auth.authorize;
  const realm = ctx.config.GB28181_REALM;

  const record = (
    c: RouteContext,
    p: { username: string; role: string },
    action: string,
    objectType: string,
    objectId: string,
    before?: unknown,
    after?: unknown,
  ) =>
    audit.append({
      actor: p.username,
      role: p.role,
      clientAddress: c.clientAddress,
      action,
      objectType,
      objectId,
      before,
      after,
      result: 'ok',
    });

  const terminalById = sqlite.prepare<[string], TerminalRow>(
    `SELECT id AS vehicleId, name, plate, terminal_phone AS phone, terminal_auth_hash AS authHash,
            disabled_at AS disabledAt FROM vehicles WHERE id = ?`,
  );
  const gbById = sqlite.prepare<[string], GbRow>(
    `SELECT id, name, sip_ha1 AS sipHa1, disabled_at AS disabledAt, last_seen_at AS lastSeenAt,
            last_address AS lastAddress FROM field_devices WHERE id = ?`,
  );
  const terminalView = (r: TerminalRow) => ({
    vehicleId: r.vehicleId,
    name: r.name,
    plate: r.plate,
    phone: r.phone,
    isProvisioned: r.authHash !== null,
    disabledAt: r.disabledAt,
    // The gateway's newest accepted position for the vehicle (report time), from the live state.
    lastSeenAt: lastReportAt(r.vehicleId),
  });
  const lastReportAt = (vehicleId: string): number | null => {
    const ts = live.vehicle.getById(vehicleId)?.ts;
    return ts ? ts : null;
  };
  const gbView = (r: GbRow) => ({
    id: r.id,
    name: r.name,
    hasOwnPassword: r.sipHa1 !== null,
    disabledAt: r.disabledAt,
    lastSeenAt: r.lastSeenAt,
    lastAddress: r.lastAddress,
  });

  const list = (c: RouteContext) => {
    authorize(c, { roles: ADMIN, action: 'device.list', objectType: 'device' });
    const terminals = sqlite
      .prepare<[number], TerminalRow>(
        `SELECT id AS vehicleId, name, plate, terminal_phone AS phone, terminal_auth_hash AS authHash,
                disabled_at AS disabledAt
         FROM vehicles ORDER BY terminal_phone IS NULL, id LIMIT ?`,
      )
      .all(MAX_LISTED)
      .map(terminalView);
    const gb28181 = sqlite
      .prepare<[], GbRow>(
        `SELECT id, name, sip_ha1 AS sipHa1, disabled_at AS disabledAt, last_seen_at AS lastSeenAt,
                last_address AS lastAddress FROM field_devices ORDER BY id`,
      )
      .all()
      .map(gbView);
    sendJson(c.res, 200, { terminals, gb28181, autoRegister: ctx.config.fieldAutoRegister });
  };

  const provisionTerminal = async (c: RouteContext) => {
    const p = authorize(c, { roles: ADMIN, action: 'device.terminal.provision', objectType: 'vehicle' });
    const parsed = TerminalSchema.safeParse(await readJson(c.req));
    if (!parsed.success) throw new HttpError(400, parsed.error.issues[0]?.message ?? '参数无效');
    const { vehicleId } = parsed.data;
    // Stored the way the gateway keys phones (no zero padding), so one terminal has one spelling.
    const phone = phoneKey(parsed.data.phone);
    const authCode = newAuthCode();
    sqlite
      .transaction(() => {
        const before = terminalById.get(vehicleId);
        if (!before) throw new HttpError(404, '无此车辆');
        const holder = sqlite
          .prepare<[string, string], { id: string }>(
            'SELECT id FROM vehicles WHERE terminal_phone = ? AND id <> ?',
          )
          .get(phone, vehicleId);
        if (holder) throw new HttpError(409, `该终端手机号已绑定车辆 ${holder.id}`);
        sqlite
          .prepare('UPDATE vehicles SET terminal_phone = ?, terminal_auth_hash = ? WHERE id = ?')
          .run(phone, hashAuthCode(authCode), vehicleId);
        // The code itself is never written anywhere but the response.
        record(
          c,
          p,
          'device.terminal.provision',
          'vehicle',
          vehicleId,
          { phone: before.phone, isProvisioned: before.authHash !== null },
          { phone, isProvisioned: true, isRotated: before.authHash !== null },
        );
      })
      .immediate();
    notifyProvisioningChange();
    sendJson(c.res, 200, { ok: true, authCode });
  };

  const setTerminalDisabled = (isDisabled: boolean) => (c: RouteContext) => {
    const vehicleId = c.params.vehicleId ?? '';
    const action = isDisabled ? 'device.terminal.disable' : 'device.terminal.enable';
    const p = authorize(c, { roles: ADMIN, action, objectType: 'vehicle', objectId: vehicleId });
    sqlite
      .transaction(() => {
        const before = terminalById.get(vehicleId);
        if (!before) throw new HttpError(404, '无此车辆');
        const disabledAt = isDisabled ? (before.disabledAt ?? clock.now()) : null;
        sqlite.prepare('UPDATE vehicles SET disabled_at = ? WHERE id = ?').run(disabledAt, vehicleId);
        record(c, p, action, 'vehicle', vehicleId, { disabledAt: before.disabledAt }, { disabledAt });
      })
      .immediate();
    // The gateway refuses the terminal; Redis and HTTP reports are refused and the walls drop it too.
    live.setDisabled('vehicle', vehicleId, isDisabled, { name: terminalById.get(vehicleId)?.name });
    notifyProvisioningChange();
    sendJson(c.res, 200, { ok: true });
  };

  const cameraById = sqlite.prepare<
    [string],
    { name: string | null; lng: number | null; lat: number | null; disabledAt: number | null }
  >('SELECT name, lng, lat, disabled_at AS disabledAt FROM cameras WHERE id = ?');
  const workerById = sqlite.prepare<[string], { name: string | null; disabledAt: number | null }>(
    'SELECT name, disabled_at AS disabledAt FROM workers WHERE id = ?',
  );

  /**
   * A camera (cameras.disabled_at) or grid worker (workers.disabled_at) disabled or enabled: stored and
   * audited in one transaction, then applied to the live state at once, so its reports on every path are
   * refused (`disabled`) and it leaves the walls; enabled, it is accepted again (a camera reappears where
   * the registry places it).
   */
  const setUnitDisabled = (kind: 'camera' | 'worker', isDisabled: boolean) => (c: RouteContext) => {
    const id = c.params.id ?? '';
    const action = `device.${kind}.${isDisabled ? 'disable' : 'enable'}`;
    const p = authorize(c, { roles: ADMIN, action, objectType: kind, objectId: id });
    const table = kind === 'camera' ? 'cameras' : 'workers';
    const read = () => (kind === 'camera' ? cameraById.get(id) : workerById.get(id));
    sqlite
      .transaction(() => {
        const before = read();
        if (!before) throw new HttpError(404, kind === 'camera' ? '无此视频点位' : '无此网格员');
        const disabledAt = isDisabled ? (before.disabledAt ?? clock.now()) : null;
        sqlite.prepare(`UPDATE ${table} SET disabled_at = ? WHERE id = ?`).run(disabledAt, id);
        record(c, p, action, kind, id, { disabledAt: before.disabledAt }, { disabledAt });
      })
      .immediate();
    const camera = kind === 'camera' ? cameraById.get(id) : undefined;
    live.setDisabled(kind, id, isDisabled, { name: read()?.name, position: camera });
    sendJson(c.res, 200, { ok: true });
  };

  /** GET /api/admin/devices/{cameras,workers}?q=&state=&page=&pageSize=: one page, never the whole registry. */
  const listUnitPage = (kind: UnitKind) => (c: RouteContext) => {
    authorize(c, { roles: ADMIN, action: `device.${kind}.list`, objectType: kind });
    const query = parseUnitListQuery(c.url.searchParams);
    sendJson(c.res, 200, listUnits(sqlite, live.store(kind), clock, kind, query));
  };

  const upsertGb = async (c: RouteContext) => {
    const p = authorize(c, { roles: ADMIN, action: 'device.gb28181.upsert', objectType: 'field_device' });
    const parsed = GbDeviceSchema.safeParse(await readJson(c.req));
    if (!parsed.success) throw new HttpError(400, parsed.error.issues[0]?.message ?? '参数无效');
    const { id, name, password } = parsed.data;
    let status = 200;
    sqlite
      .transaction(() => {
        const before = gbById.get(id);
        const ha1 =
          password === undefined
            ? (before?.sipHa1 ?? null)
            : password === null
              ? null
              : sipHa1(id, realm, password);
        const nextName = name === undefined ? (before?.name ?? null) : name || null;
        if (before) {
          sqlite
            .prepare('UPDATE field_devices SET name = ?, sip_ha1 = ? WHERE id = ?')
            .run(nextName, ha1, id);
        } else {
          status = 201;
          sqlite
            .prepare('INSERT INTO field_devices (id, name, sip_ha1, created_at) VALUES (?, ?, ?, ?)')
            .run(id, nextName, ha1, clock.now());
        }
        record(
          c,
          p,
          'device.gb28181.upsert',
          'field_device',
          id,
          before ? { name: before.name, hasOwnPassword: before.sipHa1 !== null } : null,
          // Whether the password changed, never the password or its digest.
          { name: nextName, hasOwnPassword: ha1 !== null, isPasswordChanged: password !== undefined },
        );
      })
      .immediate();
    notifyProvisioningChange();
    sendJson(c.res, status, { ok: true });
  };

  const setGbDisabled = (isDisabled: boolean) => (c: RouteContext) => {
    const id = c.params.id ?? '';
    const action = isDisabled ? 'device.gb28181.disable' : 'device.gb28181.enable';
    const p = authorize(c, { roles: ADMIN, action, objectType: 'field_device', objectId: id });
    sqlite
      .transaction(() => {
        const before = gbById.get(id);
        if (!before) throw new HttpError(404, '无此设备');
        const disabledAt = isDisabled ? (before.disabledAt ?? clock.now()) : null;
        sqlite.prepare('UPDATE field_devices SET disabled_at = ? WHERE id = ?').run(disabledAt, id);
        record(c, p, action, 'field_device', id, { disabledAt: before.disabledAt }, { disabledAt });
      })
      .immediate();
    notifyProvisioningChange();
    sendJson(c.res, 200, { ok: true });
  };

  return [
    { method: 'GET', path: '/api/admin/devices', handler: list },
    { method: 'GET', path: '/api/admin/devices/cameras', handler: listUnitPage('camera') },
    { method: 'GET', path: '/api/admin/devices/workers', handler: listUnitPage('worker') },
    { method: 'POST', path: '/api/admin/devices/terminals', handler: provisionTerminal },
    {
      method: 'POST',
      path: '/api/admin/devices/terminals/:vehicleId/disable',
      handler: setTerminalDisabled(true),
    },
    {
      method: 'POST',
      path: '/api/admin/devices/terminals/:vehicleId/enable',
      handler: setTerminalDisabled(false),
    },
    {
      method: 'POST',
      path: '/api/admin/devices/cameras/:id/disable',
      handler: setUnitDisabled('camera', true),
    },
    {
      method: 'POST',
      path: '/api/admin/devices/cameras/:id/enable',
      handler: setUnitDisabled('camera', false),
    },
    {
      method: 'POST',
      path: '/api/admin/devices/workers/:id/disable',
      handler: setUnitDisabled('worker', true),
    },
    {
      method: 'POST',
      path: '/api/admin/devices/workers/:id/enable',
      handler: setUnitDisabled('worker', false),
    },
    { method: 'POST', path: '/api/admin/devices/gb28181', handler: upsertGb },
    { method: 'POST', path: '/api/admin/devices/gb28181/:id/disable', handler: setGbDisabled(true) },
    { method: 'POST', path: '/api/admin/devices/gb28181/:id/enable', handler: setGbDisabled(false) },
  ];
}
