import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Clock } from '@/lib/clock';
import type { Logger } from '../logger';
import { HttpError, readJson, sendJson, type Role, type Route, type RouteContext } from '../http/router';
import type { SqlAudit } from '../audit/audit-append';
import type { SqlDb } from '../db/sql-db';
import type { DenialCounter } from '../audit/denial-counter';
import { passwordProblem } from '@/lib/auth/password-policy';
import { setOwnPasswordHash } from './accounts';
import { dummyPasswordHash, hashPassword, verifyPassword } from './password';
import { LOCK_AFTER_FAILURES, LoginLimiter, type LoginLockout } from './login-limiter';
import {
  SESSION_COOKIE,
  parseCookies,
  serializeSessionCookie,
  signSessionId,
  verifySignedSessionId,
} from './session-cookie';
import { SESSION_IDLE_MS, SESSION_MAX_MS, type SessionStore } from './session-store';

export { LOCK_AFTER_FAILURES };
const LOGIN_BODY_MAX_BYTES = 4 * 1024;

const LoginSchema = z.object({
  username: z.string().trim().min(1).max(64),
  password: z.string().min(1).max(256),
});
const PasswordChangeSchema = z.object({
  current: z.string().min(1).max(256),
  next: z.string().min(1).max(1024),
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
  sql: SqlDb;
  sessions: SessionStore;
  audit: SqlAudit;
  clock: Clock;
  logger: Logger;
  secret: string;
  isSecureRequest: (ctx: RouteContext) => boolean;
  limiter?: LoginLimiter;
  lockout: LoginLockout;
  denials: DenialCounter;
  /** Demo mode and DEMO_PASSWORD: the password policy refuses the demo password outside demo mode. */
  passwordPolicy: { isDemo: boolean; demoPassword?: string | null };
  /** What an unknown username's password is checked against (tests pass a cheap one). */
  dummyHash?: () => Promise<string>;
}

const minutesOf = (ms: number) => Math.max(1, Math.ceil(ms / 60_000));

/**
 * POST /api/session (sign in), GET /api/session (who am I), DELETE /api/session (sign out),
 * POST /api/session/activity (the page's "a person is here" ping), POST /api/session/password (own password).
 * Failed sign-ins are counted (audit_denials), not written to the audit chain: anyone can cause them.
 */
export function createSessionRoutes(deps: SessionRouteDeps): Route[] {
  const { sql: db, sessions, audit, clock, logger, secret, lockout, denials } = deps;
  const limiter = deps.limiter ?? new LoginLimiter();
  const dummyHash = deps.dummyHash ?? dummyPasswordHash;
  const findUser = (username: string) =>
    db.get<UserRow>(sql`SELECT * FROM users WHERE username = ${username}`);

  const succeed = (user: UserRow, address: string) =>
    db.transaction(async (tx) => {
      await tx.run(sql`UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ${user.id}`);
      const id = await sessions.create(user.id, address, tx);
      await audit.append(tx, {
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

  const refuseLocked = (ctx: RouteContext, waitMs: number): never => {
    ctx.res.setHeader('retry-after', String(Math.ceil(waitMs / 1000)));
    throw new HttpError(423, `登录失败次数过多，请 ${minutesOf(waitMs)} 分钟后再试`);
  };

  const login = async (ctx: RouteContext) => {
    const now = clock.now();
    const address = ctx.clientAddress;
    const waitMs = limiter.take(address, now);
    if (waitMs > 0) {
      await denials.count('login.rate_limited', address, '');
      logger.warn({ client: address }, 'login rate-limited');
      ctx.res.setHeader('retry-after', String(Math.ceil(waitMs / 1000)));
      throw new HttpError(429, '登录尝试过于频繁，请稍后再试');
    }
    const parsed = LoginSchema.safeParse(await readJson(ctx.req, LOGIN_BODY_MAX_BYTES));
    if (!parsed.success) throw new HttpError(400, '请输入用户名和密码');
    const { username, password } = parsed.data;
    const user = await findUser(username);
    // The name tried is kept only when it is an account: an unknown one may be a password typed in the wrong field.
    const actor = user ? username : '';
    const lockedMs = lockout.lockedFor(username, address, now);
    if (lockedMs > 0) {
      await denials.count('login.locked', address, actor);
      return refuseLocked(ctx, lockedMs);
    }
    // Verify even for an unknown user, so timing does not reveal which usernames exist.
    const isValid = await verifyPassword(password, user?.password_hash ?? (await dummyHash()));
    if (!user || !isValid) {
      const lockMs = lockout.fail(username, address, clock.now());
      // failed_logins and locked_until are what the admin's user list shows; the lock itself is per source.
      if (user)
        await db.transaction(async (tx) => {
          await tx.run(sql`UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ${user.id}`);
          if (lockMs > 0)
            await tx.run(
              sql`UPDATE users SET locked_until = CASE WHEN COALESCE(locked_until, 0) > ${clock.now() + lockMs}
                    THEN locked_until ELSE ${clock.now() + lockMs} END WHERE id = ${user.id}`,
            );
        });
      await denials.count(user ? 'login.bad_password' : 'login.unknown_user', address, actor);
      logger.warn({ username: actor || null, client: address, lockMs }, 'login failed');
      if (lockMs > 0) return refuseLocked(ctx, lockMs);
      throw new HttpError(401, '用户名或密码错误');
    }
    // Checked after the password, so only someone who knows it learns that the account is disabled.
    if (user.disabled_at !== null) {
      await denials.count('login.disabled', address, username);
      logger.warn({ username, client: address }, 'login refused: account disabled');
      throw new HttpError(403, '账号已停用，请联系管理员');
    }
    lockout.succeed(username, address);
    const id = await succeed(user, address);
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

  const sessionIdOf = (ctx: RouteContext): string | null => {
    const raw = parseCookies(ctx.req.headers.cookie).get(SESSION_COOKIE);
    return raw ? verifySignedSessionId(raw, secret) : null;
  };

  /** The refresh itself happened when the principal was resolved (a POST is activity); this only answers. */
  const activity = (ctx: RouteContext) => {
    if (!ctx.principal || ctx.principal.isDisplay) throw new HttpError(401, '请先登录');
    sendJson(ctx.res, 200, { ok: true });
  };

  const changePassword = async (ctx: RouteContext) => {
    const p = ctx.principal;
    const id = sessionIdOf(ctx);
    if (!p || p.isDisplay || !id) throw new HttpError(401, '请先登录');
    const parsed = PasswordChangeSchema.safeParse(await readJson(ctx.req, LOGIN_BODY_MAX_BYTES));
    if (!parsed.success) throw new HttpError(400, '请输入当前密码和新密码');
    const { current, next } = parsed.data;
    const address = ctx.clientAddress;
    // The current password is a secret a stolen session does not know: guessing it is locked like a sign-in.
    const lockedMs = lockout.lockedFor(p.username, address, clock.now());
    if (lockedMs > 0) {
      await denials.count('login.locked', address, p.username);
      return refuseLocked(ctx, lockedMs);
    }
    const user = await findUser(p.username);
    if (!user) throw new HttpError(401, '请先登录');
    if (!(await verifyPassword(current, user.password_hash))) {
      const lockMs = lockout.fail(p.username, address, clock.now());
      await denials.count('password.bad_current', address, p.username);
      if (lockMs > 0) return refuseLocked(ctx, lockMs);
      throw new HttpError(403, '当前密码不正确');
    }
    const problem =
      next === current
        ? '新密码不能与当前密码相同'
        : passwordProblem(next, { username: user.username, ...deps.passwordPolicy });
    if (problem) throw new HttpError(400, problem);
    const hash = await hashPassword(next);
    await db.transaction(async (tx) => {
      await setOwnPasswordHash(tx, user.id, hash);
      await sessions.revokeOtherSessions(user.id, id, tx);
      // That it changed and what followed, never the password or its hash.
      await audit.append(tx, {
        actor: user.username,
        role: user.role,
        clientAddress: address,
        action: 'session.password_change',
        objectType: 'user',
        objectId: user.username,
        result: 'ok',
        after: { otherSessionsRevoked: true },
      });
    });
    lockout.succeed(p.username, address);
    logger.info({ username: user.username, client: address }, 'password changed');
    sendJson(ctx.res, 200, { ok: true });
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

  const logout = async (ctx: RouteContext) => {
    const id = sessionIdOf(ctx);
    const p = ctx.principal;
    if (id)
      await db.transaction(async (tx) => {
        await sessions.revoke(id, tx);
        if (p)
          await audit.append(tx, {
            actor: p.username,
            role: p.role,
            clientAddress: ctx.clientAddress,
            action: 'session.logout',
            objectType: 'user',
            objectId: p.username,
            result: 'ok',
          });
      });
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
    { method: 'POST', path: '/api/session/activity', handler: activity },
    { method: 'POST', path: '/api/session/password', handler: changePassword },
  ];
}
