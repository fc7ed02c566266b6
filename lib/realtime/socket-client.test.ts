import { describe, expect, it } from 'vitest';
import {
  LAG_DELIVERY_ALLOWANCE_MS,
  LINK_STALE_AFTER_MS,
  LIVE_MAX_LAG_MS,
  PROTOCOL_VERSION,
  type BatchAck,
} from './contract';
import { linkStatus, WallConnection } from './socket-client';

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
  });
});
