import { sql } from 'drizzle-orm';
import type { ZodType } from 'zod';
import { CATEGORY_LABELS } from '@/lib/domain/enums';
import { isWithinRegion } from '@/lib/domain/region-code';
import { WorkerReportSchema } from '@/lib/domain/worker';
import { reasonFromZodError } from '@/lib/domain/common';
import {
  DutySchema,
  MobileReportSchema,
  PositionSchema,
  POSITION_INTERVAL_MS,
  TaskActionSchema,
  type MobileMe,
  type TaskActionInput,
  type MobileTask,
  type MobileTasks,
} from '@/lib/mobile/contract';
import { HttpError, readJson, sendJson, type Principal, type Route, type RouteContext } from '../http/router';
import type { AppContext } from '../app';
import type { DispatchModule } from '../dispatch/dispatch-module';
import { flag, forUpdate, type SqlRunner } from '../db/sql-db';
import { IncidentIngest } from '../ingest/incident-ingest';
import type { UploadStore } from '../uploads/upload-store';
import { createWorkerContexts, type WorkerContext } from './worker-context';

/** Ingest statistics count phone reports under this path. */
export const MOBILE_PATH = 'mobile:report';
const WORKER_ONLY = ['worker'] as const;
/** Workers whose last position time is remembered for the rate bound; the oldest is forgotten past it. */
export const MAX_TRACKED_WORKERS = 200_000;
/** Resolved tasks stay on the worker's list this long (so the one just finished does not vanish). */
const RESOLVED_SHOWN_MS = 24 * 3600_000;
const REPORTS_SHOWN = 20;
const MOBILE_JSON_BYTES = 64 * 1024;

function parse<T>(schema: ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (!r.success) throw new HttpError(400, '提交内容有误', { reason: reasonFromZodError(r.error) });
  return r.data;
}

interface TaskRow {
  id: string;
  category: MobileTask['category'];
  title: string;
  detail: string | null;
  address: string | null;
  state: MobileTask['state'];
  priority: number;
  lng: number;
  lat: number;
  reportedAt: number;
  updatedAt: number;
  /** 0/1 on SQLite, a boolean on PostgreSQL. */
  isAccepted: number | boolean;
  assigneeKind: string | null;
  assigneeId: string | null;
}

/** A task's columns; whether `username` accepted it is read with it. */
const taskColumns = (username: string) =>
  sql`i.id, i.category, i.title, i.detail, i.address, i.state, i.priority, i.lng, i.lat,
  i.reported_at AS "reportedAt", i.updated_at AS "updatedAt", i.assignee_kind AS "assigneeKind", i.assignee_id AS "assigneeId",
  EXISTS (SELECT 1 FROM incident_events e WHERE e.incident_id = i.id AND e.type = 'accept' AND e.actor = ${username}) AS "isAccepted"`;

/**
 * The grid worker's phone (/m): who am I, report (上报, idempotent by the phone's key, only inside the worker's
 * scope), my tasks and their moves (through the lifecycle's rules and the dispatch service, audited), duty and
 * position (through the same worker report validation and bus path as ingest). Every route is role `worker`.
 */
