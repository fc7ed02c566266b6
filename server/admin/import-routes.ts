import type { IncomingMessage } from 'node:http';
import { isImportKind } from '@/lib/import/issues';
import type { AppContext } from '../app';
import type { SqlAudit } from '../audit/audit-append';
import type { Authorize } from '../auth/guard';
import { HttpError, sendJson, type Route } from '../http/router';
import { importRegistry } from './import/import-registry';
import { importTerritory } from './import/import-territory';
import { listImportRuns } from './import/list-import-runs';
import { watchImportRuns } from './import/watch-import-runs';

/** Largest territory file accepted (a province's grids as GeoJSON); past it the answer is 413. */
export const MAX_TERRITORY_BYTES = 200 * 1024 * 1024;
/** Largest registry file (a province's 2 M cameras as CSV is ~200 MB: split it). */
export const MAX_REGISTRY_BYTES = 50 * 1024 * 1024;

const ADMIN = ['admin'] as const;

/** The raw body, refused with 413 as soon as it passes `maxBytes` (declared or streamed). */
async function readBytes(req: IncomingMessage, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    throw new HttpError(413, `文件超过 ${Math.round(maxBytes / 1024 / 1024)} MB`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new HttpError(413, `文件超过 ${Math.round(maxBytes / 1024 / 1024)} MB`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function fileNameOf(req: IncomingMessage): string | null {
  const raw = req.headers['x-file-name'];
  if (typeof raw !== 'string' || raw === '') return null;
  try {
    return decodeURIComponent(raw).slice(0, 255);
  } catch {
    throw new HttpError(400, 'X-File-Name 须为 encodeURIComponent 编码的文件名');
  }
}

/**
 * POST /api/admin/import/{territory|cameras|vehicles|workers|departments}?dryRun=1 (admin): the body is the
 * file's bytes, `X-File-Name` its URI-encoded name; the answer is the import result (200 even with errors:
 * the file was judged, and nothing was written). GET /api/admin/imports lists the runs, newest first.
 * Imports committed by `npm run import` into the same database are noticed and shown too (watchImportRuns).
 */
export function createImportRoutes(
  ctx: AppContext,
  deps: { sqlAudit: SqlAudit; auth: { authorize: Authorize } },
): Route[] {
  const { authorize } = deps.auth;
  watchImportRuns({ sql: ctx.sql, live: ctx.live, logger: ctx.logger });
  return [
    {
      method: 'POST',
      path: '/api/admin/import/:kind',
      handler: async (rc) => {
        const kind = rc.params.kind ?? '';
        if (!isImportKind(kind)) throw new HttpError(404, `没有此导入类型：${kind}`);
        const p = authorize(rc, { roles: ADMIN, action: `import.${kind}`, objectType: 'import' });
        const dryRun = ['1', 'true'].includes(rc.url.searchParams.get('dryRun') ?? '');
        const bytes = await readBytes(
          rc.req,
          kind === 'territory' ? MAX_TERRITORY_BYTES : MAX_REGISTRY_BYTES,
        );
        if (bytes.length === 0) throw new HttpError(400, '请求体为空：请上传文件内容');
        const ictx = {
          sql: ctx.sql,
          audit: deps.sqlAudit,
          clock: ctx.clock,
          live: ctx.live,
          grids: ctx.grids,
          actor: { username: p.username, role: p.role, clientAddress: rc.clientAddress },
        };
        const file = { bytes, name: fileNameOf(rc.req) };
        const result =
          kind === 'territory'
            ? await importTerritory(ictx, file, { dryRun })
            : await importRegistry(ictx, kind, file, { dryRun });
        ctx.logger.info(
          {
            kind,
            dryRun,
            file: file.name,
            ok: result.ok,
            created: result.created,
            updated: result.updated,
            unchanged: result.unchanged,
            errors: result.errors.length + result.moreErrors,
            user: p.username,
          },
          'import',
        );
        sendJson(rc.res, 200, result);
      },
    },
    {
      method: 'GET',
      path: '/api/admin/imports',
      handler: async (rc) => {
        authorize(rc, { roles: ADMIN, action: 'import.list', objectType: 'import' });
        sendJson(rc.res, 200, { runs: await listImportRuns(ctx.sql) });
      },
    },
  ];
}
