/**
 * Browsers send Origin on WebSocket and cross-site requests; a wall page served by us has our own host.
 * Non-browser clients (gateways, tests, integrations) send none and are judged by their credentials instead.
 */
export function isOriginAllowed(
  origin: string | undefined,
  host: string | undefined,
  allowed: string[],
): boolean {
  if (!origin) return true;
  if (allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
