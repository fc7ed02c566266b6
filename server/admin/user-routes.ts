import { sql } from 'drizzle-orm';
import { NewUserSchema, PasswordResetSchema, UserChangeSchema, type UserRow } from '@/lib/admin/schemas';
import { HttpError, readJson, sendJson, type Route, type RouteContext } from '../http/router';
import { insertUser, revokeUserSessions, setUserDisabled, setUserPasswordHash } from '../auth/accounts';
import { hashPassword } from '../auth/password';
import { forUpdate, isUniqueViolation, type SqlRunner } from '../db/sql-db';
import { passwordProblem } from '@/lib/auth/password-policy';
import { auditAdminIn, firstIssue } from './admin-audit';
import { ADMIN, type AdminDeps } from './admin-deps';

const USER_COLUMNS =
  sql.raw(`id, username, display_name AS "displayName", role, region_code AS "regionCode", worker_id AS "workerId",
  department_id AS "departmentId", disabled_at AS "disabledAt", failed_logins AS "failedLogins", locked_until AS "lockedUntil",
  created_at AS "createdAt"`);

/**
 * Accounts (admin only): list, create, change role / name / region scope, disable and enable, reset the
 * password, unlock. Each change and its audit row (with the row before and after) commit together.
 * Disabling or resetting a password revokes the account's sessions at once; the last enabled admin can be
 * neither disabled nor demoted, so a deployment can never lock itself out of its own console.
 */
