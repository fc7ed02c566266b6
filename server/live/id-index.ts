/**
 * Entity id → dense index, looked up by string or straight from a report's bytes. At a million position
 * reports a second the lookup is the largest single cost of ingest: a `Map<string, number>` first needs a
 * string made from the bytes, then hashes it and follows pointers through a 1 M-entry table (≈ 650 ns a
 * lookup here). This keeps a flat open-addressing table of (hash, index) pairs and the ids' bytes in one
 * arena, so a lookup from bytes touches two cache lines and allocates nothing (≈ 250 ns,
 * bench/pipeline/ingest-ceiling.ts).
 *
 * Ids whose characters all fit in one byte (every id a device or gateway sends in practice: GB/T 28181
 * codes, plate numbers in ASCII, terminal phone numbers) live in the arena; any other id goes to a plain Map,
 * and the byte lookup, which only ever sees ASCII, never needs it.
 */

const INITIAL_SLOTS = 1 << 11;
const INITIAL_ARENA = 1 << 14;
// As an int32, like every hash Math.imul returns (an empty id never goes through it).
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

/**
 * An IdIndex's storage, as another thread sees it. Only an index made `shared` has buffers another thread can
 * read; they are replaced (never changed in place for ids already added) when the index grows, so a reader
 * handed them after some ids were added can look those ids up for as long as it keeps them.
 */
export interface IdIndexBuffers {
  slots: Int32Array;
  mask: number;
  arena: Uint8Array;
  start: Uint32Array;
}

const newBuffer = (bytes: number, shared: boolean): ArrayBufferLike =>
  shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);

/** The storage of an index with no ids: one empty slot. */
export const EMPTY_ID_BUFFERS: IdIndexBuffers = {
  slots: new Int32Array(2),
  mask: 0,
  arena: new Uint8Array(0),
  start: new Uint32Array(1),
};

/** Whether `id` keeps its characters in an IdIndex's arena (one byte each) rather than in its Map. */
export function isNarrowId(id: string): boolean {
  for (let j = 0; j < id.length; j++) if (id.charCodeAt(j) > 0xff) return false;
  return true;
}

/**
 * Lookups over an IdIndex's buffers, read only: another thread's view of a shared index (the history thread
 * names units from the ingest thread's ids instead of keeping a copy, 180 MB at a province's 2.3 M cameras).
 * Ids outside the arena (any character above U+00FF) are not in the buffers: such an id reads as absent here.
 * Safe beside the owner's writes for ids added before the buffers were handed over: slots are never emptied
 * and entries never move, so the probe chain to an added id stays as it was.
 */
export class IdIndexView {
  /** Slot s holds (hash, index + 1) at [2s, 2s + 1]; index + 1 = 0 marks an empty slot. */
  protected slots: Int32Array;
  protected mask: number;
  protected arena: Uint8Array;
  /** Where index i's id starts in the arena; its length is start[i + 1] − start[i]. */
  protected start: Uint32Array;

  constructor(b: IdIndexBuffers) {
    this.slots = b.slots;
    this.mask = b.mask;
    this.arena = b.arena;
    this.start = b.start;
  }

  /** Reads through newer buffers of the same index. */
  use(b: IdIndexBuffers): void {
    this.slots = b.slots;
    this.mask = b.mask;
    this.arena = b.arena;
    this.start = b.start;
  }

  /** The index of `id`, or −1. */
  get(id: string): number {
    let h = FNV_OFFSET;
    for (let j = 0; j < id.length; j++) {
      const c = id.charCodeAt(j);
      if (c > 0xff) return this.wideIndex(id);
      h = Math.imul(h ^ c, FNV_PRIME);
    }
    const len = id.length;
    let s = h & this.mask;
    for (;;) {
      const v = this.slots[2 * s + 1]!;
      if (v === 0) return -1;
      if (this.slots[2 * s] === h) {
        const i = v - 1;
        const o = this.start[i]!;
        if (this.start[i + 1]! - o === len) {
          let j = 0;
          while (j < len && this.arena[o + j] === id.charCodeAt(j)) j++;
          if (j === len) return i;
        }
      }
      s = (s + 1) & this.mask;
    }
  }

  /**
   * The id recorded as index i (i below the number added), made from the arena's bytes: the store keeps no
   * string per entity, which at a province's 3.3 M entities was ~100 MB of heap (issue 20). In a view, '' for
   * an id outside the arena.
   */
  idAt(i: number): string {
    const o = this.start[i]!;
    const e = this.start[i + 1]!;
    if (e === o) return this.wideId(i);
    return Buffer.from(this.arena.buffer, this.arena.byteOffset + o, e - o).toString('latin1');
  }

  protected wideIndex(_id: string): number {
    return -1;
  }

  protected wideId(_i: number): string {
    return '';
  }
}

export class IdIndex extends IdIndexView {
  private used = 0;
  private arenaUsed = 0;
  private readonly wide = new Map<string, number>();
  /** The wide ids by index, for idAt (they have no bytes in the arena). */
  private readonly wideAt = new Map<number, string>();
  /** getManyBytes' hashes (grown to the largest batch). */
  private hashes = new Int32Array(0);
  /** Kept so that the loads that warm the table are not optimised away. */
  private touched = 0;
  /** Twice the most ids it will hold, as a power of two: the table stays at most half full. */
  private readonly maxSlots: number;
  private readonly isShared: boolean;

