import type { StyleSpecification } from 'maplibre-gl';
import type { AreaFeature } from './map-areas';

/** The product serves its own basemap (server/http/routes/map.ts); this is what draws if it cannot. */
export const OFFLINE_STYLE: StyleSpecification = {
  version: 8,
  sources: {},
  layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#061a33' } }],
};

export const STYLE_URL = '/api/map/style.json';
/** Grid polygons (code, name) when the server offers them; else community outlines from the basemap. */
export const GRIDS_URL = '/api/wall/grids.geojson';
export const BOUNDARIES_URL = '/api/map/data/boundaries.geojson';

/** The display token from `?token=` (read-only wall screens): sent with every request and the socket. */
export function displayToken(): string | null {
  if (typeof window === 'undefined') return null;
  return new URLSearchParams(window.location.search).get('token');
}

/** fetch() with the session cookie and, on a token-opened screen, the display token header. */
export function authFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const token = displayToken();
  return fetch(url, {
    ...init,
    credentials: 'same-origin',
    headers: { ...(init.headers ?? {}), ...(token ? { 'x-display-token': token } : {}) },
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

async function features(url: string, signal: AbortSignal): Promise<AreaFeature[] | null> {
  try {
    const r = await authFetch(url, { signal });
    if (!r.ok) return null;
    return ((await r.json()) as { features: AreaFeature[] }).features;
  } catch {
    return null;
  }
}

/**
 * The areas the map colours by open incidents: grids when served, else communities. Only those inside the
 * scoped region (`prefix` = its meaningful code prefix; '' for all).
 */
export async function loadAreas(prefix: string, signal: AbortSignal): Promise<AreaFeature[] | null> {
  const grids = await features(GRIDS_URL, signal);
  const all =
    grids ??
    (await features(BOUNDARIES_URL, signal))?.filter((f) => f.properties.level === 'community') ??
    null;
  return all && all.filter((f) => f.properties.code.startsWith(prefix));
}
