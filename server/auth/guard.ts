import type { Logger } from '../logger';
import { HttpError, type Principal, type Role, type RouteContext } from '../http/router';
import type { AuditLog } from '../audit/audit-log';

export interface AuthorizeOptions {
  /** Roles allowed; display tokens are refused on anything but reads. */
  roles: readonly Role[];
  /** Audit action name of what was attempted, e.g. `incident.assign`. */
  action: string;
  objectType: string;
  objectId?: string | null;
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/**
 * Server-side authorisation for every route: who may do what is decided here, never by what the browser
 * shows. A denial is logged; a signed-in user's denial is also written to the audit log (anonymous ones
 * only to the log, so an unauthenticated flood cannot grow the audit table).
 */
export function createGuard(deps: {
  audit: AuditLog;
  logger: Logger;
  checkOrigin: (origin: string | undefined, host: string | undefined) => boolean;
}) {
  function deny(ctx: RouteContext, opts: AuthorizeOptions, status: number, reason: string): never {
    const p = ctx.principal;
    deps.logger.warn(
      {
        action: opts.action,
        objectId: opts.objectId,
        user: p?.username ?? null,
        role: p?.role ?? null,
        client: ctx.clientAddress,
        reason,
      },
      'request denied',
    );
    if (p) {
      deps.audit.append({
        actor: p.username,
        role: p.role,
        clientAddress: ctx.clientAddress,
        action: opts.action,
        objectType: opts.objectType,
        objectId: opts.objectId ?? null,
        result: 'denied',
        reason,
      });
    }
    throw new HttpError(status, status === 401 ? '请先登录' : '无权执行此操作', { reason });
  }

  return function authorize(ctx: RouteContext, opts: AuthorizeOptions): Principal {
    const p = ctx.principal;
    if (!p) return deny(ctx, opts, 401, 'not_signed_in');
    const isWrite = !SAFE_METHODS.has(ctx.req.method ?? 'GET');
    // A browser always sends Origin on cross-site writes; a mismatch is a forged request (CSRF).
    if (isWrite && !deps.checkOrigin(ctx.req.headers.origin, ctx.req.headers.host))
      return deny(ctx, opts, 403, 'bad_origin');
    if (isWrite && p.isDisplay) return deny(ctx, opts, 403, 'display_token_read_only');
    if (!opts.roles.includes(p.role)) return deny(ctx, opts, 403, `role_${p.role}`);
    return p;
  };
}

export type Authorize = ReturnType<typeof createGuard>;

/** Signed-in roles that may read dispatch data (display tokens are `duty` and read-only). */
export const ANY_ROLE: readonly Role[] = ['admin', 'leader', 'dispatcher', 'duty'];
