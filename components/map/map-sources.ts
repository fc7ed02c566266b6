import type { StyleSpecification } from 'maplibre-gl';
import { isDrawCrs, type DrawCrs } from '@/lib/geo/draw-projection';

/** The product serves its own basemap (server/http/routes/map.ts); this is what draws if it cannot. */
export const OFFLINE_STYLE: StyleSpecification = {
  version: 8,
  sources: {},
  layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#061a33' } }],
};

export const STYLE_URL = '/api/map/style.json';
export const WORLD_URL = '/api/map/world.json';
/** Served by the app itself (scripts/copy-maplibre-worker.mjs), never a CDN: centres run on closed networks. */
export const MAPLIBRE_WORKER_URL = '/maplibre/maplibre-gl-worker.mjs';
/** The wall's areas as vector tiles (grids, or communities where the world has none). */
export const AREA_TILES_PATH = '/api/wall/areas/{z}/{x}/{y}';

/** The display token from `?token=` (read-only wall screens): sent with every request and the socket. */
export function displayToken(): string | null {
  if (typeof window === 'undefined') return null;
  return new URLSearchParams(window.location.search).get('token');
}

/** The header a token-opened screen sends with its requests (none with a session cookie). */
export function displayTokenHeaders(): Record<string, string> {
  const token = displayToken();
  return token ? { 'x-display-token': token } : {};
}

/** fetch() with the session cookie and, on a token-opened screen, the display token header. */
export function authFetch(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, {
    ...init,
    credentials: 'same-origin',
    headers: { ...(init.headers ?? {}), ...displayTokenHeaders() },
  });
}

export async function loadStyle(): Promise<StyleSpecification | string> {
  try {
    const r = await authFetch(STYLE_URL);
    if (r.ok) return (await r.json()) as StyleSpecification;
  } catch {
    // offline style below
  }
  return OFFLINE_STYLE;
}

/**
 * The basemap's coordinate system (world.json `crs`, from BASEMAP_CRS). Positions are stored in WGS-84 and
 * drawn in this; when it cannot be read the map assumes WGS-84 (our own basemap's system).
 */
export async function loadBasemapCrs(): Promise<DrawCrs> {
  try {
    const r = await authFetch(WORLD_URL);
    if (r.ok) {
      const crs = ((await r.json()) as { crs?: unknown }).crs;
      if (isDrawCrs(crs)) return crs;
    }
  } catch {
    // WGS-84 below
  }
  return 'wgs84';
}

/** Style and coordinate system together: a map is created once both are known. */
export async function loadMapSetup(): Promise<{ style: StyleSpecification | string; crs: DrawCrs }> {
  const [style, crs] = await Promise.all([loadStyle(), loadBasemapCrs()]);
  return { style, crs };
}
