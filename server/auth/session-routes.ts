import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { Clock } from '@/lib/clock';
import type { Logger } from '../logger';
import { HttpError, readJson, sendJson, type Role, type Route, type RouteContext } from '../http/router';
import type { AuditLog } from '../audit/audit-log';
import { dummyPasswordHash, verifyPassword } from './password';
import { LoginLimiter } from './login-limiter';
import {
  SESSION_COOKIE,
  parseCookies,
  serializeSessionCookie,
  signSessionId,
  verifySignedSessionId,
} from './session-cookie';
import { SESSION_IDLE_MS, SESSION_MAX_MS, type SessionStore } from './session-store';

/** Consecutive failures that lock an account, and for how long. */
export const LOCK_AFTER_FAILURES = 5;
export const LOCK_MS = 15 * 60_000;
const LOGIN_BODY_MAX_BYTES = 4 * 1024;

const LoginSchema = z.object({
  username: z.string().trim().min(1).max(64),
  password: z.string().min(1).max(256),
});

interface UserRow {
  id: number;
  username: string;
  role: Role;
  display_name: string | null;
  password_hash: string;
  failed_logins: number;
  locked_until: number | null;
  disabled_at: number | null;
  region_code: string | null;
}

export interface SessionRouteDeps {
  sqlite: Database.Database;
  sessions: SessionStore;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
  secret: string;
  isSecureRequest: (ctx: RouteContext) => boolean;
  limiter?: LoginLimiter;
}

/** POST /api/session (sign in), GET /api/session (who am I), DELETE /api/session (sign out). */
export function createSessionRoutes(deps: SessionRouteDeps): Route[] {
  const { sqlite, sessions, audit, clock, logger, secret } = deps;
  const limiter = deps.limiter ?? new LoginLimiter();
  const findUser = sqlite.prepare<[string], UserRow>('SELECT * FROM users WHERE username = ?');
  const recordFailure = sqlite.prepare(
    'UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ? RETURNING failed_logins',
  );
  const lock = sqlite.prepare('UPDATE users SET locked_until = ?, failed_logins = 0 WHERE id = ?');
  const recordSuccess = sqlite.prepare(
    'UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?',
  );

  const failTx = sqlite.transaction(
    (user: UserRow | undefined, username: string, address: string, reason: string) => {
      let locked = false;
      // An attempt on an already-locked or disabled account is recorded but does not extend a lock.
      if (user && reason !== 'locked' && reason !== 'disabled') {
        const { failed_logins } = recordFailure.get(user.id) as { failed_logins: number };
        if (failed_logins >= LOCK_AFTER_FAILURES) {
          lock.run(clock.now() + LOCK_MS, user.id);
          locked = true;
        }
      }
      audit.append({
        actor: username,
        role: user?.role ?? 'none',
        clientAddress: address,
        action: 'session.login',
        objectType: 'user',
        objectId: username,
        result: 'denied',
        reason: locked ? `${reason}; account locked` : reason,
      });
      return locked;
    },
  );

  const successTx = sqlite.transaction((user: UserRow, address: string) => {
    recordSuccess.run(user.id);
    const id = sessions.create(user.id, address);
    audit.append({
      actor: user.username,
      role: user.role,
      clientAddress: address,
      action: 'session.login',
      objectType: 'user',
      objectId: user.username,
      result: 'ok',
    });
    return id;
  });

  const login = async (ctx: RouteContext) => {
    const now = clock.now();
    const waitMs = limiter.take(ctx.clientAddress, now);
    if (waitMs > 0) {
      logger.warn({ client: ctx.clientAddress }, 'login rate-limited');
      ctx.res.setHeader('retry-after', String(Math.ceil(waitMs / 1000)));
      throw new HttpError(429, '登录尝试过于频繁，请稍后再试');
    }
    const parsed = LoginSchema.safeParse(await readJson(ctx.req, LOGIN_BODY_MAX_BYTES));
    if (!parsed.success) throw new HttpError(400, '请输入用户名和密码');
    const { username, password } = parsed.data;
    const user = findUser.get(username);
    if (user?.locked_until && user.locked_until > now) {
      failTx.immediate(user, username, ctx.clientAddress, 'locked');
      const minutes = Math.ceil((user.locked_until - now) / 60_000);
      throw new HttpError(423, `账号已锁定，请 ${minutes} 分钟后再试`);
    }
    // Verify even for an unknown user, so timing does not reveal which usernames exist.
    const isValid = await verifyPassword(password, user?.password_hash ?? (await dummyPasswordHash()));
    if (!user || !isValid) {
      const locked = failTx.immediate(
        user,
        username,
        ctx.clientAddress,
        user ? 'bad_password' : 'unknown_user',
      );
      logger.warn({ username, client: ctx.clientAddress, locked }, 'login failed');
      if (locked)
        throw new HttpError(423, `连续失败 ${LOCK_AFTER_FAILURES} 次，账号已锁定 ${LOCK_MS / 60_000} 分钟`);
      throw new HttpError(401, '用户名或密码错误');
    }
    // Checked after the password, so only someone who knows it learns that the account is disabled.
    if (user.disabled_at !== null) {
      failTx.immediate(user, username, ctx.clientAddress, 'disabled');
      logger.warn({ username, client: ctx.clientAddress }, 'login refused: account disabled');
      throw new HttpError(403, '账号已停用，请联系管理员');
    }
    const id = successTx.immediate(user, ctx.clientAddress);
    ctx.res.setHeader(
      'set-cookie',
      serializeSessionCookie(signSessionId(id, secret), {
        isSecure: deps.isSecureRequest(ctx),
        maxAgeS: SESSION_MAX_MS / 1000,
      }),
    );
    sendJson(ctx.res, 200, {
      username: user.username,
      role: user.role,
      displayName: user.display_name,
      regionCode: user.region_code ?? null,
      idleTimeoutMs: SESSION_IDLE_MS,
    });
  };

  const whoami = (ctx: RouteContext) => {
    const p = ctx.principal;
    if (!p) throw new HttpError(401, '请先登录');
    sendJson(ctx.res, 200, {
      username: p.username,
      role: p.role,
      isDisplay: p.isDisplay,
      regionCode: p.regionCode ?? null,
      idleTimeoutMs: SESSION_IDLE_MS,
    });
  };

  const logout = (ctx: RouteContext) => {
    const raw = parseCookies(ctx.req.headers.cookie).get(SESSION_COOKIE);
    const id = raw ? verifySignedSessionId(raw, secret) : null;
    if (id) {
      sqlite
        .transaction(() => {
          sessions.revoke(id);
          if (ctx.principal)
            audit.append({
              actor: ctx.principal.username,
              role: ctx.principal.role,
              clientAddress: ctx.clientAddress,
              action: 'session.logout',
              objectType: 'user',
              objectId: ctx.principal.username,
              result: 'ok',
            });
        })
        .immediate();
    }
    ctx.res.setHeader(
      'set-cookie',
      serializeSessionCookie('', { isSecure: deps.isSecureRequest(ctx), maxAgeS: 0 }),
    );
    sendJson(ctx.res, 200, { ok: true });
  };

  return [
    { method: 'POST', path: '/api/session', handler: login },
    { method: 'GET', path: '/api/session', handler: whoami },
    { method: 'DELETE', path: '/api/session', handler: logout },
  ];
}