export function createUserRoutes(deps: AdminDeps): Route[] {
  const { sql: db, clock, sqlAudit: audit, authorize } = deps;
  const policy = deps.passwordPolicy ?? { isDemo: false };
  /** The one password policy (lib/auth/password-policy.ts), on every password an admin sets. */
  const checkPassword = (password: string, username: string) => {
    const problem = passwordProblem(password, { username, ...policy });
    if (problem) throw new HttpError(400, problem);
  };
  const selectUser = (q: SqlRunner, username: string) =>
    q.get<UserRow>(sql`SELECT ${USER_COLUMNS} FROM users WHERE username = ${username}`);

  const mustFind = async (q: SqlRunner, username: string): Promise<UserRow> => {
    const row = await selectUser(q, username);
    if (!row) throw new HttpError(404, '无此用户');
    return row;
  };
  const keepOneAdmin = async (q: SqlRunner, before: UserRow) => {
    if (before.role !== 'admin' || before.disabledAt !== null) return;
    // Every admin row is locked (PostgreSQL) so two admins disabling each other at once cannot both pass.
    const admins = await q.all<{ id: number }>(
      sql`SELECT id FROM users WHERE role = 'admin' AND disabled_at IS NULL${forUpdate(q)}`,
    );
    if (admins.length <= 1) throw new HttpError(409, '至少保留一个可用的系统管理员');
  };
  /** Reads the row to change, locked until the transaction ends (PostgreSQL; SQLite's lock is the database's). */
  const lockUser = async (tx: SqlRunner, username: string) => {
    const row = await tx.get<UserRow>(
      sql`SELECT ${USER_COLUMNS} FROM users WHERE username = ${username}${forUpdate(tx)}`,
    );
    if (!row) throw new HttpError(404, '无此用户');
    return row;
  };

  const list = async (ctx: RouteContext) => {
    authorize(ctx, { roles: ADMIN, action: 'user.list', objectType: 'user' });
    const rows = await db.all(sql`SELECT ${USER_COLUMNS} FROM users ORDER BY id`);
    sendJson(ctx.res, 200, { users: rows });
  };

  const create = async (ctx: RouteContext) => {
    const p = authorize(ctx, { roles: ADMIN, action: 'user.create', objectType: 'user' });
    const parsed = NewUserSchema.safeParse(await readJson(ctx.req));
    if (!parsed.success) throw new HttpError(400, firstIssue(parsed.error));
    const u = parsed.data;
    checkPassword(u.password, u.username);
    // Hashing is slow, so it comes first; the insert and its audit row then commit together.
    const hash = await hashPassword(u.password);
    const row = await db
      .transaction(async (tx) => {
        if (await selectUser(tx, u.username)) throw new HttpError(409, '用户名已存在');
        if (
          u.workerId !== null &&
          !(await tx.get(sql`SELECT 1 AS one FROM workers WHERE id = ${u.workerId}`))
        )
          throw new HttpError(400, '无此网格员编号', { field: 'workerId' });
        if (
          u.departmentId !== null &&
          !(await tx.get(sql`SELECT 1 AS one FROM departments WHERE id = ${u.departmentId}`))
        )
          throw new HttpError(400, '无此部门编号', { field: 'departmentId' });
        await insertUser(tx, clock, { ...u, displayName: u.displayName || null }, hash);
        const after = (await selectUser(tx, u.username))!;
        await auditAdminIn(audit, tx, ctx, p, {
          action: 'user.create',
          objectType: 'user',
          objectId: u.username,
          after,
        });
        return after;
      })
      .catch((e: unknown) => {
        // Two admins creating one name at once: the second insert meets the unique index, not the look-up.
        if (isUniqueViolation(e)) throw new HttpError(409, '用户名已存在');
        throw e;
      });
    sendJson(ctx.res, 201, row);
  };

  const change = async (ctx: RouteContext) => {
    const username = ctx.params.username ?? '';
    const p = authorize(ctx, { roles: ADMIN, action: 'user.update', objectType: 'user', objectId: username });
    const parsed = UserChangeSchema.safeParse(await readJson(ctx.req));
    if (!parsed.success) throw new HttpError(400, firstIssue(parsed.error));
    const c = parsed.data;
    const row = await db.transaction(async (tx) => {
      const before = await lockUser(tx, username);
      if (c.role !== undefined && c.role !== 'admin') await keepOneAdmin(tx, before);
      const hasName = c.displayName !== undefined;
      const hasRegion = 'regionCode' in c;
      await tx.run(
        sql`UPDATE users SET role = COALESCE(${c.role ?? null}, role),
              display_name = CASE WHEN ${hasName ? 1 : 0} = 1 THEN ${c.displayName || null} ELSE display_name END,
              region_code = CASE WHEN ${hasRegion ? 1 : 0} = 1 THEN ${c.regionCode ?? null} ELSE region_code END
            WHERE username = ${username}`,
      );
      const after = await mustFind(tx, username);
      // A new role or scope must not ride on sessions opened under the old one.
      if (after.role !== before.role || after.regionCode !== before.regionCode)
        await revokeUserSessions(tx, clock, before.id);
      await auditAdminIn(audit, tx, ctx, p, {
        action: 'user.update',
        objectType: 'user',
        objectId: username,
        before,
        after,
      });
      return after;
    });
    sendJson(ctx.res, 200, row);
  };

  const setDisabled = (isDisabled: boolean) => async (ctx: RouteContext) => {
    const username = ctx.params.username ?? '';
    const action = isDisabled ? 'user.disable' : 'user.enable';
    const p = authorize(ctx, { roles: ADMIN, action, objectType: 'user', objectId: username });
    const row = await db.transaction(async (tx) => {
      const before = await lockUser(tx, username);
      if (isDisabled) await keepOneAdmin(tx, before);
      await setUserDisabled(tx, clock, before.id, isDisabled);
      const after = await mustFind(tx, username);
      await auditAdminIn(audit, tx, ctx, p, {
        action,
        objectType: 'user',
        objectId: username,
        before,
        after,
      });
      return after;
    });
    sendJson(ctx.res, 200, row);
  };

  const resetPassword = async (ctx: RouteContext) => {
    const username = ctx.params.username ?? '';
    const p = authorize(ctx, {
      roles: ADMIN,
      action: 'user.reset_password',
      objectType: 'user',
      objectId: username,
    });
    const parsed = PasswordResetSchema.safeParse(await readJson(ctx.req));
    if (!parsed.success) throw new HttpError(400, firstIssue(parsed.error));
    await mustFind(db, username);
    checkPassword(parsed.data.password, username);
    const hash = await hashPassword(parsed.data.password);
    await db.transaction(async (tx) => {
      const before = await lockUser(tx, username);
      await setUserPasswordHash(tx, clock, before.id, hash);
      // The audit row says that it changed, never the password or its hash.
      await auditAdminIn(audit, tx, ctx, p, {
        action: 'user.reset_password',
        objectType: 'user',
        objectId: username,
        before: { lockedUntil: before.lockedUntil, failedLogins: before.failedLogins },
        after: { lockedUntil: null, failedLogins: 0, sessionsRevoked: true },
      });
    });
    deps.lockout?.clearAccount(username);
    sendJson(ctx.res, 200, { ok: true });
  };

  const unlock = async (ctx: RouteContext) => {
    const username = ctx.params.username ?? '';
    const p = authorize(ctx, { roles: ADMIN, action: 'user.unlock', objectType: 'user', objectId: username });
    await db.transaction(async (tx) => {
      const before = await lockUser(tx, username);
      await tx.run(sql`UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ${before.id}`);
      await auditAdminIn(audit, tx, ctx, p, {
        action: 'user.unlock',
        objectType: 'user',
        objectId: username,
        before: { lockedUntil: before.lockedUntil, failedLogins: before.failedLogins },
        after: { lockedUntil: null, failedLogins: 0 },
      });
    });
    deps.lockout?.clearAccount(username);
    sendJson(ctx.res, 200, { ok: true });
  };

  return [
    { method: 'GET', path: '/api/users', handler: list },
    { method: 'POST', path: '/api/users', handler: create },
    { method: 'PUT', path: '/api/users/:username', handler: change },
    { method: 'POST', path: '/api/users/:username/disable', handler: setDisabled(true) },
    { method: 'POST', path: '/api/users/:username/enable', handler: setDisabled(false) },
    { method: 'POST', path: '/api/users/:username/password', handler: resetPassword },
    { method: 'POST', path: '/api/users/:username/unlock', handler: unlock },
  ];
}
