import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Clock } from '@/lib/clock';
import { INCIDENT_CATEGORIES, INCIDENT_STATES, TERMINAL_STATES } from '@/lib/domain/enums';
import { IncidentCommandSchema, MAX_NOTE_CHARS, type IncidentCommand } from '@/lib/domain/incident-lifecycle';
import { isWithinRegion } from '@/lib/domain/region-code';
import {
  activeTimeLimits,
  compareUrgency,
  timeLimitStatus,
  type TimeLimitConfig,
} from '@/lib/domain/time-limits';
import { HttpError, readJson, sendJson, type Principal, type Route, type RouteContext } from '../http/router';
import type { Authorize } from '../auth/guard';
import { ANY_ROLE } from '../auth/guard';
import { canSeePersonalData, maskIncidentView, maskText } from '../auth/personal-data';
import type { RegionGate } from '../auth/region-scope';
import type { SqlDb } from '../db/sql-db';
import type { IncidentVariant } from '../live/incident-board';
import type { DispatchLive, DispatchService } from './dispatch-service';
import {
  INCIDENT_COLUMNS,
  TIMELINE_SELECT,
  assigneeNameOf,
  describeTimeline,
  timelineNameRefs,
  toIncidentView,
  type IncidentEventRow,
  type IncidentRow,
} from './incident-view';
import { createNameLookup } from './name-lookup';

const COMMAND_BODY_MAX_BYTES = 16 * 1024;
export const INCIDENT_LIST_MAX = 500;
const NOT_FOUND = '无此事件';

const Note = z.string().max(MAX_NOTE_CHARS).optional();
const AssignBodySchema = z
  .object({
    vehicleId: z.string().min(1).max(64).optional(),
    workerId: z.string().min(1).max(64).optional(),
    departmentId: z.string().min(1).max(64).optional(),
    note: Note,
  })
  .refine(
    (b) => [b.vehicleId, b.workerId, b.departmentId].filter(Boolean).length === 1,
    '须且只能指定 vehicleId、workerId、departmentId 之一',
  );
const TransitionBodySchema = z.object({ to: z.enum(INCIDENT_STATES), note: Note });
const SuperviseBodySchema = z.object({ level: z.number().int().min(0).max(3), note: Note });
const FollowUpBodySchema = z.object({ satisfaction: z.number().int().min(1).max(5), note: Note });

async function parseBody<T extends z.ZodType>(ctx: RouteContext, schema: T): Promise<z.infer<T>> {
  const parsed = schema.safeParse(await readJson(ctx.req, COMMAND_BODY_MAX_BYTES));
  if (!parsed.success)
    throw new HttpError(400, parsed.error.issues[0]?.message ?? '请求无效', parsed.error.issues);
  return parsed.data;
}

export interface IncidentRouteDeps {
  sql: SqlDb;
  live: DispatchLive;
  service: DispatchService;
  authorize: Authorize;
  clock: Clock;
  regions: RegionGate;
  timeLimits?: TimeLimitConfig;
}

/**
 * Whether free text goes out masked (phone and ID numbers): for every principal not entitled to personal
 * data, and for any caller that asks (`?mask=1`: a wall, seen by a room).
 */
function isFreeTextMasked(ctx: RouteContext, p: Principal): boolean {
  return !canSeePersonalData(p) || ctx.url.searchParams.get('mask') === '1';
}

/**
 * DESIGN §4: the incident, its commands (assign, transition, supervise, follow-up), the queue and 督办 list.
 * Every read and command is clamped to the principal's region (outside reads as missing), and free text is
 * masked on the server for whoever may not read personal data.
 */
