import { describe, expect, it, vi } from 'vitest';
import {
  LAG_DELIVERY_ALLOWANCE_MS,
  LINK_STALE_AFTER_MS,
  LIVE_MAX_LAG_MS,
  PROTOCOL_VERSION,
  type BatchAck,
} from './contract';
import { AUTH_RETRY_MS, linkStatus, SERVER_CLOSED_RETRY_MS, WallConnection } from './socket-client';

describe('linkStatus', () => {
  it('is connecting before any data, live while batches flow, stale when they stop, disconnected when the socket drops', () => {
    expect(linkStatus(false, 0, 1000)).toBe('connecting');
    expect(linkStatus(true, 0, 1000)).toBe('connecting');
    expect(linkStatus(true, 1000, 1000 + LINK_STALE_AFTER_MS)).toBe('live');
    expect(linkStatus(true, 1000, 1001 + LINK_STALE_AFTER_MS)).toBe('stale');
    expect(linkStatus(false, 1000, 1001)).toBe('disconnected');
    // Batches still arriving, but carrying positions more than a second old: not live.
    const limit = LIVE_MAX_LAG_MS - LAG_DELIVERY_ALLOWANCE_MS;
    expect(linkStatus(true, 1000, 1001, limit)).toBe('live');
    expect(linkStatus(true, 1000, 1001, limit + 1)).toBe('stale');
  });
});

describe('WallConnection.onBatch', () => {
  it('acknowledges an applied batch and answers a gap so the server sends a snapshot', () => {
    const c = new WallConnection({ regionCode: null, now: () => 5 });
    const acks: BatchAck[] = [];
    c.onBatch({ v: PROTOCOL_VERSION, seq: 1, isFull: true, serverTs: 1 }, (a) => acks.push(a));
    c.onBatch({ v: PROTOCOL_VERSION, seq: 2, isFull: false, serverTs: 2 }, (a) => acks.push(a));
    c.onBatch({ v: PROTOCOL_VERSION, seq: 4, isFull: false, serverTs: 3 }, (a) => acks.push(a));
    expect(acks).toEqual([{ ok: true }, { ok: true }, { ok: false, error: 'gap' }]);
    expect(c.link().lastBatchAt).toBe(5);
    expect(c.state.lastSeq).toBe(2);
    expect(c.counts).toEqual({ batches: 1, snapshots: 1, notApplied: 1, listenerErrors: 0 });
  });

  it('runs every listener and times the batch when one listener throws, and reports the error', () => {
    const c = new WallConnection({ regionCode: null });
    const reported: unknown[] = [];
    vi.stubGlobal('reportError', (e: unknown) => reported.push(e));
    try {
      const heard: number[] = [];
      c.subscribe(() => heard.push(1));
      c.subscribe(() => {
        throw new Error('a panel broke');
      });
      c.subscribe(() => heard.push(3));
      performance.clearMeasures('pingan:batch');
      c.onBatch({ v: PROTOCOL_VERSION, seq: 1, isFull: true, serverTs: 1 }, () => {});
      c.onBatch({ v: PROTOCOL_VERSION, seq: 2, isFull: false, serverTs: 2 }, () => {});
      expect(heard).toEqual([1, 3, 1, 3]);
      expect(reported.map((e) => (e as Error).message)).toEqual(['a panel broke', 'a panel broke']);
      expect(c.counts).toEqual({ batches: 1, snapshots: 1, notApplied: 0, listenerErrors: 2 });
      expect(performance.getEntriesByName('pingan:batch')).toHaveLength(1);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

/** Runs `test` on vitest's fake timers, restoring the real ones however it ends. */
function withFakeTimers(test: () => void): void {
  vi.useFakeTimers();
  try {
    test();
  } finally {
    vi.useRealTimers();
  }
}

describe('WallConnection handshake refusals', () => {
  function fakeSocket() {
    const handlers = new Map<string, (arg: unknown) => void>();
    const socket = {
      connected: false,
      connects: 0,
      auth: {},
      on(event: string, h: (arg: unknown) => void) {
        handlers.set(event, h);
        return socket;
      },
      connect() {
        socket.connects++;
        return socket;
      },
      disconnect() {
        return socket;
      },
      emit() {
        return socket;
      },
      refuse(message: string) {
        handlers.get('connect_error')!(new Error(message));
      },
      drop(reason: string) {
        handlers.get('disconnect')!(reason);
      },
    };
    return socket;
  }

  it.each([
    ['unauthorized', 'unauthorized'],
    ['too many connections', 'connecting'],
  ])('retries after the server refused with %s (shown as %s)', (message, status) =>
    withFakeTimers(() => {
      const socket = fakeSocket();
      const c = new WallConnection({ regionCode: null, connect: () => socket as never });
      c.start();
      socket.refuse(message);
      expect(c.link().status).toBe(status);
      vi.advanceTimersByTime(AUTH_RETRY_MS - 1);
      expect(socket.connects).toBe(0);
      vi.advanceTimersByTime(1);
      expect(socket.connects).toBe(1);
      c.stop();
    }),
  );

  it('connects again after the server closed the socket, and leaves a dropped link to Socket.IO', () =>
    withFakeTimers(() => {
      const socket = fakeSocket();
      const c = new WallConnection({ regionCode: null, connect: () => socket as never });
      c.start();
      socket.drop('transport close');
      vi.advanceTimersByTime(SERVER_CLOSED_RETRY_MS * 2);
      expect(socket.connects).toBe(0);
      socket.drop('io server disconnect');
      vi.advanceTimersByTime(SERVER_CLOSED_RETRY_MS - 1);
      expect(socket.connects).toBe(0);
      vi.advanceTimersByTime(1);
      expect(socket.connects).toBe(1);
      c.stop();
    }));

  it('leaves network errors to Socket.IO', () =>
    withFakeTimers(() => {
      const socket = fakeSocket();
      const c = new WallConnection({ regionCode: null, connect: () => socket as never });
      c.start();
      socket.refuse('xhr poll error');
      vi.advanceTimersByTime(AUTH_RETRY_MS * 2);
      expect(socket.connects).toBe(0);
      c.stop();
    }));
});

describe('WallConnection.setRegion', () => {
  it('asks the server for a region only when it differs from the one this connection already asked for', () => {
    const emitted: [string, unknown][] = [];
    const socket = {
      connected: false,
      auth: {},
      on: () => socket,
      disconnect: () => socket,
      emit: (event: string, req: unknown) => (emitted.push([event, req]), socket),
    };
    const c = new WallConnection({ regionCode: '510104', connect: () => socket as never });
    c.start();
    // The wall mounts with the handshake's region before any snapshot: no second full snapshot for it.
    c.setRegion('510104');
    expect(emitted).toEqual([]);
    c.setRegion('510104001');
    c.setRegion('510104001');
    c.setRegion(null);
    expect(emitted).toEqual([
      ['wall:subscribe', { protocol: PROTOCOL_VERSION, regionCode: '510104001' }],
      ['wall:subscribe', { protocol: PROTOCOL_VERSION, regionCode: null }],
    ]);
    // A reconnection's handshake names the region now shown.
    expect(socket.auth).toEqual({ regionCode: undefined });
    c.stop();
  });
});
