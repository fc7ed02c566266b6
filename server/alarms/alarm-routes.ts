import { timingSafeEqual } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { SqlDb } from '../db/sql-db';
import { AiAlarmSchema } from '@/lib/alarms/ai-alarm';
import { AI_ALARM_LABELS, matchAiAlarm, type AlarmRules } from '@/lib/alarms/rules';
import { reasonFromZodError } from '@/lib/domain/common';
import type { Authorize } from '../auth/guard';
import { ANY_ROLE } from '../auth/guard';
import type { RegionGate } from '../auth/region-scope';
import { HttpError, MAX_BODY_BYTES, readBody, sendJson, type Route, type RouteContext } from '../http/router';
import type { IngestStats } from '../ingest/ingest-stats';
import type { AlarmIntake, AlarmOutcome } from './alarm-intake';
import { decodeSnapshot, SNAPSHOT_MIME, type SnapshotStore } from './snapshot-store';

const STATS_PATH = 'http:alarm';
/** Alarms in one POST (each may carry a 2 MB snapshot; the body limit bounds the total too). */
const MAX_ALARMS_PER_POST = 50;
const NOT_FOUND = '无此事件';

function isTokenValid(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.startsWith('Bearer ') ? header.slice(7) : '');
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

export interface AlarmRouteDeps {
  sql: SqlDb;
  /** INGEST_TOKEN: AI platforms are ingest sources like any other. */
  token: string | undefined;
  intake: AlarmIntake;
  rules: AlarmRules;
  snapshots: SnapshotStore;
  stats: IngestStats;
  authorize: Authorize;
  regions: RegionGate;
}

/**
 * `POST /api/ingest/alarms` (AI video analysis: JSON, one alarm or an array, snapshot base64) and
 * `GET /api/incidents/:id/snapshot` (the alarm's picture, for whoever may see the incident).
 */
export function createAlarmRoutes(deps: AlarmRouteDeps): Route[] {
  const { intake, stats } = deps;
  const incidentOf = (id: string) =>
    deps.sql.get<{ gridCode: string | null; sha: string | null }>(
      sql`SELECT grid_code AS "gridCode", snapshot_sha256 AS sha FROM incidents WHERE id = ${id}`,
    );

  const ingest = async (ctx: RouteContext) => {
    if (!deps.token) throw new HttpError(404, 'HTTP ingest is disabled (INGEST_TOKEN unset)');
    if (!isTokenValid(ctx.req.headers.authorization, deps.token))
      throw new HttpError(401, 'bad ingest token');
    const refuse = (status: number, reason: string, error: string) => {
      stats.reject(STATS_PATH, reason);
      if (status === 413) ctx.res.setHeader('connection', 'close');
      sendJson(ctx.res, status, { accepted: 0, rejected: [{ index: -1, reason }], error });
    };
    const type = (ctx.req.headers['content-type'] ?? 'application/json').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json')
      return refuse(
        415,
        'unsupported_content_type',
        'Content-Type must be application/json (snapshot as base64)',
      );
    let body: unknown;
    try {
      body = JSON.parse(await readBody(ctx.req, MAX_BODY_BYTES));
    } catch (err) {
      return err instanceof HttpError
        ? refuse(413, 'body_too_large', `body over ${MAX_BODY_BYTES} bytes`)
        : refuse(400, 'bad_json', 'body is not JSON');
    }
    const list = Array.isArray(body) ? body : [body];
    if (list.length === 0) return refuse(400, 'empty_push', 'no alarm in the body');
    if (list.length > MAX_ALARMS_PER_POST)
      return refuse(413, 'too_many_alarms', `at most ${MAX_ALARMS_PER_POST} alarms per request`);
    const results: ({ index: number; id?: string } & AlarmOutcome)[] = [];
    // One at a time, in order: alarms of one camera in one push fold into one incident as they would apart.
    for (const [index, item] of list.entries()) {
      const parsed = AiAlarmSchema.safeParse(item);
      if (!parsed.success) {
        const reason = reasonFromZodError(parsed.error);
        stats.reject(STATS_PATH, reason, { ...(item as object), snapshot: undefined });
        results.push({ index, status: 'rejected', reason });
        continue;
      }
      const a = parsed.data;
      const snap = a.snapshot === undefined ? null : decodeSnapshot(a.snapshot);
      if (snap && !snap.ok) {
        stats.reject(STATS_PATH, snap.reason, `${a.cameraId} ${a.type}`);
        results.push({ index, id: a.id, status: 'rejected', reason: snap.reason });
        continue;
      }
      const outcome = await intake.handle(
        {
          cameraId: a.cameraId,
          kind: `ai-${a.type}`,
          outcome: matchAiAlarm(deps.rules, a.type),
          priority: null,
          time: a.time,
          lng: a.lng,
          lat: a.lat,
          crs: a.crs,
          detail: [
            a.description,
            `AI分析告警：${AI_ALARM_LABELS[a.type] ?? a.type}（${a.type}）`,
            a.confidence === undefined ? null : `置信度 ${Math.round(a.confidence * 100)}%`,
            a.id ? `平台告警编号 ${a.id}` : null,
          ]
            .filter(Boolean)
            .join('\n'),
          snapshot: snap,
        },
        STATS_PATH,
      );
      results.push({ index, id: a.id, ...outcome });
    }
    const accepted = results.filter((r) => r.status === 'created').length;
    const rejected = results.filter((r) => r.status === 'rejected');
    sendJson(ctx.res, rejected.length === results.length ? 400 : 202, {
      accepted,
      duplicates: results.filter((r) => r.status === 'duplicate').length,
      ignored: results.filter((r) => r.status === 'ignored').length,
      rejected: rejected.map((r) => ({ index: r.index, reason: r.status === 'rejected' ? r.reason : '' })),
      results,
    });
  };

  const snapshot = async (ctx: RouteContext) => {
    const id = ctx.params.id ?? '';
    const p = deps.authorize(ctx, {
      roles: ANY_ROLE,
      action: 'incident.snapshot',
      objectType: 'incident',
      objectId: id,
    });
    const row = await incidentOf(id);
    if (!row) throw new HttpError(404, NOT_FOUND);
    deps.regions.require(ctx, p, deps.regions.hasIncident(p, row.gridCode), {
      action: 'incident.snapshot',
      objectType: 'incident',
      objectId: id,
      notFound: NOT_FOUND,
    });
    const found = row.sha ? await deps.snapshots.read(row.sha) : null;
    if (!found) throw new HttpError(404, '该事件无抓拍图');
    ctx.res.writeHead(200, {
      'content-type': SNAPSHOT_MIME[found.type],
      'content-length': found.bytes.length,
      'cache-control': 'private, max-age=86400, immutable',
      'x-content-type-options': 'nosniff',
    });
    ctx.res.end(found.bytes);
  };

  return [
    { method: 'POST', path: '/api/ingest/alarms', handler: ingest },
    { method: 'GET', path: '/api/incidents/:id/snapshot', handler: snapshot },
  ];
}
