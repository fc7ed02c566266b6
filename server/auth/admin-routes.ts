import type Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '@/lib/clock';
import { HttpError, readJson, sendJson, type Route, type RouteContext } from '../http/router';
import type { AuditLog } from '../audit/audit-log';
import type { Authorize } from './guard';
import { ROLES, insertUser } from './accounts';
import { hashPassword } from './password';
import { sha256Hex } from './session-cookie';
import type { SessionStore } from './session-store';

const ADMIN = ['admin'] as const;
const MIN_PASSWORD_CHARS = 8;
const DISPLAY_TOKEN_BYTES = 24;

const NewUserSchema = z.object({
  username: z
    .string()
    .trim()
    .regex(/^[a-zA-Z0-9_.-]{2,32}$/, '用户名为 2–32 位字母、数字或 _.-'),
  role: z.enum(ROLES as ['admin', 'leader', 'dispatcher', 'duty']),
  password: z.string().min(MIN_PASSWORD_CHARS).max(256),
  displayName: z.string().trim().max(64).optional(),
});
const NewTokenSchema = z.object({
  name: z.string().trim().min(1).max(64),
  regionCode: z
    .string()
    .regex(/^(\d{12}|\d{15})$/)
    .nullable()
    .optional(),
});

/** Accounts and wall display tokens: admin only, every change audited in its own transaction. */
export function createAdminRoutes(deps: {
  sqlite: Database.Database;
  clock: Clock;
  audit: AuditLog;
  authorize: Authorize;
  sessions: SessionStore;
}): Route[] {
  const { sqlite, clock, audit, authorize } = deps;

  const listUsers = (ctx: RouteContext) => {
    authorize(ctx, { roles: ADMIN, action: 'user.list', objectType: 'user' });
    const rows = sqlite
      .prepare(
        'SELECT id, username, display_name AS displayName, role, failed_logins AS failedLogins, locked_until AS lockedUntil, created_at AS createdAt FROM users ORDER BY id',
      )
      .all();
    sendJson(ctx.res, 200, { users: rows });
  };

  const addUser = async (ctx: RouteContext) => {
    const p = authorize(ctx, { roles: ADMIN, action: 'user.create', objectType: 'user' });
    const parsed = NewUserSchema.safeParse(await readJson(ctx.req));
    if (!parsed.success) throw new HttpError(400, parsed.error.issues[0]?.message ?? 'invalid');
    const u = parsed.data;
    // Hashing is async, so it comes first; the insert and its audit row then commit together.
    const hash = await hashPassword(u.password);
    const id = sqlite
      .transaction(() => {
        if (sqlite.prepare('SELECT 1 FROM users WHERE username = ?').get(u.username))
          throw new HttpError(409, '用户名已存在');
        const newId = insertUser(sqlite, clock, u, hash);
        audit.append({
          actor: p.username,
          role: p.role,
          clientAddress: ctx.clientAddress,
          action: 'user.create',
          objectType: 'user',
          objectId: u.username,
          after: { username: u.username, role: u.role, displayName: u.displayName ?? null },
          result: 'ok',
        });
        return newId;
      })
      .immediate();
    sendJson(ctx.res, 201, { id, username: u.username, role: u.role });
  };

  const unlockUser = (ctx: RouteContext) => {
    const username = ctx.params.username ?? '';
    const p = authorize(ctx, { roles: ADMIN, action: 'user.unlock', objectType: 'user', objectId: username });
    sqlite
      .transaction(() => {
        const r = sqlite
          .prepare('UPDATE users SET failed_logins = 0, locked_until = NULL WHERE username = ?')
          .run(username);
        if (r.changes === 0) throw new HttpError(404, '无此用户');
        audit.append({
          actor: p.username,
          role: p.role,
          clientAddress: ctx.clientAddress,
          action: 'user.unlock',
          objectType: 'user',
          objectId: username,
          result: 'ok',
        });
      })
      .immediate();
    sendJson(ctx.res, 200, { ok: true });
  };

  const listTokens = (ctx: RouteContext) => {
    authorize(ctx, { roles: ADMIN, action: 'display_token.list', objectType: 'display_token' });
    const rows = sqlite
      .prepare(
        'SELECT id, name, region_code AS regionCode, created_by AS createdBy, created_at AS createdAt, revoked_at AS revokedAt FROM display_tokens ORDER BY id',
      )
      .all();
    sendJson(ctx.res, 200, { tokens: rows });
  };

  const addToken = async (ctx: RouteContext) => {
    const p = authorize(ctx, { roles: ADMIN, action: 'display_token.create', objectType: 'display_token' });
    const parsed = NewTokenSchema.safeParse(await readJson(ctx.req));
    if (!parsed.success) throw new HttpError(400, '请填写名称（区域代码为 12 或 15 位）');
    const token = `pdt_${randomBytes(DISPLAY_TOKEN_BYTES).toString('base64url')}`;
    const id = sqlite
      .transaction(() => {
        const r = sqlite
          .prepare(
            'INSERT INTO display_tokens (token_hash, name, region_code, created_by, created_at) VALUES (?, ?, ?, ?, ?)',
          )
          .run(sha256Hex(token), parsed.data.name, parsed.data.regionCode ?? null, p.username, clock.now());
        const newId = Number(r.lastInsertRowid);
        audit.append({
          actor: p.username,
          role: p.role,
          clientAddress: ctx.clientAddress,
          action: 'display_token.create',
          objectType: 'display_token',
          objectId: String(newId),
          after: { name: parsed.data.name, regionCode: parsed.data.regionCode ?? null },
          result: 'ok',
        });
        return newId;
      })
      .immediate();
    // The token is shown once; only its hash is kept.
    sendJson(ctx.res, 201, { id, token, url: `/wall?token=${token}` });
  };

  const revokeToken = (ctx: RouteContext) => {
    const id = Number(ctx.params.id);
    const p = authorize(ctx, {
      roles: ADMIN,
      action: 'display_token.revoke',
      objectType: 'display_token',
      objectId: String(id),
    });
    sqlite
      .transaction(() => {
        const r = sqlite
          .prepare('UPDATE display_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL')
          .run(clock.now(), id);
        if (r.changes === 0) throw new HttpError(404, '无此令牌或已吊销');
        audit.append({
          actor: p.username,
          role: p.role,
          clientAddress: ctx.clientAddress,
          action: 'display_token.revoke',
          objectType: 'display_token',
          objectId: String(id),
          result: 'ok',
        });
      })
      .immediate();
    sendJson(ctx.res, 200, { ok: true });
  };

  return [
    { method: 'GET', path: '/api/users', handler: listUsers },
    { method: 'POST', path: '/api/users', handler: addUser },
    { method: 'POST', path: '/api/users/:username/unlock', handler: unlockUser },
    { method: 'GET', path: '/api/display-tokens', handler: listTokens },
    { method: 'POST', path: '/api/display-tokens', handler: addToken },
    { method: 'DELETE', path: '/api/display-tokens/:id', handler: revokeToken },
  ];
}