  /** `shared`: the storage lives in SharedArrayBuffers, which `buffers()` hands to other threads. */
  constructor(maxIds: number, { shared = false }: { shared?: boolean } = {}) {
    super({
      slots: new Int32Array(newBuffer(8 * INITIAL_SLOTS, shared)),
      mask: INITIAL_SLOTS - 1,
      arena: new Uint8Array(newBuffer(INITIAL_ARENA, shared)),
      start: new Uint32Array(newBuffer(4 * (INITIAL_SLOTS + 1), shared)),
    });
    this.isShared = shared;
    this.maxSlots = 2 ** Math.ceil(Math.log2(2 * maxIds));
  }

  /** The storage as of now, for a view in another thread (a shared index only). */
  buffers(): IdIndexBuffers {
    if (!this.isShared) throw new Error('IdIndex.buffers: the index was not made shared');
    return { slots: this.slots, mask: this.mask, arena: this.arena, start: this.start };
  }

  private buffer(bytes: number): ArrayBufferLike {
    return newBuffer(bytes, this.isShared);
  }

  protected override wideIndex(id: string): number {
    return this.wide.get(id) ?? -1;
  }

  protected override wideId(i: number): string {
    return this.wideAt.get(i) ?? '';
  }

  /** The index of the id spelled by bytes[from, to) (one byte per character), or −1. */
  getBytes(bytes: Uint8Array, from: number, to: number): number {
    let h = FNV_OFFSET;
    for (let j = from; j < to; j++) h = Math.imul(h ^ bytes[j]!, FNV_PRIME);
    return this.probe(h, bytes, from, to);
  }

  private probe(h: number, bytes: Uint8Array, from: number, to: number): number {
    const len = to - from;
    const slots = this.slots;
    const arena = this.arena;
    let s = h & this.mask;
    for (;;) {
      const v = slots[2 * s + 1]!;
      if (v === 0) return -1;
      if (slots[2 * s] === h) {
        const i = v - 1;
        const o = this.start[i]!;
        if (this.start[i + 1]! - o === len) {
          let j = 0;
          while (j < len && arena[o + j] === bytes[from + j]) j++;
          if (j === len) return i;
        }
      }
      s = (s + 1) & this.mask;
    }
  }

  /**
   * getBytes for n ids at once: out[k] is the index of bytes[from[k], to[k]), or −1. The table is a cache miss
   * per lookup at province scale; touching every id's first slot in one tight loop first lets the processor
   * wait for those misses together instead of one after another.
   */
  getManyBytes(bytes: Uint8Array, from: Uint32Array, to: Uint32Array, n: number, out: Int32Array): void {
    if (this.hashes.length < n) this.hashes = new Int32Array(Math.max(n, 2 * this.hashes.length));
    const hashes = this.hashes;
    for (let k = 0; k < n; k++) {
      let h = FNV_OFFSET;
      for (let j = from[k]!; j < to[k]!; j++) h = Math.imul(h ^ bytes[j]!, FNV_PRIME);
      hashes[k] = h;
    }
    const slots = this.slots;
    const mask = this.mask;
    let touched = 0;
    for (let k = 0; k < n; k++) touched |= slots[2 * (hashes[k]! & mask) + 1]!;
    this.touched = touched;
    for (let k = 0; k < n; k++) out[k] = this.probe(hashes[k]!, bytes, from[k]!, to[k]!);
  }

  /**
   * Records `id` as index `i`. Indexes are added in order 0, 1, 2…, each once (EntityStore's dense numbering),
   * and the caller has checked that `id` is new.
   */
  add(id: string, i: number): void {
    if (i + 2 > this.start.length) {
      const grown = new Uint32Array(this.buffer(4 * Math.max(2 * this.start.length, i + 2)));
      grown.set(this.start);
      this.start = grown;
    }
    if (!isNarrowId(id)) {
      this.wide.set(id, i);
      this.wideAt.set(i, id);
      this.start[i + 1] = this.arenaUsed; // an empty arena entry keeps start[] dense
      return;
    }
    if (this.arenaUsed + id.length > this.arena.length) {
      const grown = new Uint8Array(this.buffer(Math.max(2 * this.arena.length, this.arenaUsed + id.length)));
      grown.set(this.arena.subarray(0, this.arenaUsed));
      this.arena = grown;
    }
    let h = FNV_OFFSET;
    for (let j = 0; j < id.length; j++) {
      const c = id.charCodeAt(j);
      this.arena[this.arenaUsed + j] = c;
      h = Math.imul(h ^ c, FNV_PRIME);
    }
    this.arenaUsed += id.length;
    this.start[i + 1] = this.arenaUsed;
    // Half full at most, so that a miss ends within a few slots.
    if (2 * (this.used + 1) > this.mask + 1 && this.mask + 1 < this.maxSlots)
      this.rehash(2 * (this.mask + 1));
    this.place(h, i);
    this.used++;
  }

  private place(h: number, i: number): void {
    let s = h & this.mask;
    while (this.slots[2 * s + 1] !== 0) s = (s + 1) & this.mask;
    this.slots[2 * s] = h;
    this.slots[2 * s + 1] = i + 1;
  }

  private rehash(size: number): void {
    const old = this.slots;
    this.slots = new Int32Array(this.buffer(8 * size));
    this.mask = size - 1;
    for (let s = 0; s < old.length; s += 2) {
      if (old[s + 1] !== 0) this.place(old[s]!, old[s + 1]! - 1);
    }
  }
}
