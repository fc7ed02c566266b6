import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { AppContext } from '../app';
import type { SqlAudit } from '../audit/audit-append';
import type { Authorize } from '../auth/guard';
import { forUpdate, isUniqueViolation, type SqlRunner } from '../db/sql-db';
import { HttpError, readJson, sendJson, type Route, type RouteContext } from '../http/router';
import { isGbId } from '../protocols/gb28181/device-registry';
import { sipHa1 } from '../protocols/gb28181/digest';
import { newAuthCode } from '../protocols/jt808/gateway';
import { hashAuthCode, phoneKey } from '../protocols/jt808/terminal-directory';
import { notifyProvisioningChange } from '../protocols/provisioning-events';
import type { UnitKind } from '@/lib/admin/unit-page';
import { auditAdminIn } from './admin-audit';
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

/** A camera's or grid worker's row before its change (a camera's position too). */
interface UnitBefore {
  name: string | null;
  disabledAt: number | null;
  lng?: number | null;
  lat?: number | null;
}

const TERMINAL_COLUMNS = sql.raw(
  `id AS "vehicleId", name, plate, terminal_phone AS phone, terminal_auth_hash AS "authHash", disabled_at AS "disabledAt"`,
);
const GB_COLUMNS = sql.raw(
  `id, name, sip_ha1 AS "sipHa1", disabled_at AS "disabledAt", last_seen_at AS "lastSeenAt", last_address AS "lastAddress"`,
);

/**
 * Field-device provisioning (admin only, every change audited in its transaction): JT/T 808 terminals get
 * their own auth code (shown once, stored as sha256), GB/T 28181 devices their own digest password (stored
 * as HA1). A change is answered once this process's gateways have re-read it (so a disabled device is
 * already refused here); gateways in other processes follow within DIRECTORY_REFRESH_MS. Disabling a
 * vehicle, camera or grid worker also applies to the live state at once: its reports over Redis and HTTP
 * are refused (`disabled`) and it leaves the walls.
 *
 *   routes: (ctx) => [...createDeviceRoutes(ctx, dispatch.module()!)]
 */
