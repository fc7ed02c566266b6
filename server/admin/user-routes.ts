import { NewUserSchema, PasswordResetSchema, UserChangeSchema, type UserRow } from '@/lib/admin/schemas';
import { HttpError, readJson, sendJson, type Route, type RouteContext } from '../http/router';
import { insertUser, revokeUserSessions, setUserDisabled, setUserPasswordHash } from '../auth/accounts';
import { hashPassword } from '../auth/password';
import { passwordProblem } from '@/lib/auth/password-policy';
import { auditAdmin, firstIssue } from './admin-audit';
import { ADMIN, type AdminDeps } from './admin-deps';

const USER_COLUMNS = `id, username, display_name AS displayName, role, region_code AS regionCode, worker_id AS workerId, department_id AS departmentId,
  disabled_at AS disabledAt, failed_logins AS failedLogins, locked_until AS lockedUntil, created_at AS createdAt`;

/**
 * Accounts (admin only): list, create, change role / name / region scope, disable and enable, reset the
 * password, unlock. Each change and its audit row (with the row before and after) commit together.
 * Disabling or resetting a password revokes the account's sessions at once; the last enabled admin can be
 * neither disabled nor demoted, so a deployment can never lock itself out of its own console.
 */
export function createUserRoutes(deps: AdminDeps): Route[] {
  const { sqlite, clock, audit, authorize } = deps;
  const policy = deps.passwordPolicy ?? { isDemo: false };
  /** The one password policy (lib/auth/password-policy.ts), on every password an admin sets. */
  const checkPassword = (password: string, username: string) => {
    const problem = passwordProblem(password, { username, ...policy });
    if (problem) throw new HttpError(400, problem);
  };
  const selectUser = sqlite.prepare<[string], UserRow>(
    `SELECT ${USER_COLUMNS} FROM users WHERE username = ?`,
  );
  const countEnabledAdmins = sqlite.prepare<[], { n: number }>(
    "SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND disabled_at IS NULL",
  );

  const mustFind = (username: string): UserRow => {
    const row = selectUser.get(username);
    if (!row) throw new HttpError(404, '无此用户');
    return row;
  };
  const keepOneAdmin = (before: UserRow) => {
    if (before.role === 'admin' && before.disabledAt === null && countEnabledAdmins.get()!.n <= 1)
      throw new HttpError(409, '至少保留一个可用的系统管理员');
  };

  const list = (ctx: RouteContext) => {
    authorize(ctx, { roles: ADMIN, action: 'user.list', objectType: 'user' });
    const rows = sqlite.prepare(`SELECT ${USER_COLUMNS} FROM users ORDER BY id`).all();
    sendJson(ctx.res, 200, { users: rows });
  };

  const create = async (ctx: RouteContext) => {
    const p = authorize(ctx, { roles: ADMIN, action: 'user.create', objectType: 'user' });
    const parsed = NewUserSchema.safeParse(await readJson(ctx.req));
    if (!parsed.success) throw new HttpError(400, firstIssue(parsed.error));
    const u = parsed.data;
    checkPassword(u.password, u.username);
    // Hashing is async, so it comes first; the insert and its audit row then commit together.
    const hash = await hashPassword(u.password);
    const row = sqlite
      .transaction(() => {
        if (selectUser.get(u.username)) throw new HttpError(409, '用户名已存在');
        if (u.workerId !== null && !sqlite.prepare('SELECT 1 FROM workers WHERE id = ?').get(u.workerId))
          throw new HttpError(400, '无此网格员编号', { field: 'workerId' });
        if (
          u.departmentId !== null &&
          !sqlite.prepare('SELECT 1 FROM departments WHERE id = ?').get(u.departmentId)
        )
          throw new HttpError(400, '无此部门编号', { field: 'departmentId' });
        insertUser(sqlite, clock, { ...u, displayName: u.displayName || null }, hash);
        const after = selectUser.get(u.username)!;
        auditAdmin(audit, ctx, p, { action: 'user.create', objectType: 'user', objectId: u.username, after });
        return after;
      })
      .immediate();
    sendJson(ctx.res, 201, row);
  };

  const change = async (ctx: RouteContext) => {
    const username = ctx.params.username ?? '';
    const p = authorize(ctx, { roles: ADMIN, action: 'user.update', objectType: 'user', objectId: username });
    const parsed = UserChangeSchema.safeParse(await readJson(ctx.req));
    if (!parsed.success) throw new HttpError(400, firstIssue(parsed.error));
    const c = parsed.data;
    const row = sqlite
      .transaction(() => {
        const before = mustFind(username);
        if (c.role !== undefined && c.role !== 'admin') keepOneAdmin(before);
        sqlite
          .prepare(
            `UPDATE users SET role = COALESCE(@role, role),
               display_name = CASE WHEN @hasName THEN @displayName ELSE display_name END,
               region_code = CASE WHEN @hasRegion THEN @regionCode ELSE region_code END
             WHERE username = @username`,
          )
          .run({
            username,
            role: c.role ?? null,
            hasName: c.displayName === undefined ? 0 : 1,
            displayName: c.displayName || null,
            hasRegion: 'regionCode' in c ? 1 : 0,
            regionCode: c.regionCode ?? null,
          });
        const after = mustFind(username);
        // A new role or scope must not ride on sessions opened under the old one.
        if (after.role !== before.role || after.regionCode !== before.regionCode)
          revokeUserSessions(sqlite, clock, before.id);
        auditAdmin(audit, ctx, p, {
          action: 'user.update',
          objectType: 'user',
          objectId: username,
          before,
          after,
        });
        return after;
      })
      .immediate();
    sendJson(ctx.res, 200, row);
  };

  const setDisabled = (isDisabled: boolean) => (ctx: RouteContext) => {
    const username = ctx.params.username ?? '';
    const action = isDisabled ? 'user.disable' : 'user.enable';
    const p = authorize(ctx, { roles: ADMIN, action, objectType: 'user', objectId: username });
    const row = sqlite
      .transaction(() => {
        const before = mustFind(username);
        if (isDisabled) keepOneAdmin(before);
        setUserDisabled(sqlite, clock, before.id, isDisabled);
        const after = mustFind(username);
        auditAdmin(audit, ctx, p, { action, objectType: 'user', objectId: username, before, after });
        return after;
      })
      .immediate();
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
    mustFind(username);
    checkPassword(parsed.data.password, username);
    const hash = await hashPassword(parsed.data.password);
    sqlite
      .transaction(() => {
        const before = mustFind(username);
        setUserPasswordHash(sqlite, clock, before.id, hash);
        deps.lockout?.clearAccount(username);
        // The audit row says that it changed, never the password or its hash.
        auditAdmin(audit, ctx, p, {
          action: 'user.reset_password',
          objectType: 'user',
          objectId: username,
          before: { lockedUntil: before.lockedUntil, failedLogins: before.failedLogins },
          after: { lockedUntil: null, failedLogins: 0, sessionsRevoked: true },
        });
      })
      .immediate();
    sendJson(ctx.res, 200, { ok: true });
  };

  const unlock = (ctx: RouteContext) => {
    const username = ctx.params.username ?? '';
    const p = authorize(ctx, { roles: ADMIN, action: 'user.unlock', objectType: 'user', objectId: username });
    sqlite
      .transaction(() => {
        const before = mustFind(username);
        sqlite.prepare('UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?').run(before.id);
        deps.lockout?.clearAccount(username);
        auditAdmin(audit, ctx, p, {
          action: 'user.unlock',
          objectType: 'user',
          objectId: username,
          before: { lockedUntil: before.lockedUntil, failedLogins: before.failedLogins },
          after: { lockedUntil: null, failedLogins: 0 },
        });
      })
      .immediate();
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
