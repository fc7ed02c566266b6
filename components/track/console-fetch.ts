/** The console's reads for the track views: its session cookie, same origin (one stable function). */
export function consoleFetch(path: string): Promise<Response> {
  return fetch(path, { credentials: 'same-origin' });
}
