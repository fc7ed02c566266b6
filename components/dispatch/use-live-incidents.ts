'use client';

import { useEffect, useRef, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import {
  EMPTY_INCIDENT_LIST,
  applyIncidentBatch,
  type IncidentListState,
} from '@/lib/dispatch/incident-list';
import {
  PROTOCOL_VERSION,
  type ClientToServerEvents,
  type ServerToClientEvents,
} from '@/lib/realtime/contract';

export type LinkState = 'connecting' | 'live' | 'disconnected';

/**
 * The open incidents, live: the same Socket.IO batches the walls get (only their incident part is used
 * here), acknowledged one by one; a gap is answered with `gap` so the server sends a full batch.
 */
export function useLiveIncidents(): { list: IncidentListState; link: LinkState; lastBatchAt: number } {
  const [list, setList] = useState<IncidentListState>(EMPTY_INCIDENT_LIST);
  const [link, setLink] = useState<LinkState>('connecting');
  const [lastBatchAt, setLastBatchAt] = useState(0);
  const ref = useRef(list);

  useEffect(() => {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({
      transports: ['websocket'],
      withCredentials: true,
    });
    socket.on('connect', () => {
      setLink('live');
      socket.emit('wall:subscribe', { protocol: PROTOCOL_VERSION, regionCode: null }, () => {});
    });
    socket.on('disconnect', () => setLink('disconnected'));
    socket.on('connect_error', () => setLink('disconnected'));
    socket.on('wall:batch', (batch, ack) => {
      const r = applyIncidentBatch(ref.current, batch);
      if (r.isGap) {
        ack({ ok: false, error: 'gap' });
        return;
      }
      ref.current = r.state;
      if (batch.isFull || batch.incidents?.length || batch.incidentsRemoved?.length) setList(r.state);
      setLastBatchAt(Date.now());
      ack({ ok: true });
    });
    return () => {
      socket.close();
    };
  }, []);

  return { list, link, lastBatchAt };
}