export function createMobileRoutes(ctx: AppContext, mod: DispatchModule, uploads: UploadStore): Route[] {
  const db = ctx.sql;
  const { sqlAudit: audit, service } = mod;
  const authorize = mod.auth.authorize;
  const workerOf = createWorkerContexts(db);
  const ingest = new IncidentIngest(db, ctx.live, ctx.stats, ctx.grids);
  const lastPositionAt = new Map<string, number>();

  const openTasks = (workerId: string, username: string, since: number) =>
    db.all<TaskRow>(
      sql`SELECT ${taskColumns(username)} FROM incidents i
          WHERE i.assignee_kind = 'worker' AND i.assignee_id = ${workerId}
            AND (i.state IN ('dispatched', 'on_scene') OR (i.state IN ('resolved', 'closed') AND i.updated_at >= ${since}))
          ORDER BY CASE WHEN i.state IN ('resolved', 'closed') THEN 1 ELSE 0 END, i.priority, i.updated_at DESC, i.id
          LIMIT 100`,
    );
  const myReports = (workerId: string, username: string, limit: number) =>
    db.all<TaskRow>(
      sql`SELECT ${taskColumns(username)} FROM worker_reports r JOIN incidents i ON i.id = r.incident_id
          WHERE r.worker_id = ${workerId} ORDER BY r.at DESC, r.key LIMIT ${limit}`,
    );
  const oneTask = (q: SqlRunner, id: string, username: string) =>
    q.get<TaskRow>(sql`SELECT ${taskColumns(username)} FROM incidents i WHERE i.id = ${id}`);

  async function signIn(
    c: RouteContext,
    action: string,
    objectId?: string,
  ): Promise<{ p: Principal; w: WorkerContext }> {
    const p = authorize(c, { roles: WORKER_ONLY, action, objectType: 'incident', objectId });
    const w = await workerOf(p);
    return { p: { ...p, workerId: w.workerId }, w };
  }

  async function toTask(r: TaskRow): Promise<MobileTask> {
    return {
      id: r.id,
      category: r.category,
      title: r.title,
      detail: r.detail,
      address: r.address,
      state: r.state,
      priority: r.priority,
      lng: r.lng,
      lat: r.lat,
      reportedAt: r.reportedAt,
      updatedAt: r.updatedAt,
      isAccepted: flag(r.isAccepted),
      photos: (await uploads.list(r.id)).map((a) => ({ hash: a.hash, width: a.width, height: a.height })),
    };
  }

  function onDutyOf(workerId: string): boolean {
    const store = ctx.live.worker;
    const idx = store.indexOf(workerId);
    return idx !== undefined && store.ts[idx]! > 0 && store.status[idx] === 0; // WORKER_STATUSES[0] = on_duty
  }

  function lastPositionOf(w: WorkerContext): [number, number] | null {
    const store = ctx.live.worker;
    const idx = store.indexOf(w.workerId);
    if (idx !== undefined && store.ts[idx]! > 0) return [store.lng[idx]!, store.lat[idx]!];
    return w.center;
  }

  /** The same validation as ingest's worker reports, then the same bus path (latest wins, walls draw it). */
  async function publishPosition(
    workerId: string,
    lng: number,
    lat: number,
    status: 'on_duty' | 'off_duty',
    ts: number,
  ) {
    const r = WorkerReportSchema.safeParse({ id: workerId, lng, lat, status, ts });
    if (!r.success) {
      ctx.stats.reject('mobile:position', reasonFromZodError(r.error), { id: workerId });
      throw new HttpError(400, '位置无效', { reason: reasonFromZodError(r.error) });
    }
    await ctx.bus.publishTelemetry('worker', JSON.stringify(r.data));
  }

  async function requirePhotos(hashes: readonly string[]): Promise<void> {
    for (const h of hashes)
      if (!(await uploads.exists(h)))
        throw new HttpError(400, '照片未上传或已失效', { reason: 'unknown_photo', hash: h });
  }

  type ActionOutcome =
    { ok: true; isDuplicate: boolean } | { ok: false; status: number; error: string; reason: string };

  /**
   * One task action, exactly once per key: the key, the move (through the dispatch service's lifecycle rules,
   * or a timeline event for 接单/补充), its photos and audit rows commit together or not at all. A key seen
   * before answers as done without touching anything (the phone resent after a lost answer); a key used for
   * another task or by another worker is refused. Refusals are returned, not thrown, so that the service's
   * audit row of a refused move is not rolled back with the rest.
   */
  const applyAction = (
    id: string,
    row: TaskRow,
    body: TaskActionInput & { photos: string[] },
    p: Principal,
    workerId: string,
    clientAddress: string,
  ): Promise<ActionOutcome> =>
    ctx.sql.transaction(async (tx): Promise<ActionOutcome> => {
      // PostgreSQL: sends of one task's action take turns on its row before the key is looked up, so a
      // resend racing the first finds its key committed instead of trying the move again (and being refused).
      await tx.get(sql`SELECT id FROM incidents WHERE id = ${id}${forUpdate(tx)}`);
      const seen = body.key
        ? await tx.get<{ workerId: string; incidentId: string; action: string }>(
            sql`SELECT worker_id AS "workerId", incident_id AS "incidentId", action FROM worker_actions WHERE key = ${body.key}`,
          )
        : undefined;
      if (seen) {
        if (seen.workerId !== workerId || seen.incidentId !== id || seen.action !== body.action)
          return { ok: false, status: 409, error: '重复的操作编号', reason: 'key_reused' };
        ctx.logger.info({ key: body.key, id, action: body.action }, 'worker action resent: already applied');
        return { ok: true, isDuplicate: true };
      }
      const now = ctx.clock.now();
      if (body.photos.length > 0) {
        const attached = await uploads.attach(id, body.photos, p.username, now, tx);
        if ('error' in attached)
          return { ok: false, status: 409, error: attached.error, reason: 'too_many_photos' };
      }
      if (body.action === 'arrive' || body.action === 'resolve') {
        const to = body.action === 'arrive' ? 'on_scene' : 'resolved';
        const moved = await service.execute(
          id,
          { type: 'transition', to, note: body.note },
          p,
          clientAddress,
          tx,
        );
        if (!moved.ok) return moved;
      } else if (body.action === 'accept' && flag(row.isAccepted)) {
        // Already accepted (a second tap, or a resend of an old page without a key): nothing more to record.
      } else {
        await tx.run(
          sql`INSERT INTO incident_events (incident_id, at, actor, type, from_state, to_state, note, data)
              VALUES (${id}, ${now}, ${p.username}, ${body.action}, ${row.state}, ${row.state}, ${body.note ?? null}, NULL)`,
        );
        await audit.append(tx, {
          actor: p.username,
          role: p.role,
          clientAddress,
          action: `incident.worker_${body.action}`,
          objectType: 'incident',
          objectId: id,
          after: { note: body.note ?? null, photos: body.photos.length, key: body.key ?? null },
          result: 'ok',
        });
      }
      if (body.key)
        await tx.run(
          sql`INSERT INTO worker_actions (key, worker_id, incident_id, action, at)
              VALUES (${body.key}, ${workerId}, ${id}, ${body.action}, ${now})`,
        );
      return { ok: true, isDuplicate: false };
    });

  return [
    {
      method: 'GET',
      path: '/api/m/me',
      handler: async (c) => {
        const { p, w } = await signIn(c, 'mobile.me');
        const me: MobileMe = {
          username: p.username,
          workerId: w.workerId,
          name: w.name,
          gridCode: w.gridCode,
          gridName: w.gridName,
          center: w.center,
          onDuty: onDutyOf(w.workerId),
        };
        sendJson(c.res, 200, me);
      },
    },
    {
      method: 'GET',
      path: '/api/m/tasks',
      handler: async (c) => {
        const { p, w } = await signIn(c, 'mobile.tasks');
        const now = ctx.clock.now();
        const [open, mine] = await Promise.all([
          openTasks(w.workerId, p.username, now - RESOLVED_SHOWN_MS),
          myReports(w.workerId, p.username, REPORTS_SHOWN),
        ]);
        const body: MobileTasks = {
          tasks: await Promise.all(open.map(toTask)),
          reports: await Promise.all(mine.map(toTask)),
        };
        sendJson(c.res, 200, body);
      },
    },
    {
      method: 'POST',
      path: '/api/m/reports',
      handler: async (c) => {
        const { p, w } = await signIn(c, 'incident.create');
        const r = parse(MobileReportSchema, await readJson(c.req, MOBILE_JSON_BYTES));
        const gridCode = ctx.grids().locate(r.lng, r.lat);
        // Outside the worker's scope (or outside every grid) is refused: another community's worker owns it.
        if (!w.scopePrefix || !gridCode || !isWithinRegion(gridCode, w.scopePrefix)) {
          await audit.appendAlone({
            actor: p.username,
            role: p.role,
            clientAddress: c.clientAddress,
            action: 'incident.create',
            objectType: 'incident',
            objectId: null,
            after: { lng: r.lng, lat: r.lat, gridCode },
            result: 'denied',
            reason: 'outside_scope',
          });
          ctx.stats.reject(MOBILE_PATH, 'outside_scope', { worker: w.workerId });
          throw new HttpError(403, '上报位置不在本人网格范围内', {
            reason: 'outside_scope',
            gridCode,
            scope: w.scopePrefix,
          });
        }
        await requirePhotos(r.photos);
        const label = CATEGORY_LABELS[r.category].zh;
        const firstLine = r.detail.split('\n')[0]!.slice(0, 40);
        // Idempotent as a whole, in one transaction: a replay (the phone did not hear the answer) completes
        // what the first did, and the report, its photos and its audit row land together.
        const outcome = await db.transaction(async (tx) => {
          const result = await ingest.handleItems(
            [
              {
                id: `m-${r.key}`,
                category: r.category,
                title: firstLine ? `${label}：${firstLine}` : `${label}（网格员上报）`,
                detail: r.detail || undefined,
                lng: r.lng,
                lat: r.lat,
                priority: 3,
                source: 'grid_worker',
                reportedAt: Math.min(r.reportedAt, ctx.clock.now()),
                address: r.address || undefined,
                reporter: w.name ?? w.workerId,
                gridCode,
              },
            ],
            MOBILE_PATH,
            tx,
          );
          const made = result.incidents[0];
          if (!made)
            throw new HttpError(400, '上报内容有误', { reason: result.rejected[0]?.reason ?? 'invalid' });
          const now = ctx.clock.now();
          await tx.run(
            sql`INSERT INTO worker_reports (key, worker_id, incident_id, at) VALUES (${r.key}, ${w.workerId}, ${made.id}, ${now})
              ON CONFLICT (key) DO NOTHING`,
          );
          const attached = await uploads.attach(made.id, r.photos, p.username, now, tx);
          if ('error' in attached) throw new HttpError(409, attached.error, { reason: 'too_many_photos' });
          await audit.append(tx, {
            actor: p.username,
            role: p.role,
            clientAddress: c.clientAddress,
            action: 'incident.create',
            objectType: 'incident',
            objectId: made.id,
            after: {
              category: r.category,
              source: 'grid_worker',
              lng: r.lng,
              lat: r.lat,
              gridCode,
              photos: r.photos.length,
            },
            result: 'ok',
            reason: made.isDuplicate ? 'duplicate' : null,
          });
          return made;
        });
        sendJson(c.res, outcome.isDuplicate ? 200 : 201, {
          ok: true,
          id: outcome.id,
          isDuplicate: outcome.isDuplicate,
        });
      },
    },
    {
      method: 'POST',
      path: '/api/m/tasks/:id/action',
      handler: async (c) => {
        const id = c.params.id ?? '';
        const body = parse(TaskActionSchema, await readJson(c.req, MOBILE_JSON_BYTES));
        const { p, w } = await signIn(c, `incident.worker_${body.action}`, id);
        const row = await oneTask(db, id, p.username);
        // Someone else's task answers as a missing one: a worker learns nothing of other cases.
        if (!row || row.assigneeKind !== 'worker' || row.assigneeId !== w.workerId) {
          await audit.appendAlone({
            actor: p.username,
            role: p.role,
            clientAddress: c.clientAddress,
            action: `incident.worker_${body.action}`,
            objectType: 'incident',
            objectId: id,
            result: 'denied',
            reason: row ? 'not_own_task' : 'unknown_incident',
          });
          throw new HttpError(404, '无此任务', { reason: 'not_own_task' });
        }
        await requirePhotos(body.photos);
        if (body.action === 'note' && !body.note && body.photos.length === 0)
          throw new HttpError(400, '请填写说明或添加照片', { reason: 'empty_note' });
        const outcome = await applyAction(id, row, body, p, w.workerId, c.clientAddress);
        // Thrown only now, after the transaction: a refusal's own audit row (the service writes one) stays.
        if (!outcome.ok) throw new HttpError(outcome.status, outcome.error, { reason: outcome.reason });
        const after = await oneTask(db, id, p.username);
        sendJson(c.res, 200, {
          ok: true,
          isDuplicate: outcome.isDuplicate,
          task: after ? await toTask(after) : null,
        });
      },
    },
    {
      method: 'POST',
      path: '/api/m/duty',
      handler: async (c) => {
        const body = parse(DutySchema, await readJson(c.req, MOBILE_JSON_BYTES));
        const { p, w } = await signIn(c, 'worker.duty');
        const at =
          body.lng !== undefined && body.lat !== undefined
            ? ([body.lng, body.lat] as [number, number])
            : lastPositionOf(w);
        if (!at) throw new HttpError(400, '无法确定位置，请打开定位后重试', { reason: 'no_position' });
        const now = ctx.clock.now();
        await publishPosition(w.workerId, at[0], at[1], body.onDuty ? 'on_duty' : 'off_duty', now);
        lastPositionAt.delete(w.workerId);
        await audit.appendAlone({
          actor: p.username,
          role: p.role,
          clientAddress: c.clientAddress,
          action: body.onDuty ? 'worker.check_in' : 'worker.check_out',
          objectType: 'worker',
          objectId: w.workerId,
          result: 'ok',
        });
        sendJson(c.res, 200, { ok: true, onDuty: body.onDuty });
      },
    },
    {
      method: 'POST',
      path: '/api/m/position',
      handler: async (c) => {
        const body = parse(PositionSchema, await readJson(c.req, MOBILE_JSON_BYTES));
        const { w } = await signIn(c, 'worker.position');
        if (!onDutyOf(w.workerId)) throw new HttpError(409, '未上班，不上报位置', { reason: 'off_duty' });
        const now = ctx.clock.now();
        const last = lastPositionAt.get(w.workerId);
        // The bound is the server's: a page that polls faster (or many tabs) cannot flood the walls.
        if (last !== undefined && now - last < POSITION_INTERVAL_MS - 1_000)
          throw new HttpError(429, '位置上报过于频繁', {
            reason: 'too_frequent',
            retryAfterMs: POSITION_INTERVAL_MS - (now - last),
          });
        await publishPosition(w.workerId, body.lng, body.lat, 'on_duty', Math.min(body.ts, now));
        lastPositionAt.delete(w.workerId);
        lastPositionAt.set(w.workerId, now);
        if (lastPositionAt.size > MAX_TRACKED_WORKERS) {
          const oldest = lastPositionAt.keys().next().value;
          if (oldest !== undefined) lastPositionAt.delete(oldest);
        }
        sendJson(c.res, 200, { ok: true, nextInMs: POSITION_INTERVAL_MS });
      },
    },
  ];
}
