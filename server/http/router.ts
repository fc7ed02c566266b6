import type { IncomingMessage, ServerResponse } from 'node:http';

import type { Role } from '@/lib/domain/incident-lifecycle';

export type { Role };

/** Who is calling: a signed-in user, a read-only wall display token, or nobody. */
export interface Principal {
  username: string;
  role: Role;
  /** Display tokens are read-only wall screens. */
  isDisplay: boolean;
  /** The region the account or screen is scoped to (12/15-digit code); null or absent: the whole territory. */
  regionCode?: string | null;
  /** role `worker`: the grid worker (workers.id) the account is bound to, where a route has looked it up. */
  workerId?: string | null;
  /** role `department`: the department (departments.id) the account answers for, where a route looked it up. */
  departmentId?: string | null;
}

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, string>;
  principal: Principal | null;
  clientAddress: string;
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path pattern with `:name` segments, e.g. `/api/incidents/:id/assign`. */
  path: string;
  handler: (ctx: RouteContext) => Promise<void> | void;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** Request bodies above this are refused before parsing (ingest batches included). */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

export async function readBody(req: IncomingMessage, maxBytes = MAX_BODY_BYTES): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new HttpError(413, `body over ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function readJson(req: IncomingMessage, maxBytes = MAX_BODY_BYTES): Promise<unknown> {
  const text = await readBody(req, maxBytes);
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'body is not JSON');
  }
}

interface CompiledRoute extends Route {
  segments: string[];
}

/** A small exact-segment matcher: our API is a handful of routes, not worth a framework. */
export function createRouter(routes: Route[]) {
  const compiled: CompiledRoute[] = routes.map((r) => ({
    ...r,
    segments: r.path.split('/').filter(Boolean),
  }));
  return function match(
    method: string,
    pathname: string,
  ): { route: Route; params: Record<string, string> } | null {
    const parts = pathname.split('/').filter(Boolean);
    for (const r of compiled) {
      if (r.method !== method || r.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let isMatch = true;
      for (let i = 0; i < parts.length; i++) {
        const seg = r.segments[i]!;
        const part = parts[i]!;
        if (seg.startsWith(':')) {
          try {
            params[seg.slice(1)] = decodeURIComponent(part);
          } catch {
            isMatch = false;
            break;
          }
        } else if (seg !== part) {
          isMatch = false;
          break;
        }
      }
      if (isMatch) return { route: r, params };
    }
    return null;
  };
}
