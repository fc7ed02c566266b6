import type { AuditLog } from '../audit/audit-log';
import type { Principal, RouteContext } from '../http/router';

/** One admin change as the audit log records it: who, from where, what, and the row before and after. */
export function auditAdmin(
  audit: AuditLog,
  ctx: RouteContext,
  actor: Principal,
  change: { action: string; objectType: string; objectId: string; before?: unknown; after?: unknown },
): void {
  audit.append({
    actor: actor.username,
    role: actor.role,
    clientAddress: ctx.clientAddress,
    action: change.action,
    objectType: change.objectType,
    objectId: change.objectId,
    before: change.before,
    after: change.after,
    result: 'ok',
  });
}

/** The first issue's message of a failed parse: the form shows each field's, the API answers with the first. */
export function firstIssue(error: { issues: { message: string }[] }, fallback = '输入有误'): string {
  return error.issues[0]?.message ?? fallback;
}