export function createDeviceRoutes(
  ctx: Pick<AppContext, 'sql' | 'clock' | 'config' | 'live'>,
  mod: { sqlAudit: SqlAudit; auth: { authorize: Authorize } },
): Route[] {
  const { sql: db, clock, live } = ctx;
  const audit = mod.sqlAudit;
  const authorize = mod.auth.authorize;
  const realm = ctx.config.GB28181_REALM;

  /** Reads the row to change, locked until the transaction ends (PostgreSQL; SQLite's lock is the database's). */
  const lockTerminal = (tx: SqlRunner, vehicleId: string) =>
    tx.get<TerminalRow>(
      sql`SELECT ${TERMINAL_COLUMNS} FROM vehicles WHERE id = ${vehicleId}${forUpdate(tx)}`,
    );
  const lockGb = (tx: SqlRunner, id: string) =>
    tx.get<GbRow>(sql`SELECT ${GB_COLUMNS} FROM field_devices WHERE id = ${id}${forUpdate(tx)}`);
  const phoneHolder = async (q: SqlRunner, phone: string, vehicleId: string) =>
    (
      await q.get<{ id: string }>(
        sql`SELECT id FROM vehicles WHERE terminal_phone = ${phone} AND id <> ${vehicleId}`,
      )
    )?.id;

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

  const list = async (c: RouteContext) => {
    authorize(c, { roles: ADMIN, action: 'device.list', objectType: 'device' });
    const [terminals, gb28181] = await Promise.all([
      db.all<TerminalRow>(
        sql`SELECT ${TERMINAL_COLUMNS} FROM vehicles ORDER BY terminal_phone IS NULL, id LIMIT ${MAX_LISTED}`,
      ),
      db.all<GbRow>(sql`SELECT ${GB_COLUMNS} FROM field_devices ORDER BY id`),
    ]);
    sendJson(c.res, 200, {
      terminals: terminals.map(terminalView),
      gb28181: gb28181.map(gbView),
      autoRegister: ctx.config.fieldAutoRegister,
    });
  };

  const provisionTerminal = async (c: RouteContext) => {
    const p = authorize(c, { roles: ADMIN, action: 'device.terminal.provision', objectType: 'vehicle' });
    const parsed = TerminalSchema.safeParse(await readJson(c.req));
    if (!parsed.success) throw new HttpError(400, parsed.error.issues[0]?.message ?? '参数无效');
    const { vehicleId } = parsed.data;
    // Stored the way the gateway keys phones (no zero padding), so one terminal has one spelling.
    const phone = phoneKey(parsed.data.phone);
    const authCode = newAuthCode();
    const taken = (holder: string) => new HttpError(409, `该终端手机号已绑定车辆 ${holder}`);
    await db
      .transaction(async (tx) => {
        const before = await lockTerminal(tx, vehicleId);
        if (!before) throw new HttpError(404, '无此车辆');
        const holder = await phoneHolder(tx, phone, vehicleId);
        if (holder) throw taken(holder);
        await tx.run(
          sql`UPDATE vehicles SET terminal_phone = ${phone}, terminal_auth_hash = ${hashAuthCode(authCode)}
              WHERE id = ${vehicleId}`,
        );
        // The code itself is never written anywhere but the response.
        await auditAdminIn(audit, tx, c, p, {
          action: 'device.terminal.provision',
          objectType: 'vehicle',
          objectId: vehicleId,
          before: { phone: before.phone, isProvisioned: before.authHash !== null },
          after: { phone, isProvisioned: true, isRotated: before.authHash !== null },
        });
      })
      .catch(async (e: unknown) => {
        if (!isUniqueViolation(e)) throw e;
        // Two administrators fitting one phone to two vehicles at once: the look-up above saw neither
        // (PostgreSQL reads what was committed), the unique index refused the second.
        throw taken((await phoneHolder(db, phone, vehicleId)) ?? '(另一车辆)');
      });
    await notifyProvisioningChange();
    sendJson(c.res, 200, { ok: true, authCode });
  };

  const setTerminalDisabled = (isDisabled: boolean) => async (c: RouteContext) => {
    const vehicleId = c.params.vehicleId ?? '';
    const action = isDisabled ? 'device.terminal.disable' : 'device.terminal.enable';
    const p = authorize(c, { roles: ADMIN, action, objectType: 'vehicle', objectId: vehicleId });
    const before = await db.transaction(async (tx) => {
      const before = await lockTerminal(tx, vehicleId);
      if (!before) throw new HttpError(404, '无此车辆');
      const disabledAt = isDisabled ? (before.disabledAt ?? clock.now()) : null;
      await tx.run(sql`UPDATE vehicles SET disabled_at = ${disabledAt} WHERE id = ${vehicleId}`);
      await auditAdminIn(audit, tx, c, p, {
        action,
        objectType: 'vehicle',
        objectId: vehicleId,
        before: { disabledAt: before.disabledAt },
        after: { disabledAt },
      });
      return before;
    });
    // The gateway refuses the terminal; Redis and HTTP reports are refused and the walls drop it too.
    live.setDisabled('vehicle', vehicleId, isDisabled, { name: before.name });
    await notifyProvisioningChange();
    sendJson(c.res, 200, { ok: true });
  };

  /**
   * A camera (cameras.disabled_at) or grid worker (workers.disabled_at) disabled or enabled: stored and
   * audited in one transaction, then applied to the live state at once, so its reports on every path are
   * refused (`disabled`) and it leaves the walls; enabled, it is accepted again (a camera reappears where
   * the registry places it).
   */
  const setUnitDisabled = (kind: 'camera' | 'worker', isDisabled: boolean) => async (c: RouteContext) => {
    const id = c.params.id ?? '';
    const action = `device.${kind}.${isDisabled ? 'disable' : 'enable'}`;
    const p = authorize(c, { roles: ADMIN, action, objectType: kind, objectId: id });
    const before = await db.transaction(async (tx) => {
      const before = await tx.get<UnitBefore>(
        kind === 'camera'
          ? sql`SELECT name, lng, lat, disabled_at AS "disabledAt" FROM cameras WHERE id = ${id}${forUpdate(tx)}`
          : sql`SELECT name, disabled_at AS "disabledAt" FROM workers WHERE id = ${id}${forUpdate(tx)}`,
      );
      if (!before) throw new HttpError(404, kind === 'camera' ? '无此视频点位' : '无此网格员');
      const disabledAt = isDisabled ? (before.disabledAt ?? clock.now()) : null;
      await tx.run(
        kind === 'camera'
          ? sql`UPDATE cameras SET disabled_at = ${disabledAt} WHERE id = ${id}`
          : sql`UPDATE workers SET disabled_at = ${disabledAt} WHERE id = ${id}`,
      );
      await auditAdminIn(audit, tx, c, p, {
        action,
        objectType: kind,
        objectId: id,
        before: { disabledAt: before.disabledAt },
        after: { disabledAt },
      });
      return before;
    });
    live.setDisabled(kind, id, isDisabled, {
      name: before.name,
      position: kind === 'camera' ? { lng: before.lng ?? null, lat: before.lat ?? null } : undefined,
    });
    sendJson(c.res, 200, { ok: true });
  };

  /** GET /api/admin/devices/{cameras,workers}?q=&state=&page=&pageSize=: one page, never the whole registry. */
  const listUnitPage = (kind: UnitKind) => async (c: RouteContext) => {
    authorize(c, { roles: ADMIN, action: `device.${kind}.list`, objectType: kind });
    const query = parseUnitListQuery(c.url.searchParams);
    sendJson(c.res, 200, await listUnits(db, live.store(kind), clock, kind, query));
  };

  const upsertGb = async (c: RouteContext) => {
    const p = authorize(c, { roles: ADMIN, action: 'device.gb28181.upsert', objectType: 'field_device' });
    const parsed = GbDeviceSchema.safeParse(await readJson(c.req));
    if (!parsed.success) throw new HttpError(400, parsed.error.issues[0]?.message ?? '参数无效');
    const { id, name, password } = parsed.data;
    const isCreated = await db
      .transaction(async (tx) => {
        const before = await lockGb(tx, id);
        const ha1 =
          password === undefined
            ? (before?.sipHa1 ?? null)
            : password === null
              ? null
              : sipHa1(id, realm, password);
        const nextName = name === undefined ? (before?.name ?? null) : name || null;
        if (before) {
          await tx.run(sql`UPDATE field_devices SET name = ${nextName}, sip_ha1 = ${ha1} WHERE id = ${id}`);
        } else {
          await tx.run(
            sql`INSERT INTO field_devices (id, name, sip_ha1, created_at) VALUES (${id}, ${nextName}, ${ha1}, ${clock.now()})`,
          );
        }
        await auditAdminIn(audit, tx, c, p, {
          action: 'device.gb28181.upsert',
          objectType: 'field_device',
          objectId: id,
          before: before ? { name: before.name, hasOwnPassword: before.sipHa1 !== null } : null,
          // Whether the password changed, never the password or its digest.
          after: { name: nextName, hasOwnPassword: ha1 !== null, isPasswordChanged: password !== undefined },
        });
        return !before;
      })
      .catch((e: unknown) => {
        // Added by someone else at the same moment (or recorded by the listener's auto-registration): this
        // request's name and password were not applied over theirs; the administrator looks and tries again.
        if (isUniqueViolation(e)) throw new HttpError(409, '该设备刚被添加，请刷新后重试');
        throw e;
      });
    await notifyProvisioningChange();
    sendJson(c.res, isCreated ? 201 : 200, { ok: true });
  };

  const setGbDisabled = (isDisabled: boolean) => async (c: RouteContext) => {
    const id = c.params.id ?? '';
    const action = isDisabled ? 'device.gb28181.disable' : 'device.gb28181.enable';
    const p = authorize(c, { roles: ADMIN, action, objectType: 'field_device', objectId: id });
    await db.transaction(async (tx) => {
      const before = await lockGb(tx, id);
      if (!before) throw new HttpError(404, '无此设备');
      const disabledAt = isDisabled ? (before.disabledAt ?? clock.now()) : null;
      await tx.run(sql`UPDATE field_devices SET disabled_at = ${disabledAt} WHERE id = ${id}`);
      await auditAdminIn(audit, tx, c, p, {
        action,
        objectType: 'field_device',
        objectId: id,
        before: { disabledAt: before.disabledAt },
        after: { disabledAt },
      });
    });
    await notifyProvisioningChange();
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
