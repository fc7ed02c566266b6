import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isLoopbackAddress } from './client-address';

/**
 * Who may read `/metrics`. With METRICS_TOKEN: whoever presents it as a bearer token, from anywhere,
 * loopback included (a same-host proxy makes every outside request loopback). Without it: a loopback peer
 * only, and only when the request names no forwarded client (X-Forwarded-For, Forwarded, X-Real-IP), since
 * a proxy on the same host relays the world from 127.0.0.1. Returns the refusal, or null to serve.
 */
export function metricsRefusal(
  req: IncomingMessage,
  token: string | undefined,
): { status: 401 | 403; message: string } | null {
  if (token) {
    const header = req.headers.authorization ?? '';
    const given = /^Bearer\s+(\S+)$/i.exec(header)?.[1] ?? '';
    // Compared as digests: equal length for timingSafeEqual, and no length leak.
    const digest = (s: string) => createHash('sha256').update(s).digest();
    if (given && timingSafeEqual(digest(given), digest(token))) return null;
    return { status: 401, message: 'metrics need Authorization: Bearer <METRICS_TOKEN>' };
  }
  if (!isLoopbackAddress(req.socket.remoteAddress ?? ''))
    return { status: 403, message: 'metrics are served to the local host only (or set METRICS_TOKEN)' };
  const h = req.headers;
  if (h['x-forwarded-for'] !== undefined || h.forwarded !== undefined || h['x-real-ip'] !== undefined)
    return { status: 403, message: 'metrics are not served through a proxy without METRICS_TOKEN' };
  return null;
}