export function createIncidentRoutes(deps: IncidentRouteDeps): Route[] {
  const { sql: db, service, authorize, clock, regions } = deps;
  // Read per request: an admin changes the active limits at run time (server/admin/time-limit-routes.ts).
  const limitsNow = () => deps.timeLimits ?? activeTimeLimits();
  const selectOne = (id: string) =>
    db.get<IncidentRow>(sql`${sql.raw(`SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE id =`)} ${id}`);
  const names = createNameLookup(db);
  const selectEvents = (id: string) =>
    db.all<IncidentEventRow>(sql`${TIMELINE_SELECT} ${id} ORDER BY at, id`);

  const command =
    (action: string, toCommand: (ctx: RouteContext) => Promise<IncidentCommand>) =>
    async (ctx: RouteContext) => {
      const id = ctx.params.id ?? '';
      // Role rules live in the lifecycle; here only "signed in, not a display, right origin" is checked.
      const p = authorize(ctx, {
        roles: ['admin', 'leader', 'dispatcher'],
        action,
        objectType: 'incident',
        objectId: id,
      });
      const row = await selectOne(id);
      // A missing incident is the service's 404; one in another town is the same 404, and logged here.
      if (row)
        regions.require(ctx, p, regions.hasIncident(p, row.gridCode), {
          action,
          objectType: 'incident',
          objectId: id,
          notFound: NOT_FOUND,
        });
      const cmd = IncidentCommandSchema.parse(await toCommand(ctx));
      const outcome = await service.execute(id, cmd, p, ctx.clientAddress);
      if (!outcome.ok) throw new HttpError(outcome.status, outcome.error, { reason: outcome.reason });
      sendJson(ctx.res, 200, {
        incident: isFreeTextMasked(ctx, p) ? maskIncidentView(outcome.view) : outcome.view,
        timeLimits: timeLimitStatus(outcome.view, clock.now(), limitsNow()),
      });
    };

  const assign = command('incident.assign', async (ctx) => {
    const b = await parseBody(ctx, AssignBodySchema);
    const assignee = b.vehicleId
      ? { kind: 'vehicle' as const, id: b.vehicleId }
      : b.workerId
        ? { kind: 'worker' as const, id: b.workerId }
        : { kind: 'department' as const, id: b.departmentId! };
    return { type: 'assign', assignee, note: b.note };
  });
  const transition = command('incident.transition', async (ctx) => ({
    type: 'transition',
    ...(await parseBody(ctx, TransitionBodySchema)),
  }));
  const supervise = command('incident.supervise', async (ctx) => ({
    type: 'supervise',
    ...(await parseBody(ctx, SuperviseBodySchema)),
  }));
  const followUp = command('incident.follow_up', async (ctx) => ({
    type: 'follow_up',
    ...(await parseBody(ctx, FollowUpBodySchema)),
  }));

  const getOne = async (ctx: RouteContext) => {
    const id = ctx.params.id ?? '';
    const p = authorize(ctx, {
      roles: ANY_ROLE,
      action: 'incident.read',
      objectType: 'incident',
      objectId: id,
    });
    const row = await selectOne(id);
    if (!row) throw new HttpError(404, NOT_FOUND);
    regions.require(ctx, p, regions.hasIncident(p, row.gridCode), {
      action: 'incident.read',
      objectType: 'incident',
      objectId: id,
      notFound: NOT_FOUND,
    });
    const canSeePersonal = canSeePersonalData(p);
    // Names, not ids, on every page; a wall (`?mask=1`, seen by a room) gets personal names masked.
    const isMasked = isFreeTextMasked(ctx, p);
    const eventRows = await selectEvents(id);
    const named = await names.load(timelineNameRefs(row, eventRows));
    const events = describeTimeline(eventRows, named, isMasked).map((e) =>
      isMasked ? { ...e, note: maskText(e.note) } : e,
    );
    const view = toIncidentView(row);
    sendJson(ctx.res, 200, {
      incident: {
        ...(isMasked ? maskIncidentView(view) : view),
        detail: isMasked ? maskText(row.detail) : row.detail,
        // The number the source itself uses (a 12345 work order, a 110 case): the id may be qualified.
        sourceRef: row.sourceRef ?? row.id,
        satisfaction: row.satisfaction,
        closedAt: row.closedAt,
        reporter: canSeePersonal ? row.reporter : null,
        phone: canSeePersonal ? row.phone : null,
        assigneeName: assigneeNameOf(row, named, isMasked),
      },
      timeLimits: timeLimitStatus(view, clock.now(), limitsNow()),
      timeline: events,
    });
  };

  /** Which of the board's copies a principal is shown (the masked one is made once per incident version). */
  const variantFor = (ctx: RouteContext, p: Principal): IncidentVariant =>
    isFreeTextMasked(ctx, p) ? 'masked' : 'raw';

  /** Open incidents (from the live board), filtered and in queue order (closed ones are in SQLite and the audit log). */
  const list = (ctx: RouteContext) => {
    const p = authorize(ctx, { roles: ANY_ROLE, action: 'incident.list', objectType: 'incident' });
    const q = ctx.url.searchParams;
    const category = q.get('category');
    const region = regions.regionParam(ctx, p, q.get('region'), 'incident.list');
    const states = new Set((q.get('state') ?? '').split(',').filter(Boolean));
    if (category && !(INCIDENT_CATEGORIES as readonly string[]).includes(category))
      throw new HttpError(400, '未知类别');
    const now = clock.now();
    const views = deps.live.incidents.snapshot(
      (v) =>
        (!category || v.category === category) &&
        (!region || isWithinRegion(v.gridCode, region)) &&
        (states.size === 0 || states.has(v.state)),
      variantFor(ctx, p),
    );
    const limits = limitsNow();
    views.sort((a, b) => compareUrgency(a, b, now, limits));
    const limit = Math.min(Number(q.get('limit')) || INCIDENT_LIST_MAX, INCIDENT_LIST_MAX);
    sendJson(ctx.res, 200, {
      total: views.length,
      incidents: views.slice(0, limit).map((v) => ({ ...v, timeLimits: timeLimitStatus(v, now, limits) })),
    });
  };

  /** 督办 list: open incidents that are overdue or flagged by a leader, flagged (red card first) then most late. */
  const supervision = (ctx: RouteContext) => {
    const p = authorize(ctx, {
      roles: ANY_ROLE,
      action: 'incident.supervision_list',
      objectType: 'incident',
    });
    const now = clock.now();
    const rows = deps.live.incidents
      .snapshot(
        (v) => !TERMINAL_STATES.has(v.state) && regions.hasIncident(p, v.gridCode),
        variantFor(ctx, p),
      )
      .map((v) => ({ ...v, timeLimits: timeLimitStatus(v, now, limitsNow()) }))
      .filter((v) => v.supervision > 0 || v.timeLimits.isOverdue);
    rows.sort(
      (a, b) =>
        b.supervision - a.supervision ||
        (a.timeLimits.next?.remainingMs ?? 0) - (b.timeLimits.next?.remainingMs ?? 0) ||
        (a.id < b.id ? -1 : 1),
    );
    sendJson(ctx.res, 200, { total: rows.length, incidents: rows.slice(0, INCIDENT_LIST_MAX) });
  };

  /** The console and walls compute lamps locally (they move every second); they must use the server's limits. */
  const timeLimits = (ctx: RouteContext) => {
    authorize(ctx, { roles: ANY_ROLE, action: 'time_limits.read', objectType: 'config' });
    sendJson(ctx.res, 200, limitsNow());
  };

  return [
    { method: 'GET', path: '/api/time-limits', handler: timeLimits },
    { method: 'GET', path: '/api/incidents', handler: list },
    { method: 'GET', path: '/api/supervision', handler: supervision },
    { method: 'GET', path: '/api/incidents/:id', handler: getOne },
    { method: 'POST', path: '/api/incidents/:id/assign', handler: assign },
    { method: 'POST', path: '/api/incidents/:id/transition', handler: transition },
    { method: 'POST', path: '/api/incidents/:id/supervise', handler: supervise },
    { method: 'POST', path: '/api/incidents/:id/follow-up', handler: followUp },
  ];
}
