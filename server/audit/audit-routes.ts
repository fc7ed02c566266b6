import { sendJson, type Route, type RouteContext } from '../http/router';
import type { Authorize } from '../auth/guard';
import type { AuditLog, AuditResult } from './audit-log';
import type { AuditAnchor } from './audit-anchor';
import type { AuditListResponse, AuditRow } from '@/lib/dispatch/api-types';
import type { NameLookup } from '../dispatch/name-lookup';

const RESULTS = new Set(['ok', 'denied', 'error']);

function num(v: string | null): number | undefined {
  if (v === null || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * GET /api/audit/verify (DESIGN §4) and GET /api/audit (the admin page's filtered listing): admin only.
 * Verification reports whether the chain is keyed (AUDIT_KEY) and compares it with every anchor of its head
 * (Redis, the file): `ok` is false when the database's head is behind an anchor or differs from it.
 */
export function createAuditRoutes(deps: {
  audit: AuditLog;
  authorize: Authorize;
  /** Where the chain's head is anchored outside the database (null: not anchored). */
  anchor: Pick<AuditAnchor, 'readings'> | null;
  /** Names for actors and assignees; without it the rows carry the stored codes only. */
  names?: NameLookup;
}): Route[] {
  const { audit, authorize, anchor, names } = deps;

  const verify = async (ctx: RouteContext) => {
    authorize(ctx, { roles: ['admin'], action: 'audit.verify', objectType: 'audit_log' });
    sendJson(ctx.res, 200, audit.verify(anchor ? await anchor.readings() : {}));
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
    const body: AuditListResponse = names ? describeRows(rows, names) : { rows, names: {} };
    sendJson(ctx.res, 200, body);
  };

  return [
    { method: 'GET', path: '/api/audit/verify', handler: verify },
    { method: 'GET', path: '/api/audit', handler: list },
  ];
}

/**
 * The page shows who and which unit by name: each row gets `actorName`, and every assignee its before/after
 * mention (a dispatch's `assigneeId`, an assign command's `assignee`) is named once in `names`. Rows on the
 * page are at most AUDIT_PAGE_MAX, so a few hundred indexed look-ups.
 */
function describeRows(rows: AuditRow[], names: NameLookup): AuditListResponse {
  const actorNames = new Map<string, string>();
  const idNames: Record<string, string> = {};
  const nameAssignee = (kind: unknown, id: unknown) => {
    if (typeof id !== 'string' || id in idNames) return;
    if (kind === 'vehicle' || kind === 'worker' || kind === 'department')
      idNames[id] = names.assignee(kind, id);
  };
  for (const r of rows) {
    for (const json of [r.before, r.after]) {
      if (!json) continue;
      let v: unknown;
      try {
        v = JSON.parse(json);
      } catch {
        continue; // shown as stored
      }
      if (!v || typeof v !== 'object') continue;
      const o = v as {
        assigneeKind?: unknown;
        assigneeId?: unknown;
        assignee?: { kind?: unknown; id?: unknown };
      };
      nameAssignee(o.assigneeKind, o.assigneeId);
      nameAssignee(o.assignee?.kind, o.assignee?.id);
    }
  }
  const described = rows.map((r) => {
    let actorName = actorNames.get(r.actor);
    if (actorName === undefined) actorNames.set(r.actor, (actorName = names.actor(r.actor)));
    return { ...r, actorName };
  });
  return { rows: described, names: idNames };
}
