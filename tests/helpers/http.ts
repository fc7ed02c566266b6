/**
 * One HTTP call as the integration tests make it: a JSON body in (when given), the answer's body parsed as
 * JSON when it is JSON and kept as text otherwise (an image, a plain-text refusal).
 */

// Tests assert on response shapes structurally; typing every body would only restate the routes.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type JsonBody = any;

export async function fetchJson(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<{ status: number; body: JsonBody }> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(url, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await r.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  return { status: r.status, body };
}
