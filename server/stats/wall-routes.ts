/**
 * Wiring for the walls' statistics: a per-scope cached provider for the realtime hub (`statsFor`), and two
 * read-only routes: GET /api/wall/stats?region=&period= (periods other than today, polled by a wall in
 * briefing mode), GET /api/wall/areas/{z}/{x}/{y} (the towns, communities or grids, by zoom, that the map
 * colours by open incidents, as vector tiles) and GET /api/wall/grids.geojson (the grid polygons whole, for
 * integrations).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gunzipSync, gzipSync } from 'node:zlib';
import { sql as sqlTag } from 'drizzle-orm';
import type { Clock } from '@/lib/clock';
import { STATS_REFRESH_MAX_MS, WALL_PERIODS, type WallPeriod, type WallStats } from '@/lib/wall/stats';
import type { SqlDb } from '../db/sql-db';
import { HttpError, sendJson, type Route } from '../http/router';
import type { LiveState } from '../live/live-state';
import type { Logger } from '../logger';
import type { DrawCrs } from '@/lib/geo/draw-projection';
import { canSeePersonalData, maskWallStats } from '../auth/personal-data';
import type { RegionGate } from '../auth/region-scope';
import { AreaTiles, areaLevelsFromDb } from './area-tiles';
import { byteOrder, followTerritory } from './region-index';
import { computeWallStats } from './wall-stats';
import { onTerritoryChanged } from '../world/load-world';

/** Panel numbers are recomputed at most this often per scope (the 24/7 wall needs seconds, not ticks). */
export const STATS_REFRESH_MS = 3_000;
/**
 * A scope whose figures took longer than STATS_SLOW_MS to compute is recomputed less often, so that computing
 * it takes at most STATS_MAX_TIME_SHARE of the time: a province's whole-territory figures read 60 k incidents
 * a day and took 0.5–1.7 s on SQLite, inside the event loop, every 3 s (issue 20).
 */
export const STATS_SLOW_MS = 250;
export const STATS_MAX_TIME_SHARE = 0.05;
/**
 * …but never kept longer than STATS_REFRESH_MAX_MS (lib/wall/stats.ts): the compute's cost is its wall time,
 * and under a burst (a province's first reports, the history thread naming the fleet) one compute took ~10 s,
 * which kept the panels' figures from before any report (every unit 离线) on the walls for 3.5 minutes
 * (issue 20). Measured at province scale once settled: ~1.1 s a compute, so a 22 s interval.
 */
export function statsRefreshMs(costMs: number): number {
  if (!(costMs > STATS_SLOW_MS)) return STATS_REFRESH_MS;
  return Math.min(STATS_REFRESH_MAX_MS, Math.max(STATS_REFRESH_MS, costMs / STATS_MAX_TIME_SHARE));
}
/** Scopes cached at once; walls rarely look at more than a handful of regions. */
const STATS_CACHE_MAX = 64;

export interface StatsDeps {
  /** The system of record the figures are read from; its territory changes redraw regions and areas. */
  sql: SqlDb;
  live: LiveState;
  clock: Clock;
  /** DISPLAY_TZ: periods are counted in the zone every page displays. */
  tz?: string;
  logger?: Logger;
}

/**
 * The walls' figures per scope and period, cached for STATS_REFRESH_MS (by the stats' clock; longer for a
 * scope slow to compute, STATS_SLOW_MS) and computed one at a time, off the tick: the database is read asynchronously, the realtime hub's tick is synchronous.
 */
export interface StatsProvider {
  /** Figures at most STATS_REFRESH_MS old: the cached ones, else computed now (a request waits for them). */
  get(regionCode: string | null, period?: WallPeriod): Promise<WallStats>;
  /**
   * For the hub's tick (`statsFor`), which must not wait: today's figures for the scope as last computed
   * (undefined until the first are), and, when they are due, a recompute started in the background that a
   * later tick picks up. The same object between recomputes, so the hub (which compares by reference)
   * resends only after one. No timer of its own: scopes no wall looks at are not recomputed.
   */
  latest(regionCode: string | null): WallStats | undefined;
  /** Forgets every cached figure (a territory import): the next ask recomputes. */
  invalidate(): void;
}

