import type { StyleSpecification } from 'maplibre-gl';

/** The product serves its own basemap (server/http/routes/map.ts); this is what draws if it cannot. */
export const OFFLINE_STYLE: StyleSpecification = {
  version: 8,
  sources: {},
  layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#061a33' } }],
};

export const STYLE_URL = '/api/map/style.json';
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
