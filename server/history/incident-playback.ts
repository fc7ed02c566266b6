/**
 * `GET /api/history/incident/:id/playback` (处置回放, issue 17): an incident's steps joined with its unit's
 * track from dispatch to arrival, so a view draws who went, by which way, and when each step happened.
 * Read access is the incident's own: a desk role, and the incident's grid inside the principal's region
 * (outside reads as missing, like GET /api/incidents/:id).
 */
import { sql } from 'drizzle-orm';
import type { AssigneeKind } from '@/lib/domain/incident';
import type { TrackPoint } from '@/lib/history/contract';
import {
  arriveMs,
  assigneeOf,
  playbackSteps,
  routeWindow,
  type IncidentPlaybackResponse,
  type PlaybackEvent,
} from '@/lib/history/playback';
import { holdingAt } from '@/lib/history/replay-model';
import { trackDistanceM } from '@/lib/history/track-summary';
import { VEHICLE_STATUSES, WORKER_STATUSES } from '@/lib/domain/enums';
import { ANY_ROLE } from '../auth/guard';
import { canSeePersonalData, maskText } from '../auth/personal-data';
import type { RegionGate } from '../auth/region-scope';
import { createNameLookup } from '../dispatch/name-lookup';
import type { SqlDb } from '../db/sql-db';
import { HttpError, sendJson, type Route, type RouteContext } from '../http/router';
import { readHistory, type HistoryReads } from './history-protocol';

const NOT_FOUND = '无此事件';

interface IncidentRow {
  id: string;
  title: string;
  category: string;
  priority: number;
  state: string;
  lng: number;
  lat: number;
  gridCode: string | null;
  reportedAt: number;
  closedAt: number | null;
  assigneeKind: string | null;
  assigneeId: string | null;
}

export function createIncidentPlaybackRoute(d: {
  /** The system of record (incidents, their events, unit names): never position history's file. */
  sql: SqlDb;
  reads: HistoryReads;
  regions: RegionGate;
  isOpen: boolean;
  now?: () => number;
}): Route {
  const selectIncident = (id: string) =>
    d.sql.get<IncidentRow>(
      sql`SELECT id, title, category, priority, state, lng, lat, grid_code AS "gridCode", reported_at AS "reportedAt",
                 closed_at AS "closedAt", assignee_kind AS "assigneeKind", assignee_id AS "assigneeId"
          FROM incidents WHERE id = ${id}`,
    );
  const selectEvents = (id: string) =>
    d.sql.all<PlaybackEvent>(
      sql`SELECT at, type, to_state AS "toState", data FROM incident_events WHERE incident_id = ${id} ORDER BY at, id`,
    );
  const names = createNameLookup(d.sql);
  const now = d.now ?? Date.now;

  const handler = async (ctx: RouteContext) => {
    const p = ctx.principal;
    if (!p && !d.isOpen) throw new HttpError(401, '请先登录');
    if (p && !ANY_ROLE.includes(p.role))
      throw new HttpError(403, '无权执行此操作', { reason: `role_${p.role}` });
    const id = ctx.params.id ?? '';
    if (id.length < 1 || id.length > 128) throw new HttpError(400, 'id must be 1..128 characters');
    const row = await selectIncident(id);
    if (!row) throw new HttpError(404, NOT_FOUND);
    if (p)
      d.regions.require(ctx, p, d.regions.hasIncident(p, row.gridCode), {
        action: 'history.incident_playback',
        objectType: 'incident',
        objectId: id,
        notFound: NOT_FOUND,
      });
    // As the incident's own detail: masked for anyone without personal-data rights, and for a wall (`mask=1`).
    const isMasked = !p || !canSeePersonalData(p) || ctx.url.searchParams.get('mask') === '1';
    const at = atParam(ctx);
    const events = await selectEvents(id);
    let unitRef = row.assigneeKind && row.assigneeId ? { kind: row.assigneeKind, id: row.assigneeId } : null;
    let own = events;
    let end = now();
    let holding: IncidentPlaybackResponse['holding'];
    if (at !== null) {
      // Replay: the unit that held the case then, by replay's own rule, played until it was relieved (what
      // came after is another unit's, or nobody's).
      const h = holdingAt({ ...row, timeline: events.map(withAssignee) }, at);
      unitRef = h.unit;
      const until = h.to;
      if (until !== null) {
        own = events.filter((e) => e.at < until);
        end = Math.min(end, until);
      }
      // Held by nobody (not sent yet, or after a 退单): no one's dispatch or arrival to show.
      if (!unitRef) own = own.filter((e) => e.type !== 'assign' && e.toState !== 'on_scene');
      holding = { from: h.from, to: h.to };
    }
    const steps = playbackSteps(row.reportedAt, own, unitRef);
    const win = routeWindow(steps, end);
    let route: IncidentPlaybackResponse['route'] = null;
    if (win && unitRef && (unitRef.kind === 'vehicle' || unitRef.kind === 'worker')) {
      const kind = unitRef.kind;
      const statusNames = kind === 'vehicle' ? VEHICLE_STATUSES : WORKER_STATUSES;
      const ref = unitRef;
      const t = await readHistory(() => d.reads.track(kind, ref.id, win.from, win.to));
      const points: TrackPoint[] = t.points.map((q) => ({
        ts: q.ts,
        lng: q.lngE6 / 1e6,
        lat: q.latE6 / 1e6,
        speed: q.speed10 / 10,
        heading: q.heading,
        status: statusNames[q.status] ?? 'unknown',
      }));
      route = { ...win, points, distanceM: trackDistanceM(points), isTruncated: t.isTruncated };
    }
    const unitName = unitRef
      ? (await names.load({ assignees: [[unitRef.kind as AssigneeKind, unitRef.id]] })).assignee(
          unitRef.kind as AssigneeKind,
          unitRef.id,
          { isMasked },
        )
      : null;
    const body: IncidentPlaybackResponse = {
      incident: {
        id: row.id,
        title: isMasked ? (maskText(row.title) ?? '') : row.title,
        category: row.category,
        priority: row.priority,
        state: row.state,
        lng: row.lng,
        lat: row.lat,
        reportedAt: row.reportedAt,
        closedAt: row.closedAt,
      },
      unit: unitRef
        ? {
            kind: unitRef.kind as AssigneeKind,
            id: unitRef.id,
            name: unitName ?? unitRef.id,
          }
        : null,
      steps,
      route,
      arriveMs: arriveMs(steps),
      ...(holding ? { holding } : {}),
    };
    sendJson(ctx.res, 200, body);
  };
  return { method: 'GET', path: '/api/history/incident/:id/playback', handler };
}

/** `at=` (epoch ms, optional): the replay instant the playback is asked for. */
function atParam(ctx: RouteContext): number | null {
  const raw = ctx.url.searchParams.get('at');
  if (raw === null) return null;
  const at = Number(raw);
  if (raw.trim() === '' || !Number.isSafeInteger(at) || at < 0)
    throw new HttpError(400, 'at must be epoch milliseconds');
  return at;
}

/** An event as replay's assignment rule reads it: an assign step names its unit. */
function withAssignee(e: PlaybackEvent) {
  const a = e.type === 'assign' ? assigneeOf(e.data) : null;
  return a ? { ...e, assigneeKind: a.kind, assigneeId: a.id } : e;
}
