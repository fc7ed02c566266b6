import { sql } from 'drizzle-orm';
import { ANY_ROLE } from '../auth/guard';
import type { SqlAudit } from '../audit/audit-append';
import type { SqlDb } from '../db/sql-db';
import type { Authorize } from '../auth/guard';
import type { RegionGate } from '../auth/region-scope';
import type { IncomingMessage } from 'node:http';
import { HttpError, sendJson, type Route, type RouteContext } from '../http/router';
import type { Clock } from '@/lib/clock';
import { photoUrls, type AttachmentList } from '@/lib/uploads/attachments';
import type { IngestStats } from '../ingest/ingest-stats';
import type { Logger } from '../logger';
import { HASH_PATTERN, isRejection, MAX_UPLOAD_BYTES, processPhoto } from './photo';
import type { UploadStore } from './upload-store';

/** Refused uploads are counted under this ingest path (`upload/heic_unsupported`, `upload/too_large`…). */
export const UPLOAD_PATH = 'upload';
/** Roles that upload photos: the grid worker's phone, and a department with its 反馈 and 办结. */
const UPLOAD_ROLES = ['worker', 'department'] as const;
/**
 * Roles that may read a photo: the desk (by the incident's region), the worker who may see the incident, and a
 * department the incident was handed to.
 */
const READ_ROLES = [...ANY_ROLE, 'worker', 'department'] as const;

/**
 * POST /api/m/uploads (the worker's phone) and POST /api/dept/uploads (a department's page), both a raw image
 * body ≤ MAX_UPLOAD_BYTES through the same checks; GET /api/uploads/:hash[?thumb=1] and
 * GET /api/incidents/:id/attachments. A photo is served only to a principal who may see an incident it is
 * attached to: a desk role inside the incident's region; a worker whose task or report it is, or who sent it;
 * a department the incident was ever handed to (inside the account's region), or that sent it.
 * Anything else answers 404, as a photo that does not exist (its existence is not confirmed).
 */
