import path from 'node:path';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Clock } from '@/lib/clock';
import { MAX_NOTE_CHARS, type IncidentCommand } from '@/lib/domain/incident-lifecycle';
import { activeTimeLimits, compareUrgency, timeLimitStatus } from '@/lib/domain/time-limits';
import {
  DEPT_HISTORY_MAX,
  deptBucketOf,
  type DeptAction,
  type DeptIncidentDetail,
  type DeptQueueItem,
  type DeptQueueResponse,
} from '@/lib/departments/queue';
import type { Handing } from '@/lib/departments/report-rates';
import { MAX_PHOTOS_PER_REPORT, PhotoHashSchema } from '@/lib/mobile/contract';
import { photoUrls } from '@/lib/uploads/attachments';
import { HttpError, readJson, sendJson, type Principal, type Route, type RouteContext } from '../http/router';
import type { Authorize } from '../auth/guard';
import { maskIncidentView, maskText } from '../auth/personal-data';
import type { RegionGate } from '../auth/region-scope';
import type { SqlAudit } from '../audit/audit-append';
import type { SqlDb } from '../db/sql-db';
import type { Logger } from '../logger';
import type { DispatchLive, DispatchService } from '../dispatch/dispatch-service';
import {
  INCIDENT_COLUMNS,
  TIMELINE_SELECT,
  describeTimeline,
  timelineNameRefs,
  toIncidentView,
  type IncidentEventRow,
  type IncidentRow,
} from '../dispatch/incident-view';
import { createNameLookup } from '../dispatch/name-lookup';
import { MAX_ATTACHMENTS_PER_INCIDENT, UploadStore } from '../uploads/upload-store';
import { handingsFor, incidentsHandedTo } from './department-handings';

const BODY_MAX_BYTES = 16 * 1024;
/** Open cases listed at once: a department with more than this is a staffing problem, not a page's. */
const OPEN_MAX = 500;
const NOT_FOUND = '无此事件';

const ActionBodySchema = z.object({
  note: z.string().max(MAX_NOTE_CHARS).optional(),
  /** Photos uploaded first (POST /api/dept/uploads), by their hash; 反馈 and 办结 may carry them. */
  photos: z.array(PhotoHashSchema).max(MAX_PHOTOS_PER_REPORT).default([]),
});
/** The actions that may carry photos: evidence of what was done. */
const PHOTO_ACTIONS: ReadonlySet<DeptAction> = new Set(['feedback', 'resolve']);

export interface DepartmentRouteDeps {
  sql: SqlDb;
  live: DispatchLive;
  service: DispatchService;
  audit: SqlAudit;
  authorize: Authorize;
  clock: Clock;
  regions: RegionGate;
  logger: Logger;
  /** UPLOADS_DIR: read for photos stored before their bytes moved into the database. */
  uploadsDir: string;
}

/**
 * 部门报到 (/dept): a department account reads its queue and one case at a time, and 签收, 反馈, 办结 or
 * 退回 it. Every command goes through the dispatch service (the lifecycle decides, the same transaction
 * writes the incident, its timeline event and the audit row, and the walls see it on the next tick). A
 * department reads only cases handed to it: any other reads as missing (404), and the attempt is logged and,
 * for a write, audited.
 */