export function createStatsProvider(deps: StatsDeps): StatsProvider {
  followTerritory(deps.sql);
  const cache = new Map<string, WallStats>();
  const computing = new Map<string, Promise<WallStats>>();
  /** When a background recompute of a scope last failed (real time): retried after STATS_REFRESH_MS. */
  const failedAt = new Map<string, number>();
  let generation = 0;
  /** One computation at a time: a slow database must not have every scope's reads piled onto it at once. */
  let turn: Promise<unknown> = Promise.resolve();

  /** How long each scope's figures are kept (longer than STATS_REFRESH_MS where they are slow to compute). */
  const refreshMs = new Map<string, number>();
  const keyOf = (regionCode: string | null, period: WallPeriod) => `${regionCode ?? '*'}|${period}`;
  const isFresh = (key: string, s: WallStats | undefined): s is WallStats =>
    !!s && deps.clock.now() - s.at < (refreshMs.get(key) ?? STATS_REFRESH_MS);

  function compute(key: string, regionCode: string | null, period: WallPeriod): Promise<WallStats> {
    const inFlight = computing.get(key);
    if (inFlight) return inFlight;
    const mine = generation;
    let startedAt = 0;
    const run = turn.then(() => {
      startedAt = performance.now();
      return computeWallStats({ ...deps, regionCode, period });
    });
    turn = run.catch(() => {});
    const p = run
      .then((stats) => {
        const costMs = performance.now() - startedAt;
        refreshMs.set(key, statsRefreshMs(costMs));
        if (refreshMs.size > STATS_CACHE_MAX) refreshMs.delete(refreshMs.keys().next().value!);
        // Begun before an invalidation: answered to whoever waits, but not kept.
        if (mine === generation) {
          cache.delete(key);
          cache.set(key, stats);
          if (cache.size > STATS_CACHE_MAX) cache.delete(cache.keys().next().value!);
          failedAt.delete(key);
        }
        return stats;
      })
      .finally(() => {
        if (computing.get(key) === p) computing.delete(key);
      });
    computing.set(key, p);
    return p;
  }

  return {
    async get(regionCode, period = 'today') {
      const key = keyOf(regionCode, period);
      const hit = cache.get(key);
      return isFresh(key, hit) ? hit : compute(key, regionCode, period);
    },
    latest(regionCode) {
      const key = keyOf(regionCode, 'today');
      const hit = cache.get(key);
      if (
        !isFresh(key, hit) &&
        !computing.has(key) &&
        Date.now() - (failedAt.get(key) ?? 0) >= STATS_REFRESH_MS
      )
        compute(key, regionCode, 'today').catch((err: unknown) => {
          failedAt.set(key, Date.now());
          deps.logger?.error({ err, regionCode }, 'wall figures could not be computed; the last ones stay');
        });
      return hit;
    },
    invalidate() {
      generation++;
      cache.clear();
      computing.clear();
    },
  };
}

