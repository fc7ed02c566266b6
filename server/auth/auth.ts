import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Clock } from '@/lib/clock';
import type { Logger } from '../logger';
import type { Principal, Route, RouteContext } from '../http/router';
import { SqlAudit } from '../audit/audit-append';
import type { SqlDb } from '../db/sql-db';
import { sql } from 'drizzle-orm';
import { DenialCounter, createDenialRoutes } from '../audit/denial-counter';
import { isOriginAllowed } from '../http/origin';
import { createAdminRoutes } from '../admin/admin-routes';
import { createGuard } from './guard';
import { LoginLockout, type LoginLimiter } from './login-limiter';
import { SESSION_COOKIE, parseCookies, sha256Hex, verifySignedSessionId } from './session-cookie';
import { createSessionRoutes } from './session-routes';
import { SessionStore } from './session-store';

export interface AuthDeps {
  /** The same database through SqlDb (sessions, display tokens, denial counts, sign-in). */
  sql: SqlDb;
  /** SESSION_SECRET (config.sessionSecret). */
  secret: string;
  clock: Clock;
  logger: Logger;
  /** Origins allowed besides the server's own host (config.ALLOWED_ORIGINS, comma-separated). */
  allowedOrigins?: string[];
  /** Shared with the dispatch routes; created here when absent. */
  sqlAudit?: SqlAudit;
  limiter?: LoginLimiter;
  sessionIdleMs?: number;
  /** Demo mode and DEMO_PASSWORD, for the password policy (the demo password is refused outside demo). */
  passwordPolicy?: { isDemo: boolean; demoPassword?: string | null };
  /** What an unknown username's password is checked against (tests that sign in a thousand times pass a cheap one). */
  dummyHash?: () => Promise<string>;
}

export interface DisplayTokenInfo {
  name: string;
  regionCode: string | null;
}

/** A screen's `last_used_at` is written at most this often: a wall polls, and reads must not become writes. */
export const TOKEN_TOUCH_EVERY_MS = 60_000;

/** Socket.IO's handshake, as much of it as auth reads. */
export interface SocketHandshake {
  headers: IncomingHttpHeaders;
  query: unknown;
  /** The client's `auth` payload: `{ token }` for a display screen. */
  auth?: unknown;
  address: string;
}

const DISPLAY_TOKEN_HEADER = 'x-display-token';
/** Reads only look: a session's idle clock is reset by what a person does, which is never a GET. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const MAX_TOKEN_CHARS = 128;

/**
 * Accounts, sessions and wall display tokens. The app resolves every request's principal with
 * `resolvePrincipal`, Socket.IO handshakes with `authorizeSocket`, and checks their Origin with
 * `checkOrigin`; routes call `authorize` for role checks.
 */
