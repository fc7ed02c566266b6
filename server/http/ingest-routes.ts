import { timingSafeEqual } from 'node:crypto';
import type { TelemetryKind } from '@/lib/realtime/contract';
import type { IncidentIngest } from '../ingest/incident-ingest';
import type { TelemetryIngest } from '../ingest/telemetry-ingest';
import { HttpError, readJson, sendJson, type Route, type RouteContext } from './router';

function isTokenValid(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.startsWith('Bearer ') ? header.slice(7) : '');
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

/**
 * POST /api/ingest/{vehicles,cameras,workers,incidents}: the same validation and live path as Redis, for
 * sources that speak HTTP. Off unless INGEST_TOKEN is set.
 */
export function createIngestRoutes(deps: {
  token: string | undefined;
  telemetry: TelemetryIngest;
  incidents: IncidentIngest;
}): Route[] {
  const guard = (ctx: RouteContext) => {
    if (!deps.token) throw new HttpError(404, 'HTTP ingest is disabled (INGEST_TOKEN unset)');
    if (!isTokenValid(ctx.req.headers.authorization, deps.token))
      throw new HttpError(401, 'bad ingest token');
  };
  const items = async (ctx: RouteContext) => {
    const body = await readJson(ctx.req);
    return Array.isArray(body) ? body : [body];
  };
  const telemetryRoute = (segment: string, kind: TelemetryKind): Route => ({
    method: 'POST',
    path: `/api/ingest/${segment}`,
    handler: async (ctx) => {
      guard(ctx);
      const r = deps.telemetry.handleItems(kind, await items(ctx), `http:${kind}`);
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
        const r = deps.incidents.handleItems(await items(ctx), 'http:incident');
        const isAllBad = r.accepted === 0 && r.duplicates === 0 && r.rejected.length > 0;
        sendJson(ctx.res, isAllBad ? 400 : 202, r);
      },
    },
  ];
}