export function createUploadRoutes(deps: {
  sql: SqlDb;
  store: UploadStore;
  authorize: Authorize;
  regions: RegionGate;
  audit: SqlAudit;
  clock: Clock;
  logger: Logger;
  /** Refused uploads are counted by reason here (/api/health, /metrics), like refused ingest. */
  stats: Pick<IngestStats, 'reject'>;
}): Route[] {
  const { store, authorize, regions } = deps;
  const { sql: db, audit } = deps;
  const workerOfUser = async (username: string) =>
    (await db.get<{ id: string | null }>(sql`SELECT worker_id AS id FROM users WHERE username = ${username}`))
      ?.id ?? null;
  const isReportedBy = async (incidentId: string, workerId: string) =>
    (await db.get(
      sql`SELECT 1 AS x FROM worker_reports WHERE incident_id = ${incidentId} AND worker_id = ${workerId}`,
    )) !== undefined;
  const departmentOfUser = async (username: string) =>
    (
      await db.get<{ id: string | null }>(
        sql`SELECT department_id AS id FROM users WHERE username = ${username} AND role = 'department'`,
      )
    )?.id ?? null;
  // Ever handed, not only now: a department that 办结'd or 退回'd a case still reads its own evidence.
  // `->>` reads the JSON text on SQLite and the jsonb on PostgreSQL alike.
  const wasHandedTo = async (incidentId: string, departmentId: string) =>
    (await db.get(
      sql`SELECT 1 AS x FROM incident_events WHERE incident_id = ${incidentId} AND type = 'assign'
            AND data ->> 'assigneeKind' = 'department' AND data ->> 'assigneeId' = ${departmentId}
          LIMIT 1`,
    )) !== undefined;
  const incidentGrid = (id: string) =>
    db.get<{ gridCode: string | null; snapshotSha: string | null }>(
      sql`SELECT grid_code AS "gridCode", snapshot_sha256 AS "snapshotSha" FROM incidents WHERE id = ${id}`,
    );
  const tooLarge = (user: string) => {
    deps.stats.reject(UPLOAD_PATH, 'too_large', { user });
    return new HttpError(413, `照片超过 ${MAX_UPLOAD_BYTES / 1024 / 1024} MB`, { reason: 'too_large' });
  };

  const upload = async (ctx: RouteContext) => {
    const p = authorize(ctx, { roles: UPLOAD_ROLES, action: 'upload.create', objectType: 'upload' });
    if (Number(ctx.req.headers['content-length']) > MAX_UPLOAD_BYTES) throw tooLarge(p.username);
    let body: Buffer;
    try {
      body = await readRawBody(ctx.req, MAX_UPLOAD_BYTES);
    } catch (err) {
      if (err instanceof HttpError && err.status === 413) throw tooLarge(p.username);
      throw err;
    }
    const photo = await processPhoto(body);
    if (isRejection(photo)) {
      deps.stats.reject(UPLOAD_PATH, photo.reason, { user: p.username, bytes: body.length });
      throw new HttpError(photo.status, photo.message, { reason: photo.reason });
    }
    const isNew = await db.transaction(async (tx) => {
      const saved = await store.save(photo, p.username, deps.clock.now(), tx);
      if (saved.isNew)
        await audit.append(tx, {
          actor: p.username,
          role: p.role,
          clientAddress: ctx.clientAddress,
          action: 'upload.create',
          objectType: 'upload',
          objectId: photo.hash,
          after: { bytes: photo.data.length, width: photo.width, height: photo.height },
          result: 'ok',
        });
      return saved.isNew;
    });
    sendJson(ctx.res, isNew ? 201 : 200, {
      ok: true,
      hash: photo.hash,
      width: photo.width,
      height: photo.height,
      isNew,
    });
  };

  return [
    { method: 'POST', path: '/api/m/uploads', handler: upload },
    { method: 'POST', path: '/api/dept/uploads', handler: upload },
    {
      method: 'GET',
      path: '/api/uploads/:hash',
      handler: async (ctx) => {
        const hash = ctx.params.hash ?? '';
        const p = authorize(ctx, {
          roles: READ_ROLES,
          action: 'upload.read',
          objectType: 'upload',
          objectId: hash,
        });
        const NOT_FOUND = new HttpError(404, '无此照片');
        const upload = HASH_PATTERN.test(hash) ? await store.exists(hash) : null;
        if (!upload) throw NOT_FOUND;
        const attachedTo = await store.incidentsOf(hash);
        let mayRead = false;
        if (p.role === 'worker') {
          const workerId = await workerOfUser(p.username);
          mayRead = upload.createdBy === p.username;
          for (const i of attachedTo) {
            if (mayRead || workerId === null) break;
            mayRead =
              (i.assigneeKind === 'worker' && i.assigneeId === workerId) ||
              (await isReportedBy(i.incidentId, workerId));
          }
        } else if (p.role === 'department') {
          const departmentId = await departmentOfUser(p.username);
          mayRead = upload.createdBy === p.username;
          for (const i of attachedTo) {
            if (mayRead || departmentId === null) break;
            mayRead = regions.hasIncident(p, i.gridCode) && (await wasHandedTo(i.incidentId, departmentId));
          }
        } else {
          mayRead = attachedTo.some((i) => regions.hasIncident(p, i.gridCode));
        }
        regions.require(ctx, p, mayRead, {
          action: 'upload.read',
          objectType: 'upload',
          objectId: hash,
          notFound: '无此照片',
        });
        const isThumb = ctx.url.searchParams.get('thumb') === '1';
        const data = await store.read(hash, isThumb);
        if (!data) {
          // A row from before the bytes were kept in it, whose file is not on this host's UPLOADS_DIR.
          deps.logger.error({ hash, isThumb }, 'upload row without its bytes or file');
          throw NOT_FOUND;
        }
        // Content-addressed: the bytes under a name never change, but access can, so only private caching.
        ctx.res.writeHead(200, {
          'content-type': 'image/jpeg',
          'content-length': data.length,
          'cache-control': 'private, max-age=86400, immutable',
          'x-content-type-options': 'nosniff',
        });
        ctx.res.end(data);
      },
    },
    {
      method: 'GET',
      path: '/api/incidents/:id/attachments',
      handler: async (ctx) => {
        const id = ctx.params.id ?? '';
        const p = authorize(ctx, {
          roles: ANY_ROLE,
          action: 'incident.read',
          objectType: 'incident',
          objectId: id,
        });
        const row = await incidentGrid(id);
        if (!row) throw new HttpError(404, '无此事件');
        regions.require(ctx, p, regions.hasIncident(p, row.gridCode), {
          action: 'incident.read',
          objectType: 'incident',
          objectId: id,
          notFound: '无此事件',
        });
        const body: AttachmentList = {
          attachments: (await store.list(id)).map((a) => ({ ...a, ...photoUrls(a.hash) })),
          hasSnapshot: row.snapshotSha !== null,
        };
        sendJson(ctx.res, 200, body);
      },
    },
  ];
}

/** The body as bytes (the router's readBody decodes text), refused past `maxBytes` while it streams. */
async function readRawBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new HttpError(413, `body over ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
