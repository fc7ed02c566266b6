import type { AuditEntry } from '../audit/audit-log';
import type { SqlAudit } from '../audit/audit-append';
import type { SqlRunner } from '../db/sql-db';
import type { Principal, RouteContext } from '../http/router';

type AdminChange = {
  action: string;
  objectType: string;
  objectId: string;
  before?: unknown;
  after?: unknown;
};

/** One admin change as the audit log records it: who, from where, what, and the row before and after. */
function adminEntry(ctx: RouteContext, actor: Principal, change: AdminChange): AuditEntry {
  return {
    actor: actor.username,
    role: actor.role,
    clientAddress: ctx.clientAddress,
    action: change.action,
    objectType: change.objectType,
    objectId: change.objectId,
    before: change.before,
    after: change.after,
    result: 'ok',
  };
}

/** Appends inside the change's SqlDb transaction `tx`. */
export function auditAdminIn(
  audit: SqlAudit,
  tx: SqlRunner,
  ctx: RouteContext,
  actor: Principal,
  change: AdminChange,
): Promise<number> {
  return audit.append(tx, adminEntry(ctx, actor, change));
}

/** The first issue's message of a failed parse: the form shows each field's, the API answers with the first. */
export function firstIssue(error: { issues: { message: string }[] }, fallback = '输入有误'): string {
  return error.issues[0]?.message ?? fallback;
}
