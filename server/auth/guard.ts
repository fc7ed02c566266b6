import type { Logger } from '../logger';
import { HttpError, type Principal, type Role, type RouteContext } from '../http/router';
import type { SqlAudit } from '../audit/audit-append';
import type { DenialCounter } from '../audit/denial-counter';

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
 * shows. Every denial is logged. A signed-in person's denied write is also an audit row: it names who tried
 * to change what. Everything else (denied reads, anonymous or display-token writes) is counted per minute
 * in audit_denials, so neither a flood nor a page polling past its rights grows the audit chain.
 */
export function createGuard(deps: {
  audit: SqlAudit;
  denials: DenialCounter;
  logger: Logger;
  checkOrigin: (origin: string | undefined, host: string | undefined) => boolean;
}) {
  function deny(ctx: RouteContext, opts: AuthorizeOptions, status: number, reason: string): never {
    const p = ctx.principal;
    const isWrite = !SAFE_METHODS.has(ctx.req.method ?? 'GET');
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
    // The refusal is answered at once; its count or audit row follows in its own transaction (a failure to
    // store it is logged, and the refusal stands either way).
    if (!p || p.isDisplay || !isWrite) {
      void deps.denials.count(isWrite ? 'write.denied' : 'read.denied', ctx.clientAddress, p?.username ?? '');
    } else {
      deps.audit
        .appendAlone({
          actor: p.username,
          role: p.role,
          clientAddress: ctx.clientAddress,
          action: opts.action,
          objectType: opts.objectType,
          objectId: opts.objectId ?? null,
          result: 'denied',
          reason,
        })
        .catch((err: unknown) =>
          deps.logger.error({ err: (err as Error).message, action: opts.action }, 'denied write not audited'),
        );
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
/** The center's desk roles. Field roles (worker, department) are let in only where a route names them. */
export const ANY_ROLE: readonly Role[] = ['admin', 'leader', 'dispatcher', 'duty'];
