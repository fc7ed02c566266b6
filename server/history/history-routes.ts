/**
 * `GET /api/history/track/{vehicle|worker}/:id`, `/api/history/frame`, `/api/history/incidents` (DESIGN §4):
 * thin handlers that parse, clamp to the principal's region, call the reader and answer.
 */
import { CAMERA_STATUSES, VEHICLE_STATUSES, WORKER_STATUSES } from '@/lib/domain/enums';
import { isRegionCode } from '@/lib/domain/region-code';
import { packFrame, type TrackPoint, type TrackResponse } from '@/lib/history/contract';
import { findStops, trackDistanceM } from '@/lib/history/track-summary';
import type { EntityKind, PositionOrigin } from '@/lib/realtime/position-codec';
import { canSeePersonalData, maskText } from '../auth/personal-data';
import type { RegionGate } from '../auth/region-scope';
import { HttpError, sendJson, type Principal, type Route, type RouteContext } from '../http/router';
import type { LiveState } from '../live/live-state';
import type { Scope } from '../realtime/scope';
import type { SqlDb } from '../db/sql-db';
import { historyIncidents } from './history-incidents';
import { createIncidentPlaybackRoute } from './incident-playback';
import { TRACK_MAX_SPAN_MS } from './history-reader';
import { readHistory, type HistoryReads } from './history-protocol';

const STATUS_NAMES: Record<EntityKind, readonly string[]> = {
  vehicle: VEHICLE_STATUSES,
  worker: WORKER_STATUSES,
  camera: CAMERA_STATUSES,
};
/** The incidents listing covers at most a month (a 旬/月 briefing), so one answer stays bounded. */
const INCIDENTS_MAX_SPAN_MS = 31 * 86_400_000;

export interface HistoryRouteDeps {
  /** The system of record: incidents and their timelines (position history's file holds none beside PostgreSQL). */
  sql: SqlDb;
  live: LiveState;
  reads: HistoryReads;
  origin: () => PositionOrigin;
  /** The wall's scope for a region code (its box), or null when the territory has no such region. */
  resolveScope: (regionCode: string) => Scope | null;
  isOpen: boolean;
  /** The app's one region rule (server/auth/region-scope.ts): region parameters, registry membership. */
  regions: RegionGate;
}

function timeParam(ctx: RouteContext, name: string, fallback?: number): number {
  const raw = ctx.url.searchParams.get(name);
  if (raw === null || raw === '') {
    if (fallback !== undefined) return fallback;
    throw new HttpError(400, `${name} is required (epoch ms or ISO-8601)`);
  }
  const t = /^\d{1,16}$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(t)) throw new HttpError(400, `${name} must be epoch ms or ISO-8601`);
  return t;
}

export function createHistoryRoutes(d: HistoryRouteDeps): Route[] {
  const signedIn = (ctx: RouteContext): Principal | null => {
    if (!ctx.principal && !d.isOpen) throw new HttpError(401, '请先登录');
    return ctx.principal;
  };
  /** `region=` clamped by the shared rule; an open (no-auth) server takes it as asked, validated. */
  const regionOf = (ctx: RouteContext, p: Principal | null, action: string): string | null => {
    const raw = ctx.url.searchParams.get('region');
    if (p) return d.regions.regionParam(ctx, p, raw, action);
    if (raw && !isRegionCode(raw)) throw new HttpError(400, 'region must be a region code');
    return raw || null;
  };

  return [
    createIncidentPlaybackRoute({ sql: d.sql, reads: d.reads, regions: d.regions, isOpen: d.isOpen }),
    {
      method: 'GET',
      path: '/api/history/track/:kind/:id',
      handler: async (ctx) => {
        const p = signedIn(ctx);
        const kind = ctx.params.kind;
        if (kind !== 'vehicle' && kind !== 'worker')
          throw new HttpError(404, 'kind must be vehicle or worker');
        const id = ctx.params.id ?? '';
        if (id.length < 1 || id.length > 64) throw new HttpError(400, 'id must be 1..64 characters');
        const to = timeParam(ctx, 'to', Date.now());
        const from = timeParam(ctx, 'from', to - 86_400_000);
        if (from > to) throw new HttpError(400, 'from must not be after to');
        if (to - from > TRACK_MAX_SPAN_MS)
          throw new HttpError(400, `a track spans at most ${TRACK_MAX_SPAN_MS / 86_400_000} days`);
        const { points, isTruncated } = await readHistory(() => d.reads.track(kind, id, from, to));
        const names = STATUS_NAMES[kind];
        let out: TrackPoint[] = points.map((q) => ({
          ts: q.ts,
          lng: q.lngE6 / 1e6,
          lat: q.latE6 / 1e6,
          speed: q.speed10 / 10,
          heading: q.heading,
          status: names[q.status] ?? 'unknown',
        }));
        // Scoped principals: a unit registered in their region (a worker of their grids, a vehicle of a
        // department serving it) is theirs whole; anyone else only while inside the region's box (what that
        // region's wall drew). Nothing left reads as missing, logged as a denial like any out-of-region read.
        const own = p?.regionCode ?? null;
        if (p && own !== null && !(await d.regions.hasEntity(p, kind, id))) {
          const scope = d.resolveScope(own);
          out = scope ? out.filter((q) => scope.containsPoint(q.lng, q.lat)) : [];
          if (out.length === 0)
            d.regions.require(ctx, p, false, {
              action: 'history.track',
              objectType: kind,
              objectId: id,
              notFound: `no ${kind} ${id}`,
            });
        }
        const body: TrackResponse = {
          kind,
          id,
          from,
          to,
          points: out,
          stops: findStops(out),
          distanceM: trackDistanceM(out),
          isTruncated,
        };
        sendJson(ctx.res, 200, body);
      },
    },
    {
      method: 'GET',
      path: '/api/history/frame',
      handler: async (ctx) => {
        const p = signedIn(ctx);
        const at = timeParam(ctx, 'at');
        const region = regionOf(ctx, p, 'history.frame');
        const scope = region === null ? null : d.resolveScope(region);
        if (region !== null && !scope) throw new HttpError(404, 'unknown region');
        const cut = scope?.regionCode ? { code: scope.regionCode, bbox: scope.bbox } : null;
        const batches = await readHistory(() => d.reads.frame(at, d.origin(), cut));
        const body = packFrame(at, batches);
        ctx.res.writeHead(200, {
          'content-type': 'application/octet-stream',
          'content-length': body.byteLength,
          'cache-control': 'no-store',
          'x-pingan-epoch': d.live.epoch,
        });
        ctx.res.end(body);
      },
    },
    {
      method: 'GET',
      path: '/api/history/incidents',
      handler: async (ctx) => {
        const p = signedIn(ctx);
        const to = timeParam(ctx, 'to', Date.now());
        const from = timeParam(ctx, 'from', to - 86_400_000);
        if (from > to || to - from > INCIDENTS_MAX_SPAN_MS)
          throw new HttpError(400, 'from..to must be 0..31 days');
        const region = regionOf(ctx, p, 'history.incidents');
        const body = await historyIncidents(d.sql, from, to, region);
        if (!canSeePersonalData(p))
          for (const i of body.incidents) for (const e of i.timeline) e.note = maskText(e.note);
        sendJson(ctx.res, 200, body);
      },
    },
  ];
}
