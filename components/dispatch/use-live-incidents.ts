'use client';

import { useEffect, useRef, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import {
  EMPTY_INCIDENT_LIST,
  applyIncidentBatch,
  type IncidentListState,
} from '@/lib/dispatch/incident-list';
import type { ClientToServerEvents, ServerToClientEvents } from '@/lib/realtime/contract';

import { linkStatus, type LinkStatus } from '@/lib/realtime/socket-client';

export type LinkState = Exclude<LinkStatus, 'unauthorized'>;
/** The link label is re-read this often; batches themselves never re-render the console. */
const LINK_POLL_MS = 1_000;

/**
 * The open incidents, live: the same Socket.IO batches the walls get (only their incident part is used
 * here), acknowledged one by one; a gap is answered with `gap` so the server sends a full batch.
 */
export function useLiveIncidents(): { list: IncidentListState; link: LinkState } {
  const [list, setList] = useState<IncidentListState>(EMPTY_INCIDENT_LIST);
  const [link, setLink] = useState<LinkState>('connecting');
  const ref = useRef(list);

  useEffect(() => {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({
      transports: ['websocket'],
      withCredentials: true,
    });
    // Heartbeats arrive at least once a second, so a silent link is stale even while the socket is open.
    let lastBatchAt = 0;
    const readLink = () => setLink(linkStatus(socket.connected, lastBatchAt, Date.now()) as LinkState);
    const poll = setInterval(readLink, LINK_POLL_MS);
    // No wall:subscribe on connect: the server snapshots every new connection for the whole territory
    // already, and a second request would only send that snapshot twice.
    socket.on('disconnect', readLink);
    socket.on('connect_error', readLink);
    socket.on('wall:batch', (batch, ack) => {
      const r = applyIncidentBatch(ref.current, batch);
      if (r.isGap) {
        ack({ ok: false, error: 'gap' });
        return;
      }
      ref.current = r.state;
      if (batch.isFull || batch.incidents?.length || batch.incidentsRemoved?.length) setList(r.state);
      const isFirst = lastBatchAt === 0;
      lastBatchAt = Date.now();
      if (isFirst) readLink();
      ack({ ok: true });
    });
    return () => {
      clearInterval(poll);
      socket.close();
    };
  }, []);

  return { list, link };
}