export function createDepartmentRoutes(deps: DepartmentRouteDeps): Route[] {
  const { sql: db, service, authorize, clock, regions, audit, logger } = deps;
  const uploads = new UploadStore(deps.sql, path.resolve(deps.uploadsDir));
  const names = createNameLookup(deps.sql);
  const selectOne = (id: string) =>
    db.get<IncidentRow>(sql`${sql.raw(`SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE id =`)} ${id}`);

  /** The signed-in department account with its department; an account bound to none may do nothing. */
  async function principalOf(ctx: RouteContext, action: string, objectId?: string) {
    const p = authorize(ctx, { roles: ['department'], action, objectType: 'incident', objectId });
    const d = await db.get<{ departmentId: string | null; name: string | null }>(
      sql`SELECT u.department_id AS "departmentId", d.name AS name FROM users u
          LEFT JOIN departments d ON d.id = u.department_id WHERE u.username = ${p.username} AND u.role = 'department'`,
    );
    if (!d?.departmentId || !d.name) {
      logger.warn({ user: p.username, action }, 'department account bound to no department');
      throw new HttpError(403, '账号未绑定部门', { reason: 'no_department' });
    }
    const withDept: Principal = { ...p, departmentId: d.departmentId };
    return { p: withDept, departmentId: d.departmentId, departmentName: d.name };
  }

  const lastHandingOf = async (incidentId: string, departmentId: string): Promise<Handing | null> =>
    (await handingsFor(db, [incidentId])).filter((h) => h.departmentId === departmentId).at(-1) ?? null;

  /** The case if it is this department's to see (and in the account's region); else 404, logged. */
  async function ownCase(ctx: RouteContext, p: Principal, departmentId: string, id: string, action: string) {
    const row = await selectOne(id);
    const handing = row ? await lastHandingOf(id, departmentId) : null;
    const bucket = row ? deptBucketOf(toIncidentView(row), departmentId, handing) : null;
    if (!row || !handing || !bucket) {
      const isWrite = ctx.req.method !== 'GET';
      logger.warn({ user: p.username, departmentId, incidentId: id, action }, 'department case denied');
      if (row && isWrite)
        await audit.appendAlone({
          actor: p.username,
          role: p.role,
          clientAddress: ctx.clientAddress,
          action,
          objectType: 'incident',
          objectId: id,
          result: 'denied',
          reason: 'not_own_department',
        });
      throw new HttpError(404, NOT_FOUND);
    }
    regions.require(ctx, p, regions.hasIncident(p, row.gridCode), {
      action,
      objectType: 'incident',
      objectId: id,
      notFound: NOT_FOUND,
    });
    return { row, handing, bucket };
  }

  const queue = async (ctx: RouteContext) => {
    const { p, departmentId, departmentName } = await principalOf(ctx, 'department.queue');
    const now = clock.now();
    const limits = activeTimeLimits();
    const items: DeptQueueItem[] = [];
    const seen = new Set<string>();
    const own = deps.live.incidents
      .snapshot(
        (v) =>
          v.assigneeKind === 'department' &&
          v.assigneeId === departmentId &&
          regions.hasIncident(p, v.gridCode),
        'masked',
      )
      .sort((a, b) => compareUrgency(a, b, now, limits))
      .slice(0, OPEN_MAX);
    const latest = new Map<string, Handing>();
    const history = await incidentsHandedTo(db, departmentId, DEPT_HISTORY_MAX * 2);
    for (const h of await handingsFor(db, [...own.map((v) => v.id), ...history]))
      if (h.departmentId === departmentId) latest.set(h.incidentId, h);
    for (const v of own) {
      const bucket = deptBucketOf(v, departmentId, latest.get(v.id) ?? null);
      if (!bucket) continue;
      seen.add(v.id);
      items.push({
        ...v,
        bucket,
        handedAt: latest.get(v.id)?.handedAt ?? v.updatedAt,
        timeLimits: timeLimitStatus(v, now, limits),
      });
    }
    for (const id of history) {
      if (seen.has(id)) continue;
      const row = await selectOne(id);
      const h = latest.get(id);
      if (!row || !h || !regions.hasIncident(p, row.gridCode)) continue;
      const view = maskIncidentView(toIncidentView(row));
      const bucket = deptBucketOf(view, departmentId, h);
      if (bucket)
        items.push({ ...view, bucket, handedAt: h.handedAt, timeLimits: timeLimitStatus(view, now, limits) });
    }
    const body: DeptQueueResponse = { department: { id: departmentId, name: departmentName }, items };
    sendJson(ctx.res, 200, body);
  };

  const detail = async (ctx: RouteContext) => {
    const id = ctx.params.id ?? '';
    const { p, departmentId } = await principalOf(ctx, 'department.incident_read', id);
    const { row, handing, bucket } = await ownCase(ctx, p, departmentId, id, 'department.incident_read');
    const view = maskIncidentView(toIncidentView(row));
    const eventRows = await db.all<IncidentEventRow>(sql`${TIMELINE_SELECT} ${id} ORDER BY at, id`);
    const named = await names.load(timelineNameRefs(row, eventRows));
    const timeline = describeTimeline(eventRows, named, true).map((e) => ({
      id: e.id,
      at: e.at,
      actorName: e.actorName,
      type: e.type,
      fromState: e.fromState,
      toState: e.toState,
      note: maskText(e.note),
    }));
    const body: DeptIncidentDetail = {
      incident: { ...view, detail: maskText(row.detail), sourceRef: row.sourceRef ?? row.id },
      bucket,
      handedAt: handing.handedAt,
      timeLimits: timeLimitStatus(view, clock.now()),
      timeline,
      attachments: (await uploads.list(id)).map((a) => ({ ...a, ...photoUrls(a.hash) })),
    };
    sendJson(ctx.res, 200, body);
  };

  const toCommand = (action: DeptAction, b: z.infer<typeof ActionBodySchema>): IncidentCommand => {
    const note = b.note?.trim() || undefined;
    switch (action) {
      case 'ack':
        return { type: 'transition', to: 'on_scene', note };
      case 'resolve':
        return { type: 'transition', to: 'resolved', note };
      case 'return':
        return { type: 'transition', to: 'returned', note };
      case 'feedback': {
        // A photo says enough on its own; the timeline still gets a line that says what came.
        const text = note ?? (b.photos.length > 0 ? `现场照片 ${b.photos.length} 张` : undefined);
        if (!text) throw new HttpError(400, '反馈须填写内容或附照片', { reason: 'note_required' });
        return { type: 'feedback', note: text };
      }
    }
  };

  /** Refused before anything is written: a case never gets a feedback line whose photos then fail. */
  async function checkPhotos(action: DeptAction, id: string, photos: readonly string[]): Promise<void> {
    if (photos.length === 0) return;
    if (!PHOTO_ACTIONS.has(action))
      throw new HttpError(400, '此操作不能附照片', { reason: 'photos_not_allowed' });
    for (const h of photos)
      if (!(await uploads.exists(h)))
        throw new HttpError(400, '照片未上传或已失效', { reason: 'unknown_photo', hash: h });
    const known = new Set((await uploads.list(id)).map((a) => a.hash));
    const added = photos.filter((h) => !known.has(h)).length;
    if (known.size + added > MAX_ATTACHMENTS_PER_INCIDENT)
      throw new HttpError(409, `每个事件最多 ${MAX_ATTACHMENTS_PER_INCIDENT} 张照片`, {
        reason: 'too_many_photos',
      });
  }

  async function attachPhotos(ctx: RouteContext, p: Principal, id: string, photos: string[]): Promise<void> {
    const attached = await uploads.attach(id, photos, p.username, clock.now());
    if ('error' in attached) {
      // Only a concurrent attach can get here (checked above); the feedback line stands, the photos do not.
      logger.warn({ user: p.username, incidentId: id, error: attached.error }, 'department photos refused');
      throw new HttpError(409, attached.error, { reason: 'too_many_photos' });
    }
    await audit.appendAlone({
      actor: p.username,
      role: p.role,
      clientAddress: ctx.clientAddress,
      action: 'incident.attach_photos',
      objectType: 'incident',
      objectId: id,
      after: { photos },
      result: 'ok',
    });
  }

  const command = (action: DeptAction) => async (ctx: RouteContext) => {
    const id = ctx.params.id ?? '';
    const auditAction = `incident.dept_${action}`;
    const { p, departmentId } = await principalOf(ctx, auditAction, id);
    await ownCase(ctx, p, departmentId, id, auditAction);
    const parsed = ActionBodySchema.safeParse(await readJson(ctx.req, BODY_MAX_BYTES));
    if (!parsed.success) throw new HttpError(400, parsed.error.issues[0]?.message ?? '请求无效');
    const photos = [...new Set(parsed.data.photos)];
    await checkPhotos(action, id, photos);
    const outcome = await service.execute(id, toCommand(action, parsed.data), p, ctx.clientAddress);
    if (!outcome.ok) throw new HttpError(outcome.status, outcome.error, { reason: outcome.reason });
    if (photos.length > 0) await attachPhotos(ctx, p, id, photos);
    const view = maskIncidentView(outcome.view);
    sendJson(ctx.res, 200, { incident: view, timeLimits: timeLimitStatus(view, clock.now()) });
  };

  return [
    { method: 'GET', path: '/api/dept/queue', handler: queue },
    { method: 'GET', path: '/api/dept/incidents/:id', handler: detail },
    { method: 'POST', path: '/api/dept/incidents/:id/ack', handler: command('ack') },
    { method: 'POST', path: '/api/dept/incidents/:id/feedback', handler: command('feedback') },
    { method: 'POST', path: '/api/dept/incidents/:id/resolve', handler: command('resolve') },
    { method: 'POST', path: '/api/dept/incidents/:id/return', handler: command('return') },
  ];
}