export function createAuth(deps: AuthDeps) {
  const sqlAudit = deps.sqlAudit ?? new SqlAudit(deps.sql, deps.clock);
  const sessions = new SessionStore(deps.sql, deps.clock, deps.sessionIdleMs);
  const denials = new DenialCounter(deps.sql, deps.clock, deps.logger);
  const lockout = new LoginLockout();
  const passwordPolicy = deps.passwordPolicy ?? { isDemo: false };
  const allowed = (deps.allowedOrigins ?? []).map((o) => o.trim().replace(/\/$/, '')).filter(Boolean);

  /**
   * Same-origin (scheme-agnostic host match, so TLS termination in front does not matter) or listed.
   * A missing Origin is allowed: browsers omit it on same-origin GETs, and non-browser clients carry no
   * ambient cookies to abuse; the session, not the Origin, is what authenticates.
   */
  function checkOrigin(origin: string | undefined, host: string | undefined): boolean {
    return isOriginAllowed(origin?.replace(/\/$/, ''), host, allowed);
  }

  async function lookupDisplayToken(token: string | undefined | null): Promise<DisplayTokenInfo | null> {
    if (!token || token.length > MAX_TOKEN_CHARS) return null;
    const row = await deps.sql.get<{
      id: number;
      name: string;
      region_code: string | null;
      last_used_at: number | null;
    }>(
      sql`SELECT id, name, region_code, last_used_at FROM display_tokens WHERE token_hash = ${sha256Hex(token)} AND revoked_at IS NULL`,
    );
    if (!row) return null;
    const now = deps.clock.now();
    if (row.last_used_at === null || now - row.last_used_at >= TOKEN_TOUCH_EVERY_MS)
      await deps.sql.run(sql`UPDATE display_tokens SET last_used_at = ${now} WHERE id = ${row.id}`);
    return { name: row.name, regionCode: row.region_code };
  }

  async function fromCredentials(
    cookieHeader: string | undefined,
    token: string | undefined | null,
    isActivity: boolean,
  ): Promise<Principal | null> {
    const raw = parseCookies(cookieHeader).get(SESSION_COOKIE);
    const id = raw ? verifySignedSessionId(raw, deps.secret) : null;
    if (id) {
      const user = await sessions.lookup(id, isActivity);
      if (user)
        return { username: user.username, role: user.role, isDisplay: false, regionCode: user.regionCode };
    }
    const display = await lookupDisplayToken(token);
    return display
      ? { username: `display:${display.name}`, role: 'duty', isDisplay: true, regionCode: display.regionCode }
      : null;
  }

  function stringField(obj: unknown, key: string): string | null {
    const v = obj && typeof obj === 'object' ? (obj as Record<string, unknown>)[key] : undefined;
    return typeof v === 'string' ? v : null;
  }

  function headerValue(v: string | string[] | undefined): string | undefined {
    return Array.isArray(v) ? v[0] : v;
  }

  function tokenFrom(req: IncomingMessage): string | null {
    const header = headerValue(req.headers[DISPLAY_TOKEN_HEADER]);
    if (header) return header;
    try {
      return new URL(req.url ?? '/', 'http://localhost').searchParams.get('token');
    } catch {
      return null;
    }
  }

  function resolvePrincipal(req: IncomingMessage): Promise<Principal | null> {
    return fromCredentials(req.headers.cookie, tokenFrom(req), !SAFE_METHODS.has(req.method ?? 'GET'));
  }

  /**
   * Null refuses the connection (the caller answers `next(new Error('unauthorized'))`). `isRecheck`: the
   * app's periodic re-check of a connected socket, whose ending session is not a refusal to count.
   * Neither refreshes the session: a socket is no sign that anyone is at the screen.
   */
  async function authorizeSocket(handshake: SocketHandshake, isRecheck = false): Promise<Principal | null> {
    if (!checkOrigin(headerValue(handshake.headers.origin), headerValue(handshake.headers.host))) {
      deps.logger.warn(
        { client: handshake.address, origin: handshake.headers.origin },
        'socket refused: origin',
      );
      if (!isRecheck) await denials.count('socket.denied', handshake.address, '');
      return null;
    }
    const token =
      headerValue(handshake.headers[DISPLAY_TOKEN_HEADER]) ??
      stringField(handshake.auth, 'token') ??
      stringField(handshake.query, 'token');
    const p = await fromCredentials(handshake.headers.cookie, token, false);
    if (!p && !isRecheck) {
      deps.logger.warn({ client: handshake.address }, 'socket refused: not signed in');
      await denials.count('socket.denied', handshake.address, '');
    }
    return p;
  }

  const isSecureRequest = (ctx: RouteContext) =>
    Boolean((ctx.req.socket as { encrypted?: boolean }).encrypted) ||
    headerValue(ctx.req.headers['x-forwarded-proto']) === 'https';

  const authorize = createGuard({ audit: sqlAudit, denials, logger: deps.logger, checkOrigin });
  const routes: Route[] = [
    ...createSessionRoutes({
      sql: deps.sql,
      sessions,
      audit: sqlAudit,
      clock: deps.clock,
      logger: deps.logger,
      secret: deps.secret,
      isSecureRequest,
      limiter: deps.limiter,
      lockout,
      denials,
      passwordPolicy,
      dummyHash: deps.dummyHash,
    }),
    ...createAdminRoutes({
      sql: deps.sql,
      clock: deps.clock,
      sqlAudit,
      authorize,
      logger: deps.logger,
      lockout,
      passwordPolicy,
    }),
    ...createDenialRoutes({ denials, authorize, clock: deps.clock }),
  ];

  return {
    resolvePrincipal,
    authorizeSocket,
    checkOrigin,
    lookupDisplayToken,
    authorize,
    sqlAudit,
    denials,
    sessions,
    routes,
  };
}

export type Auth = ReturnType<typeof createAuth>;
