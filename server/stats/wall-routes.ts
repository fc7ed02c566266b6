/**
 * Wiring for the walls' statistics: a per-scope cached provider for the realtime hub (`statsFor`), and two
 * read-only routes: GET /api/wall/stats?region=&period= (periods other than today, polled by a wall in
 * briefing mode), GET /api/wall/areas/{z}/{x}/{y} (the grid polygons the map colours by open incidents, as
 * vector tiles) and GET /api/wall/grids.geojson (the same polygons whole, for integrations).
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Clock } from '@/lib/clock';
import { WALL_PERIODS, type WallPeriod, type WallStats } from '@/lib/wall/stats';
import type { Db } from '../db/open-database';
import { HttpError, sendJson, type Route } from '../http/router';
import type { LiveState } from '../live/live-state';
import type { DrawCrs } from '@/lib/geo/draw-projection';
import { canSeePersonalData, maskWallStats } from '../auth/personal-data';
import type { RegionGate } from '../auth/region-scope';
import { AreaTiles, areaFeaturesFromDb } from './area-tiles';
import { computeWallStats } from './wall-stats';
import { onTerritoryChanged } from '../world/load-world';

/** Panel numbers are recomputed at most this often per scope (the 24/7 wall needs seconds, not ticks). */
export const STATS_REFRESH_MS = 3_000;
/** Scopes cached at once; walls rarely look at more than a handful of regions. */
const STATS_CACHE_MAX = 64;

export interface StatsDeps {
  db: Db;
  live: LiveState;
  clock: Clock;
  /** DISPLAY_TZ: periods are counted in the zone every page displays. */
  tz?: string;
}

/**
 * `statsFor(regionCode)`: today's stats for a scope, recomputed every STATS_REFRESH_MS. Returns the same
 * object between refreshes, so the hub (which compares by reference) resends only after a recompute.
 */
export function createStatsProvider(
  deps: StatsDeps,
): (regionCode: string | null, period?: WallPeriod) => WallStats {
  const cache = new Map<string, WallStats>();
  return (regionCode, period = 'today') => {
    const key = `${regionCode ?? '*'}|${period}`;
    const now = deps.clock.now();
    const hit = cache.get(key);
    if (hit && now - hit.at < STATS_REFRESH_MS) return hit;
    const stats = computeWallStats({ ...deps, regionCode, period });
    cache.delete(key);
    cache.set(key, stats);
    if (cache.size > STATS_CACHE_MAX) cache.delete(cache.keys().next().value!);
    return stats;
  };
}

export function createWallRoutes(
  deps: StatsDeps & {
    stats?: ReturnType<typeof createStatsProvider>;
    /** BASEMAP_CRS: areas are cut in the basemap's system, like every other drawn position. */
    drawCrs?: DrawCrs;
    /** Stats are clamped to the principal's region. Area outlines are not: they are the map, not its data. */
    regions: RegionGate;
  },
): Route[] {
  const stats = deps.stats ?? createStatsProvider(deps);
  const drawCrs = deps.drawCrs ?? 'wgs84';
  const tiles = new AreaTiles(() => areaFeaturesFromDb(deps.db, drawCrs));
  let grids: { body: Buffer; gzip: Buffer } | null = null;
  // Bumped by a territory import: tiles are revalidated by ETag, so a wall open during an import draws the
  // new areas on its next tile load instead of after a browser cache's max-age.
  let areasVersion = 0;
  const areasEpoch = Date.now().toString(36); // another process, or this one restarted, is another version
  onTerritoryChanged(deps.db, () => {
    tiles.invalidate();
    grids = null;
    areasVersion++;
  });
  return [
    {
      method: 'GET',
      path: '/api/wall/areas/:z/:x/:y',
      handler: ({ req, res, params, principal }) => {
        if (!principal) throw new HttpError(401, 'sign in or use a display token');
        const [z, x, y] = [params.z, params.x, params.y].map((v) =>
          /^\d{1,8}$/.test(v ?? '') ? Number(v) : -1,
        );
        if (z! < 0 || z! > 24 || x! < 0 || y! < 0 || x! >= 2 ** z! || y! >= 2 ** z!)
          throw new HttpError(400, 'tile coordinates out of range');
        const etag = `"a${areasEpoch}-${areasVersion}"`;
        if (req.headers['if-none-match'] === etag) {
          res.writeHead(304, { etag, 'cache-control': 'private, no-cache' });
          return res.end();
        }
        const gz = tiles.tile(z!, x!, y!);
        const isGzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
        res.writeHead(200, {
          'content-type': 'application/x-protobuf',
          'cache-control': 'private, no-cache',
          etag,
          vary: 'accept-encoding',
          ...(gz && isGzip ? { 'content-encoding': 'gzip' } : {}),
        });
        // An empty body is an empty tile (nothing there, or no world seeded yet).
        res.end(gz ? (isGzip ? gz : gunzipSync(gz)) : undefined);
      },
    },
    {
      method: 'GET',
      path: '/api/wall/stats',
      handler: (ctx) => {
        const { res, url, principal } = ctx;
        if (!principal) throw new HttpError(401, 'sign in or use a display token');
        const region = deps.regions.regionParam(ctx, principal, url.searchParams.get('region'), 'wall.stats');
        const period = (url.searchParams.get('period') ?? 'today') as WallPeriod;
        if (!WALL_PERIODS.includes(period))
          throw new HttpError(400, `period must be one of ${WALL_PERIODS.join(', ')}`);
        const s = stats(region, period);
        sendJson(res, 200, canSeePersonalData(principal) ? s : maskWallStats(s));
      },
    },
    {
      method: 'GET',
      path: '/api/wall/grids.geojson',
      handler: ({ req, res, principal }) => {
        if (!principal) throw new HttpError(401, 'sign in or use a display token');
        if (!grids) {
          const rows = deps.db.$client
            .prepare('SELECT code, name, geometry FROM grids ORDER BY code')
            .all() as {
            code: string;
            name: string;
            geometry: string;
          }[];
          const fc = `{"type":"FeatureCollection","features":[${rows
            .map(
              (r) =>
                `{"type":"Feature","properties":${JSON.stringify({ code: r.code, name: r.name, level: 'grid' })},"geometry":${r.geometry}}`,
            )
            .join(',')}]}`;
          const body = Buffer.from(fc);
          // Cache only a seeded world: an empty answer must not stick.
          if (rows.length > 0) grids = { body, gzip: gzipSync(body) };
          else return sendJson(res, 404, { error: 'no grids yet' });
        }
        const isGzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
        res.writeHead(200, {
          'content-type': 'application/geo+json',
          'cache-control': 'private, max-age=300',
          vary: 'accept-encoding',
          ...(isGzip ? { 'content-encoding': 'gzip' } : {}),
        });
        res.end(isGzip ? grids.gzip : grids.body);
      },
    },
  ];
}
