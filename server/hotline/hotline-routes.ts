import { timingSafeEqual } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { forUpdate, type SqlDb, type SqlRunner } from '../db/sql-db';
import { z } from 'zod';
import type { Clock } from '@/lib/clock';
import { maskPhone } from '@/lib/wall/format';
import { reasonFromZodError } from '@/lib/domain/common';
import { APPEAL_TYPES, HOTLINE_SOURCE, WorkOrderSchema, workOrderToReport } from '@/lib/hotline/work-order';
import type { SqlAudit } from '../audit/audit-append';
import type { Authorize } from '../auth/guard';
import { ANY_ROLE } from '../auth/guard';
import { canSeePersonalData, maskText } from '../auth/personal-data';
import type { RegionGate } from '../auth/region-scope';
import { HttpError, readBody, readJson, sendJson, type Route, type RouteContext } from '../http/router';
import type { IncidentIngest } from '../ingest/incident-ingest';
import type { IngestStats } from '../ingest/ingest-stats';
import type { HotlineOutbox } from './callback-outbox';

/** One work order is a few KB; a platform batching 100 stays far below this. */
const HOTLINE_BODY_MAX_BYTES = 1024 * 1024;
/** Work orders in one push. */
const MAX_ORDERS_PER_PUSH = 200;
const REPLY_MAX_CHARS = 2_000;
const STATS_PATH = 'http:hotline';
const NOT_FOUND = '无此事件';

const ReplyBodySchema = z
  .object({
    text: z.string().trim().min(1).max(REPLY_MAX_CHARS).optional(),
    appealType: z.enum(APPEAL_TYPES).optional(),
  })
  .refine((b) => b.text !== undefined || b.appealType !== undefined, '须填写答复内容或诉求类型');

function isTokenValid(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.startsWith('Bearer ') ? header.slice(7) : '');
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

export interface HotlineRouteDeps {
  sql: SqlDb;
  token: string | undefined;
  ingest: IncidentIngest;
  stats: IngestStats;
  authorize: Authorize;
  audit: SqlAudit;
  regions: RegionGate;
  clock: Clock;
  outbox: HotlineOutbox;
}

interface HotlineRow {
  id: string;
  source: string;
  state: string;
  sourceRef: string | null;
  gridCode: string | null;
  appealType: string | null;
  phone: string | null;
  reporter: string | null;
  replyText: string | null;
  replyAt: number | null;
  replyBy: string | null;
  satisfaction: number | null;
}

/**
 * The 12345 adapter: the platform's push (own token, HOTLINE_TOKEN), the console's reply to the citizen
 * (回复) and appeal type, and the dead-letter list of callbacks for admins.
 */
