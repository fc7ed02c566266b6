import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  BASEMAP_SOURCES,
  buildBasemapStyle,
  buildPmtilesStyle,
  type BasemapSource,
} from '@/lib/map/basemap-style';
import { drawProjection } from '@/lib/geo/draw-projection';
import { bboxToDrawCrs, geoJsonToDrawCrs } from '@/lib/geo/geojson-crs';
import type { Config } from '../../config';
import type { SqlDb } from '../../db/sql-db';
import { buildBasemapGeoJson, encodeAsset, type BasemapAsset } from '../../world/basemap-geojson';
import { loadWorldInfo, onTerritoryChanged } from '../../world/load-world';
import { readPmtilesSummary, sendFileRange, type PmtilesSummary } from '../../world/pmtiles-file';
import { activeTimeLimits } from '@/lib/domain/time-limits';
import { HttpError, sendJson, type Route } from '../router';

export interface MapRouteDeps {
  db: SqlDb;
  config: Pick<Config, 'BASEMAP_STYLE_URL' | 'BASEMAP_PMTILES' | 'BASEMAP_CRS' | 'DISPLAY_TZ'>;
}

const HOST_RE = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/**
 * The origin the browser used to reach us, for absolute URLs inside the style (MapLibre resolves some source
 * URLs in a worker, where a relative URL has no page to be relative to).
 */
function requestOrigin(req: IncomingMessage, fallback: URL): string {
  const host = req.headers.host;
  const proto =
    req.headers['x-forwarded-proto'] === 'https' || (req.socket as { encrypted?: boolean }).encrypted
      ? 'https'
      : 'http';
  return host && HOST_RE.test(host) ? `${proto}://${host}` : fallback.origin;
}

function sendAsset(req: IncomingMessage, res: ServerResponse, asset: BasemapAsset, type: string): void {
  const headers: Record<string, string> = {
    'content-type': type,
    etag: asset.etag,
    'cache-control': 'public, max-age=300',
    vary: 'accept-encoding',
  };
  if (req.headers['if-none-match'] === asset.etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  const isGzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  res.writeHead(200, { ...headers, ...(isGzip ? { 'content-encoding': 'gzip' } : {}) });
  res.end(isGzip ? asset.gzip : asset.body);
}

/**
 * The basemap, served by the product itself: GET /api/map/style.json (the MapLibre style), /api/map/world.json
 * (where the territory is), /api/map/data/{land,water,parks,roads,boundaries,places}.geojson, and
 * /api/map/basemap.pmtiles when BASEMAP_PMTILES points at a deployment's own archive.
 */
export function createMapRoutes(deps: MapRouteDeps): Route[] {
  const { db, config } = deps;
  // One build in flight or done; an import (boundaries, places) drops it, and a failed or empty build is
  // not kept, so the next request builds again.
  let assets: Promise<Record<BasemapSource, BasemapAsset>> | null = null;
  onTerritoryChanged(db, () => (assets = null));
  let pmtiles: Promise<PmtilesSummary> | null = null;
  const buildAssets = async () => {
    const geo = await buildBasemapGeoJson(db);
    if (!geo) throw new HttpError(503, 'no world seeded yet');
    // Our own basemap is drawn from the stored (WGS-84) world: in the configured system, like everything else.
    return Object.fromEntries(
      BASEMAP_SOURCES.map((s) => [s, encodeAsset(geoJsonToDrawCrs(geo[s], config.BASEMAP_CRS))]),
    ) as Record<BasemapSource, BasemapAsset>;
  };
  const getAssets = () => {
    const building = (assets ??= buildAssets());
    building.catch(() => {
      if (assets === building) assets = null;
    });
    return building;
  };
  const mode = config.BASEMAP_STYLE_URL ? 'style-url' : config.BASEMAP_PMTILES ? 'pmtiles' : 'builtin';

  return [
    {
      method: 'GET',
      path: '/api/map/style.json',
      handler: async ({ req, res, url }) => {
        if (config.BASEMAP_STYLE_URL) {
          res.writeHead(302, { location: config.BASEMAP_STYLE_URL, 'cache-control': 'no-store' });
          res.end();
          return;
        }
        const origin = requestOrigin(req, url);
        if (config.BASEMAP_PMTILES) {
          pmtiles ??= readPmtilesSummary(config.BASEMAP_PMTILES);
          const s = await pmtiles.catch((err: Error) => {
            pmtiles = null;
            throw new HttpError(500, `cannot read BASEMAP_PMTILES: ${err.message}`);
          });
          sendJson(
            res,
            200,
            buildPmtilesStyle({ sourceUrl: `pmtiles://${origin}/api/map/basemap.pmtiles`, ...s }),
          );
          return;
        }
        const info = await loadWorldInfo(db);
        if (!info) throw new HttpError(503, 'no world seeded yet');
        sendJson(
          res,
          200,
          buildBasemapStyle({
            apiBase: `${origin}/api/map`,
            name: info.name,
            center: drawProjection(config.BASEMAP_CRS).point(...info.center),
            bbox: bboxToDrawCrs(info.bbox, config.BASEMAP_CRS),
            crs: config.BASEMAP_CRS,
          }),
        );
      },
    },
    {
      method: 'GET',
      path: '/api/map/world.json',
      handler: async ({ res }) => {
        const info = await loadWorldInfo(db);
        sendJson(res, 200, {
          name: info?.name ?? null,
          center: info?.center ?? null,
          bbox: info?.bbox ?? null,
          rootCode: info?.rootCode ?? null,
          counts: info?.counts ?? null,
          basemap: mode,
          styleUrl: '/api/map/style.json',
          // The system the basemap is drawn in (BASEMAP_CRS): pages convert the stored WGS-84 positions to it.
          // center and bbox stay WGS-84, like every position the API hands out.
          crs: config.BASEMAP_CRS,
          // Every page formats times in this one zone (DESIGN §4 DISPLAY_TZ); storage and the wire stay UTC.
          displayTz: config.DISPLAY_TZ,
          // The configured 时限 (admin → time limits): walls light their lamps with the server's limits.
          timeLimits: activeTimeLimits(),
        });
      },
    },
    {
      method: 'GET',
      path: '/api/map/data/:file',
      handler: async ({ req, res, params }) => {
        const name = (params.file ?? '').replace(/\.geojson$/, '') as BasemapSource;
        if (!BASEMAP_SOURCES.includes(name) || !params.file?.endsWith('.geojson'))
          throw new HttpError(404, 'no such basemap source');
        sendAsset(req, res, (await getAssets())[name], 'application/geo+json');
      },
    },
    {
      method: 'GET',
      path: '/api/map/basemap.pmtiles',
      handler: async ({ req, res }) => {
        if (!config.BASEMAP_PMTILES) throw new HttpError(404, 'BASEMAP_PMTILES is not set');
        await sendFileRange(req, res, config.BASEMAP_PMTILES);
      },
    },
  ];
}
