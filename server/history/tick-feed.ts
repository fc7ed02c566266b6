import type Database from 'better-sqlite3';
import { ENTITY_KINDS, type EntityKind } from '@/lib/realtime/position-codec';
import { EMPTY_ID_BUFFERS } from '../live/id-index';
import type { LiveState, TickChanges } from '../live/live-state';
import type { StartKeys } from './history-writer';
import {
  emptyByKind,
  newRingBuffer,
  RING_POINT_BYTES,
  ringCapacityFor,
  ringColumns,
  type RingColumns,
  type TickMessage,
} from './tick-ring';

/**
 * The history keys stored by earlier processes, matched to this process's live idx (the writer's thread has
 * no live state to match them with), so a frame places units that have not reported since the start. Read
 * once at start, on the ingest thread, as the writer did before; units named later are looked up by the writer.
 */
export function readStartKeys(sqlite: Database.Database, live: LiveState): StartKeys {
  const bound = emptyByKind(() => new Int32Array(0));
  for (const kind of ENTITY_KINDS) bound[kind] = new Int32Array(live.store(kind).count);
  let nextKey = 1;
  for (const [key, kind, id] of sqlite
    .prepare('SELECT key, kind, id FROM history_entities')
    .raw()
    .iterate() as Iterable<[number, EntityKind, string]>) {
    nextKey = Math.max(nextKey, key + 1);
    const idx = ENTITY_KINDS.includes(kind) ? live.store(kind).indexOf(id) : undefined;
    if (idx !== undefined && idx < bound[kind].length) bound[kind][idx] = key;
  }
  return { bound, nextKey };
}

/** Units named per kind and tick besides the changed ones. */
export const ANNOUNCE_PER_TICK = 20_000;

/**
 * The ingest thread's whole share of history: copies each sealed tick's changed units from the live columns
 * into the shared ring (a few ns a unit, no allocation) and names units the writer has not seen. The writer
 * hands ring space back through `freed` once it has recorded a tick.
 */
export class TickFeed {
  /** Points not written to the ring because it was full (the writer fell behind): counted, logged by the host. */
  droppedPoints = 0;
  droppedTicks = 0;
  private head = 0;
  private used = 0;
  private readonly announced: Record<EntityKind, Uint8Array>;
  /** Next idx the feed names by itself (units that never change still need naming, for frames). */
  private readonly sweepIdx = emptyByKind(() => 0);
  /** One message, refilled each tick (postMessage copies it): the ingest thread allocates nothing per tick. */
  private readonly msg: TickMessage = {
    now: 0,
    record: true,
    counts: emptyByKind(() => 0),
    ranges: emptyByKind(() => ({ start: 0, n: 0 })),
    newUnits: emptyByKind(() => ({ idx: [], ids: [] })),
    liveIds: emptyByKind(() => EMPTY_ID_BUFFERS),
  };

  /** Bytes of the shared ring (a province's ~39 MB), for the memory gauge. */
  get ringBytes(): number {
    return this.ring.capacity * RING_POINT_BYTES;
  }

  constructor(
    private readonly live: LiveState,
    private readonly ring: RingColumns,
    keys: StartKeys,
  ) {
    this.announced = emptyByKind(() => new Uint8Array(0));
    for (const kind of ENTITY_KINDS) {
      const b = keys.bound[kind];
      const a = new Uint8Array(Math.max(1024, b.length));
      for (let i = 0; i < b.length; i++) if (b[i]! !== 0) a[i] = 1;
      this.announced[kind] = a;
    }
  }

  /** Points written and not yet handed back by the writer. */
  pending(): number {
    this.used -= Atomics.exchange(this.ring.freed, 0, 0);
    return this.used;
  }

  /**
   * The tick's message; valid until the next call (post it before building another). `record` false: a
   * process that does not lead, whose writer records the points for its own reads but stores nothing.
   */
  build(changes: TickChanges, now: number, record = true): TickMessage {
    let total = 0;
    for (const kind of ENTITY_KINDS) total += changes.changed[kind].length;
    const fits = this.pending() + total <= this.ring.capacity;
    if (!fits) {
      this.droppedPoints += total;
      this.droppedTicks++;
    }
    const r = this.ring;
    const mask = r.capacity - 1;
    const msg = this.msg;
    msg.now = now;
    msg.record = record;
    for (const kind of ENTITY_KINDS) {
      const store = this.live.store(kind);
      const changed = changes.changed[kind];
      msg.counts[kind] = store.count;
      msg.liveIds[kind] = store.idBuffers();
      let announced = this.announced[kind];
      if (announced.length < store.count) {
        const a = new Uint8Array(Math.max(store.count, announced.length * 2));
        a.set(announced);
        this.announced[kind] = announced = a;
      }
      const fresh = msg.newUnits[kind];
      fresh.idx.length = 0;
      fresh.ids.length = 0;
      const start = this.head;
      for (let k = 0; k < changed.length; k++) {
        const i = changed[k]!;
        // Named even when the ring is full, so the unit's later points still find their key.
        if (announced[i] === 0) {
          announced[i] = 1;
          fresh.idx.push(i);
          fresh.ids.push(store.idOf(i));
        }
        if (!fits) continue;
        const at = this.head++ & mask;
        r.idx[at] = i;
        r.ts[at] = store.ts[i]!;
        r.lng[at] = store.lng[i]!;
        r.lat[at] = store.lat[i]!;
        r.speed[at] = store.speed[i]!;
        r.heading[at] = store.heading[i]!;
        r.status[at] = store.status[i]!;
      }
      // Units that have not changed yet, a bounded number a tick (a province's 3 M in ~8 s after a start).
      for (let n = 0; this.sweepIdx[kind] < store.count && n < ANNOUNCE_PER_TICK; n++) {
        const i = this.sweepIdx[kind]++;
        if (announced[i] !== 0) continue;
        announced[i] = 1;
        fresh.idx.push(i);
        fresh.ids.push(store.idOf(i));
      }
      msg.ranges[kind].start = start & mask;
      msg.ranges[kind].n = this.head - start;
      this.used += this.head - start;
    }
    // Kept small: the head only matters modulo the (power-of-two) capacity.
    this.head &= mask;
    return msg;
  }
}

/** A feed over a new ring, sized for the units live now, with the start keys the writer must be given. */
export function newTickFeed(sqlite: Database.Database, live: LiveState) {
  const keys = readStartKeys(sqlite, live);
  let units = 0;
  for (const b of Object.values(keys.bound)) units += b.length;
  const ring = newRingBuffer(ringCapacityFor(units));
  return { keys, ring, feed: new TickFeed(live, ringColumns(ring), keys) };
}