export function createHotlineRoutes(deps: HotlineRouteDeps): Route[] {
  const { sql: db, authorize, regions, clock, audit } = deps;
  const selectRow = (q: SqlRunner, id: string, lock = false) =>
    q.get<HotlineRow>(
      sql`SELECT id, source, state, source_ref AS "sourceRef", grid_code AS "gridCode", appeal_type AS "appealType", phone, reporter,
            reply_text AS "replyText", reply_at AS "replyAt", reply_by AS "replyBy", satisfaction
          FROM incidents WHERE id = ${id}${lock ? forUpdate(q) : sql``}`,
    );

  const push = async (ctx: RouteContext) => {
    if (!deps.token) throw new HttpError(404, '12345 adapter is off (HOTLINE_TOKEN unset)');
    if (!isTokenValid(ctx.req.headers.authorization, deps.token)) {
      deps.stats.reject(STATS_PATH, 'bad_token');
      throw new HttpError(401, 'bad hotline token');
    }
    let body: unknown;
    try {
      body = JSON.parse(await readBody(ctx.req, HOTLINE_BODY_MAX_BYTES));
    } catch (err) {
      const reason = err instanceof HttpError ? 'body_too_large' : 'bad_json';
      deps.stats.reject(STATS_PATH, reason);
      if (reason === 'body_too_large') ctx.res.setHeader('connection', 'close');
      return sendJson(ctx.res, reason === 'bad_json' ? 400 : 413, {
        accepted: 0,
        duplicates: 0,
        rejected: [{ index: -1, reason }],
      });
    }
    const list = Array.isArray(body) ? body : [body];
    if (list.length === 0) {
      deps.stats.reject(STATS_PATH, 'empty_push');
      return sendJson(ctx.res, 400, {
        accepted: 0,
        duplicates: 0,
        rejected: [{ index: -1, reason: 'empty_push' }],
        error: 'no work order in the body',
      });
    }
    if (list.length > MAX_ORDERS_PER_PUSH) {
      deps.stats.reject(STATS_PATH, 'too_many_orders');
      return sendJson(ctx.res, 413, {
        accepted: 0,
        duplicates: 0,
        rejected: [{ index: -1, reason: 'too_many_orders' }],
        error: `at most ${MAX_ORDERS_PER_PUSH} work orders per push`,
      });
    }
    const rejected: { index: number; reason: string; message?: string }[] = [];
    const reports: unknown[] = [];
    const indexOf: number[] = [];
    const types: string[] = [];
    list.forEach((item, index) => {
      const parsed = WorkOrderSchema.safeParse(item);
      if (!parsed.success) {
        const reason = reasonFromZodError(parsed.error);
        rejected.push({ index, reason, message: parsed.error.issues[0]?.message });
        deps.stats.reject(STATS_PATH, reason, item);
        return;
      }
      reports.push(workOrderToReport(parsed.data));
      indexOf.push(index);
      types.push(parsed.data.appealType);
    });
    // The order and its appeal type land together: the ingest's write is a savepoint of this transaction.
    const r = await deps.sql.transaction(async (tx) => {
      const res = await deps.ingest.handleItems(reports, STATS_PATH, tx);
      for (const o of res.incidents)
        if (!o.isDuplicate)
          await tx.run(
            sql`UPDATE incidents SET appeal_type = ${types[o.index]!} WHERE source = ${HOTLINE_SOURCE}
                  AND source_ref = ${(reports[o.index] as { id: string }).id} AND appeal_type IS NULL`,
          );
      return res;
    });
    for (const x of r.rejected) rejected.push({ index: indexOf[x.index]!, reason: x.reason });
    const orders = r.incidents.map((o) => ({
      index: indexOf[o.index]!,
      orderNo: (reports[o.index] as { id: string }).id,
      incidentId: o.id,
      isDuplicate: o.isDuplicate,
    }));
    const isAllBad = r.accepted === 0 && r.duplicates === 0 && rejected.length > 0;
    sendJson(ctx.res, isAllBad ? 400 : 202, {
      accepted: r.accepted,
      duplicates: r.duplicates,
      rejected: rejected.sort((a, b) => a.index - b.index),
      orders,
    });
  };

  /** The row, clamped to the principal's region (outside reads as missing). */
  const rowFor = async (ctx: RouteContext, action: string, roles: typeof ANY_ROLE) => {
    const id = ctx.params.id ?? '';
    const p = authorize(ctx, { roles, action, objectType: 'incident', objectId: id });
    const row = await selectRow(db, id);
    if (!row) throw new HttpError(404, NOT_FOUND);
    regions.require(ctx, p, regions.hasIncident(p, row.gridCode), {
      action,
      objectType: 'incident',
      objectId: id,
      notFound: NOT_FOUND,
    });
    return { p, row };
  };

  const view = (row: HotlineRow, canSee: boolean) => ({
    incidentId: row.id,
    isHotline: row.source === HOTLINE_SOURCE,
    orderNo: row.source === HOTLINE_SOURCE ? row.sourceRef : null,
    appealType: row.appealType,
    // Personal data: in full for those entitled, else masked (138****5678), as the rest of the incident.
    callerNumber: row.phone === null ? null : canSee ? row.phone : maskPhone(row.phone),
    callerName: canSee ? row.reporter : null,
    reply:
      row.replyText === null
        ? null
        : { text: canSee ? row.replyText : maskText(row.replyText), at: row.replyAt, by: row.replyBy },
    satisfaction: row.satisfaction,
  });

  const read = async (ctx: RouteContext) => {
    const { p, row } = await rowFor(ctx, 'incident.hotline_read', ANY_ROLE);
    sendJson(ctx.res, 200, view(row, canSeePersonalData(p)));
  };

  const reply = async (ctx: RouteContext) => {
    const { p, row } = await rowFor(ctx, 'incident.reply', ['admin', 'leader', 'dispatcher']);
    if (p.isDisplay) throw new HttpError(403, '只读令牌');
    const parsed = ReplyBodySchema.safeParse(await readJson(ctx.req, 16 * 1024));
    if (!parsed.success)
      throw new HttpError(400, parsed.error.issues[0]?.message ?? '请求无效', parsed.error.issues);
    const b = parsed.data;
    const now = clock.now();
    const after = await db.transaction(async (tx) => {
      // Read again under the lock: the audit row's `before` is what this reply replaced.
      const cur = await selectRow(tx, row.id, true);
      if (!cur) throw new HttpError(404, NOT_FOUND);
      const text = b.text ?? null;
      const setReply =
        text === null ? sql`` : sql`reply_text = ${text}, reply_at = ${now}, reply_by = ${p.username}, `;
      await tx.run(
        sql`UPDATE incidents SET ${setReply}appeal_type = COALESCE(${b.appealType ?? null}, appeal_type)
            WHERE id = ${row.id}`,
      );
      // A reply is a step of the 12345 loop (回复): on the timeline, and called back to the platform.
      if (text !== null)
        await tx.run(
          sql`INSERT INTO incident_events (incident_id, at, actor, type, from_state, to_state, note, data)
              VALUES (${row.id}, ${now}, ${p.username}, 'reply', ${cur.state}, ${cur.state}, ${text}, NULL)`,
        );
      await audit.append(tx, {
        actor: p.username,
        role: p.role,
        clientAddress: ctx.clientAddress,
        action: 'incident.reply',
        objectType: 'incident',
        objectId: row.id,
        before: { appealType: cur.appealType, replyText: cur.replyText },
        after: { appealType: b.appealType ?? cur.appealType, replyText: b.text ?? cur.replyText },
        result: 'ok',
      });
      return (await selectRow(tx, row.id))!;
    });
    sendJson(ctx.res, 200, view(after, canSeePersonalData(p)));
  };

  const deadLetters = async (ctx: RouteContext) => {
    authorize(ctx, { roles: ['admin'], action: 'hotline.dead_letters', objectType: 'hotline_callback' });
    const [total, items] = await Promise.all([deps.outbox.deadCount(), deps.outbox.deadLetters()]);
    sendJson(ctx.res, 200, { total, items });
  };

  const retry = async (ctx: RouteContext) => {
    const id = Number(ctx.params.id);
    const p = authorize(ctx, {
      roles: ['admin'],
      action: 'hotline.retry',
      objectType: 'hotline_callback',
      objectId: ctx.params.id ?? null,
    });
    if (p.isDisplay) throw new HttpError(403, '只读令牌');
    if (!Number.isSafeInteger(id)) throw new HttpError(404, '无此死信（可能已重试）');
    await db.transaction(async (tx) => {
      if (!(await deps.outbox.retry(id, tx))) throw new HttpError(404, '无此死信（可能已重试）');
      await audit.append(tx, {
        actor: p.username,
        role: p.role,
        clientAddress: ctx.clientAddress,
        action: 'hotline.retry',
        objectType: 'hotline_callback',
        objectId: String(id),
        result: 'ok',
      });
    });
    sendJson(ctx.res, 200, { ok: true });
  };

  return [
    { method: 'POST', path: '/api/ingest/hotline', handler: push },
    { method: 'GET', path: '/api/incidents/:id/hotline', handler: read },
    { method: 'POST', path: '/api/incidents/:id/reply', handler: reply },
    { method: 'GET', path: '/api/admin/hotline/dead-letters', handler: deadLetters },
    { method: 'POST', path: '/api/admin/hotline/dead-letters/:id/retry', handler: retry },
  ];
}
