import { sendJson, type Route, type RouteContext } from '../http/router';
import type { Authorize } from '../auth/guard';
import { sql, type SQL } from 'drizzle-orm';
import type { AssigneeKind } from '@/lib/domain/incident';
import type { SqlDb, SqlRunner } from '../db/sql-db';
import { AUDIT_PAGE_MAX, type AuditFilter, type AuditResult } from './audit-log';
import { sqlAuditChainOf } from './audit-key';
import { sqlChainSource, verifyChain } from './verify-chain';
import type { AuditAnchor } from './audit-anchor';
import type { AuditListResponse, AuditRow } from '@/lib/dispatch/api-types';
import type { NameResolver } from '../dispatch/name-lookup';

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
  sql: SqlDb;
  authorize: Authorize;
  /** Where the chain's head is anchored outside the database (null: not anchored). */
  anchor: Pick<AuditAnchor, 'readings'> | null;
  /** Names for actors and assignees; without it the rows carry the stored codes only. */
  names?: NameResolver;
}): Route[] {
  const { sql: db, authorize, anchor, names } = deps;

  const verify = async (ctx: RouteContext) => {
    authorize(ctx, { roles: ['admin'], action: 'audit.verify', objectType: 'audit_log' });
    const anchors = anchor ? await anchor.readings() : {};
    sendJson(ctx.res, 200, await verifyChain(sqlChainSource(db), { chain: sqlAuditChainOf(db), anchors }));
  };

  const list = async (ctx: RouteContext) => {
    authorize(ctx, { roles: ['admin'], action: 'audit.list', objectType: 'audit_log' });
    const q = ctx.url.searchParams;
    const result = q.get('result');
    const rows = await listAudit(db, {
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
    const body: AuditListResponse = names ? await describeRows(rows, names) : { rows, names: {} };
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
async function describeRows(rows: AuditRow[], resolver: NameResolver): Promise<AuditListResponse> {
  const actorNames = new Map<string, string>();
  const mentioned = new Map<string, AssigneeKind>();
  const nameAssignee = (kind: unknown, id: unknown) => {
    if (typeof id !== 'string' || mentioned.has(id)) return;
    if (kind === 'vehicle' || kind === 'worker' || kind === 'department') mentioned.set(id, kind);
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
  const names = await resolver.load({
    assignees: [...mentioned].map(([id, kind]) => [kind, id] as const),
    actors: rows.map((r) => r.actor),
  });
  const idNames: Record<string, string> = {};
  for (const [id, kind] of mentioned) idNames[id] = names.assignee(kind, id);
  const described = rows.map((r) => {
    let actorName = actorNames.get(r.actor);
    if (actorName === undefined) actorNames.set(r.actor, (actorName = names.actor(r.actor)));
    return { ...r, actorName };
  });
  return { rows: described, names: idNames };
}

/** The admin's filtered page of the log, newest first (at most AUDIT_PAGE_MAX rows). */
export function listAudit(db: SqlRunner, filter: AuditFilter): Promise<AuditRow[]> {
  const where: SQL[] = [];
  const eq = (col: string, v: string | undefined) => {
    if (v !== undefined && v !== '') where.push(sql`${sql.raw(col)} = ${v}`);
  };
  eq('actor', filter.actor);
  eq('action', filter.action);
  eq('object_type', filter.objectType);
  eq('object_id', filter.objectId);
  eq('result', filter.result);
  if (filter.fromMs !== undefined) where.push(sql`at >= ${filter.fromMs}`);
  if (filter.toMs !== undefined) where.push(sql`at < ${filter.toMs}`);
  if (filter.beforeId !== undefined) where.push(sql`id < ${filter.beforeId}`);
  const limit = Math.min(Math.max(filter.limit ?? 100, 1), AUDIT_PAGE_MAX);
  const filtered = where.length ? sql` WHERE ${sql.join(where, sql` AND `)}` : sql``;
  return db.all<AuditRow>(sql`SELECT * FROM audit_log${filtered} ORDER BY id DESC LIMIT ${limit}`);
}
