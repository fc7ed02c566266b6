import { io, type Socket } from 'socket.io-client';
import {
  PROTOCOL_VERSION,
  type ClientToServerEvents,
  type ServerToClientEvents,
  type WallHandshakeAuth,
} from '@/lib/realtime/contract';
import type { Logger } from '../logger';
import type { AssignmentFeed } from './assignment-feed';
import { createAssigneeTracker } from './board-assignment-feed';

export interface SocketFeedOptions {
  /** e.g. http://127.0.0.1:3000 */
  serverUrl: string;
  logger: Logger;
  /** A session cookie (from POST /api/session) or a wall display token: whichever the server accepts. */
  cookie?: string;
  displayToken?: string;
}

/**
 * The standalone simulator's view of dispatch: it subscribes to the wall feed like a wall does and watches
 * each incident's assignee. A unit newly named as an incident's assignee is an assignment; a unit that stops
 * being one (reassigned, cancelled, closed) is released.
 */
export function createSocketAssignmentFeed(o: SocketFeedOptions): AssignmentFeed & { close(): void } {
  const tracker = createAssigneeTracker();
  const extraHeaders: Record<string, string> = { origin: new URL(o.serverUrl).origin };
  if (o.cookie) extraHeaders.cookie = o.cookie;
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(o.serverUrl, {
    transports: ['websocket'],
    extraHeaders,
    // Incidents only: it never reads positions, and a province's cost the server ~30 MB a snapshot.
    auth: {
      feed: 'incidents',
      ...(o.displayToken ? { token: o.displayToken } : {}),
    } satisfies WallHandshakeAuth,
    query: o.displayToken ? { token: o.displayToken } : {},
    reconnectionDelayMax: 2_000,
  });
  socket.on('connect', () => {
    o.logger.info({ server: o.serverUrl }, 'simulator: watching assignments');
    socket.emit('wall:subscribe', { protocol: PROTOCOL_VERSION, regionCode: null }, (res) => {
      if (!res.ok) o.logger.warn({ error: res.error }, 'simulator: wall subscription refused');
    });
  });
  socket.on('connect_error', (err) =>
    o.logger.warn({ err: err.message }, 'simulator: cannot reach the server feed'),
  );
  socket.on('wall:batch', (batch, ack) => {
    // A snapshot lists every open incident: anything we held that is missing from it is gone.
    if (batch.isFull) tracker.retain(new Set((batch.incidents ?? []).map((v) => v.id)));
    for (const v of batch.incidents ?? []) tracker.see(v);
    for (const id of batch.incidentsRemoved ?? []) tracker.drop(id);
    ack({ ok: true });
  });
  return { onAssigned: tracker.onAssigned, onReleased: tracker.onReleased, close: () => void socket.close() };
}

/** Signs in (POST /api/session) and returns the session cookie, or null if the server refused. */
export async function signIn(serverUrl: string, username: string, password: string): Promise<string | null> {
  const res = await fetch(new URL('/api/session', serverUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: new URL(serverUrl).origin },
    body: JSON.stringify({ username, password }),
  });
  if (!res.ok) return null;
  const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0]);
  return cookies.length ? cookies.join('; ') : null;
}
