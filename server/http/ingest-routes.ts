import { timingSafeEqual } from 'node:crypto';
import type { TelemetryKind } from '@/lib/realtime/contract';
import type { IncidentIngest } from '../ingest/incident-ingest';
import type { IngestStats } from '../ingest/ingest-stats';
import type { TelemetryIngest } from '../ingest/telemetry-ingest';
import { HttpError, MAX_BODY_BYTES, readBody, sendJson, type Route, type RouteContext } from './router';

function isTokenValid(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.startsWith('Bearer ') ? header.slice(7) : '');
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

/** JSON, or no type at all (some field gateways send none); a form, XML or HTML body is not a report. */
function isJsonContentType(header: string | undefined): boolean {
  if (!header) return true;
  const type = header.split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || type.endsWith('+json');
}

/** Why a body as a whole was refused, with the HTTP status that says so. */
interface BodyRejection {
  status: 400 | 413 | 415;
  reason: 'bad_json' | 'body_too_large' | 'body_incomplete' | 'unsupported_content_type';
  error: string;
}

/** The items of a JSON body (an array, or one object as a batch of one), or why the body was refused. */
async function readItems(ctx: RouteContext): Promise<unknown[] | BodyRejection> {
  if (!isJsonContentType(ctx.req.headers['content-type']))
    return {
      status: 415,
      reason: 'unsupported_content_type',
      error: 'Content-Type must be application/json',
    };
  const tooLarge: BodyRejection = {
    status: 413,
    reason: 'body_too_large',
    error: `body over ${MAX_BODY_BYTES} bytes`,
  };
  if (Number(ctx.req.headers['content-length']) > MAX_BODY_BYTES) return tooLarge;
  let text: string;
  try {
    text = await readBody(ctx.req, MAX_BODY_BYTES);
  } catch (err) {
    if (err instanceof HttpError && err.status === 413) return tooLarge;
    // The sender went away mid-upload: nobody reads this answer, but the count shows it happened.
    return { status: 400, reason: 'body_incomplete', error: 'body cut off before its end' };
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { status: 400, reason: 'bad_json', error: 'body is not JSON' };
  }
  return Array.isArray(body) ? body : [body];
}

/**
 * POST /api/ingest/{vehicles,cameras,workers,incidents}: the same validation and live path as Redis, for
 * sources that speak HTTP. Off unless INGEST_TOKEN is set. Every refusal, of one item or of a whole body,
 * answers with its reason in the same shape (`rejected: [{ index, reason }]`, index -1 for the body) and is
 * counted by path and reason like any other ingest rejection.
 */
export function createIngestRoutes(deps: {
  token: string | undefined;
  telemetry: TelemetryIngest;
  incidents: IncidentIngest;
  stats: IngestStats;
}): Route[] {
  const guard = (ctx: RouteContext) => {
    if (!deps.token) throw new HttpError(404, 'HTTP ingest is disabled (INGEST_TOKEN unset)');
    if (!isTokenValid(ctx.req.headers.authorization, deps.token))
      throw new HttpError(401, 'bad ingest token');
  };
  /** The body's items, or null once the refusal was answered and counted. */
  const items = async (ctx: RouteContext, path: string): Promise<unknown[] | null> => {
    const read = await readItems(ctx);
    if (Array.isArray(read)) return read;
    deps.stats.reject(path, read.reason);
    // Refused before the whole body was read: close rather than read the rest of it to keep the connection.
    if (read.status !== 400) ctx.res.setHeader('connection', 'close');
    sendJson(ctx.res, read.status, {
      accepted: 0,
      rejected: [{ index: -1, reason: read.reason }],
      error: read.error,
    });
    return null;
  };
  const telemetryRoute = (segment: string, kind: TelemetryKind): Route => ({
    method: 'POST',
    path: `/api/ingest/${segment}`,
    handler: async (ctx) => {
      guard(ctx);
      const path = `http:${kind}`;
      const list = await items(ctx, path);
      if (!list) return;
      const r = deps.telemetry.handleItems(kind, list, path);
      sendJson(ctx.res, r.accepted === 0 && r.rejected.length > 0 ? 400 : 202, r);
    },
  });
  return [
    telemetryRoute('vehicles', 'vehicle'),
    telemetryRoute('cameras', 'camera'),
    telemetryRoute('workers', 'worker'),
    {
      method: 'POST',
      path: '/api/ingest/incidents',
      handler: async (ctx) => {
        guard(ctx);
        const path = 'http:incident';
        const list = await items(ctx, path);
        if (!list) return;
        const r = await deps.incidents.handleItems(list, path);
        const isAllBad = r.accepted === 0 && r.duplicates === 0 && r.rejected.length > 0;
        sendJson(ctx.res, isAllBad ? 400 : 202, r);
      },
    },
  ];
}