export function createWallRoutes(
  deps: StatsDeps & {
    stats?: StatsProvider;
    /** BASEMAP_CRS: areas are cut in the basemap's system, like every other drawn position. */
    drawCrs?: DrawCrs;
    /** Stats are clamped to the principal's region. Area outlines are not: they are the map, not its data. */
    regions: RegionGate;
  },
): Route[] {
  const stats = deps.stats ?? createStatsProvider(deps);
  const drawCrs = deps.drawCrs ?? 'wgs84';
  const tiles = new AreaTiles(() => areaLevelsFromDb(deps.sql, drawCrs));
  let grids: { body: Buffer; gzip: Buffer } | null = null;
  // Bumped by a territory import: tiles are revalidated by ETag, so a wall open during an import draws the
  // new areas on its next tile load instead of after a browser cache's max-age.
  let areasVersion = 0;
  const areasEpoch = Date.now().toString(36); // another process, or this one restarted, is another version
  onTerritoryChanged(deps.sql, () => {
    tiles.invalidate();
    grids = null;
    areasVersion++;
    stats.invalidate();
  });
  return [
    {
      method: 'GET',
      path: '/api/wall/areas/:z/:x/:y',
      handler: async ({ req, res, params, principal }) => {
        if (!principal) throw new HttpError(401, 'sign in or use a display token');
        const [z, x, y] = [params.z, params.x, params.y].map((v) =>
          /^\d{1,8}$/.test(v ?? '') ? Number(v) : -1,
        );
        if (z! < 0 || z! > 24 || x! < 0 || y! < 0 || x! >= 2 ** z! || y! >= 2 ** z!)
          throw new HttpError(400, 'tile coordinates out of range');
        const etag = `"a${areasEpoch}-${areasVersion}"`;
        if (req.headers['if-none-match'] === etag) {
          res.writeHead(304, { etag, 'cache-control': 'private, no-cache' });
          res.end();
          return;
        }
        const gz = await tiles.tile(z!, x!, y!);
        const isGzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
        res.writeHead(200, {
          'content-type': 'application/x-protobuf',
          'cache-control': 'private, no-cache',
          // As of the areas the tile was cut from (an import may have landed while it was).
          etag: `"a${areasEpoch}-${areasVersion}"`,
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
      handler: async (ctx) => {
        const { res, url, principal } = ctx;
        if (!principal) throw new HttpError(401, 'sign in or use a display token');
        const region = deps.regions.regionParam(ctx, principal, url.searchParams.get('region'), 'wall.stats');
        const period = (url.searchParams.get('period') ?? 'today') as WallPeriod;
        if (!WALL_PERIODS.includes(period))
          throw new HttpError(400, `period must be one of ${WALL_PERIODS.join(', ')}`);
        const s = await stats.get(region, period);
        sendJson(res, 200, canSeePersonalData(principal) ? s : maskWallStats(s));
      },
    },
    {
      method: 'GET',
      path: '/api/wall/grids.geojson',
      handler: async ({ req, res, principal }) => {
        if (!principal) throw new HttpError(401, 'sign in or use a display token');
        if (!grids) {
          const version = areasVersion;
          const rows = await deps.sql.all<{ code: string; name: string; geometry: string }>(
            sqlTag`SELECT code, name, geometry FROM grids ORDER BY code${byteOrder(deps.sql)}`,
          );
          const fc = `{"type":"FeatureCollection","features":[${rows
            .map(
              (r) =>
                `{"type":"Feature","properties":${JSON.stringify({ code: r.code, name: r.name, level: 'grid' })},"geometry":${r.geometry}}`,
            )
            .join(',')}]}`;
          const body = Buffer.from(fc);
          // Cache only a seeded world: an empty answer must not stick.
          if (rows.length === 0) return sendJson(res, 404, { error: 'no grids yet' });
          const made = { body, gzip: gzipSync(body) };
          // Kept only if no import landed during the read: its areas would be stale.
          if (version === areasVersion) grids = made;
          return sendGrids(req, res, made);
        }
        sendGrids(req, res, grids);
      },
    },
  ];
}

function sendGrids(req: IncomingMessage, res: ServerResponse, grids: { body: Buffer; gzip: Buffer }): void {
  const isGzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  res.writeHead(200, {
    'content-type': 'application/geo+json',
    'cache-control': 'private, max-age=300',
    vary: 'accept-encoding',
    ...(isGzip ? { 'content-encoding': 'gzip' } : {}),
  });
  res.end(isGzip ? grids.gzip : grids.body);
}
