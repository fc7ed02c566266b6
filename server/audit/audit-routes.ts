import { sendJson, type Route, type RouteContext } from '../http/router';
import type { Authorize } from '../auth/guard';
import type { AuditLog, AuditResult } from './audit-log';
import { readAnchor } from './audit-anchor';

const RESULTS = new Set(['ok', 'denied', 'error']);

function num(v: string | null): number | undefined {
  if (v === null || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** GET /api/audit/verify (DESIGN §4) and GET /api/audit (the admin page's filtered listing): admin only. */
/** `anchorPath`: where the chain's head is anchored outside the database (null: not anchored). */
export function createAuditRoutes(deps: {
  audit: AuditLog;
  authorize: Authorize;
  anchorPath: string | null;
}): Route[] {
  const { audit, authorize, anchorPath } = deps;

  const verify = (ctx: RouteContext) => {
    authorize(ctx, { roles: ['admin'], action: 'audit.verify', objectType: 'audit_log' });
    sendJson(ctx.res, 200, audit.verify(anchorPath ? readAnchor(anchorPath) : undefined));
  };

  const list = (ctx: RouteContext) => {
    authorize(ctx, { roles: ['admin'], action: 'audit.list', objectType: 'audit_log' });
    const q = ctx.url.searchParams;
    const result = q.get('result');
    const rows = audit.list({
      actor: q.get('actor') ?? undefined,
      action: q.get('action') ?? undefined,
      objectType: q.get('objectType') ?? undefined,
      objectId: q.get('objectId') ?? undefined,
      result: result && RESULTS.has(result) ? (result as AuditResult) : undefined,
      fromMs: num(q.get('from')),
      toMs: num(q.get('to')),
      beforeId: num(q.get('before')),
      limit: num(q.get('limit')),
    });
    sendJson(ctx.res, 200, { rows });
  };

  return [
    { method: 'GET', path: '/api/audit/verify', handler: verify },
    { method: 'GET', path: '/api/audit', handler: list },
  ];
}
