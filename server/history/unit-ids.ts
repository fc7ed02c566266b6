/**
 * The history thread's copy of each announced unit's id, by its live index, and which of them still wait for
 * a history key (a unit is named at its first stored point). A province announces 3.3 M units and most
 * cameras never store a point; as two Maps (index → id and id → index) with a string per id, 2.3 M waiting
 * units of 20-character ids took 347 MB of the history thread's heap. Here an id costs its bytes plus ~15
 * bytes of columns and table, outside the heap: 124 MB for the same units, growth slack included.
 *
 * Ids whose characters all fit in one byte (what devices send in practice) live in the arena; any other, or
 * one longer than a length column holds, in a Map.
 */

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;
const INITIAL_UNITS = 1 << 10;
const INITIAL_SLOTS = 1 << 11;
const MAX_NARROW_LENGTH = 0xffff;
const UNKNOWN = 0;
const BOUND = 1;
const WAITING = 2;

function hashOf(id: string): number {
  let h = FNV_OFFSET;
  for (let j = 0; j < id.length; j++) h = Math.imul(h ^ id.charCodeAt(j), FNV_PRIME);
  return h;
}

function isNarrow(id: string): boolean {
  if (id.length === 0 || id.length > MAX_NARROW_LENGTH) return false;
  for (let j = 0; j < id.length; j++) if (id.charCodeAt(j) > 0xff) return false;
  return true;
}

export class UnitIds {
  private arena = new Uint8Array(1 << 14);
  private arenaUsed = 0;
  private start = new Uint32Array(INITIAL_UNITS);
  /** 0: not in the arena (unknown, or in `wide`). */
  private len = new Uint16Array(INITIAL_UNITS);
  private state = new Uint8Array(INITIAL_UNITS);
  /** Open addressing over the arena's ids: live index + 1 per slot, 0 for empty; at most half full. */
  private slots = new Int32Array(INITIAL_SLOTS);
  private narrowCount = 0;
  private readonly wide = new Map<string, number>();
  private readonly wideAt = new Map<number, string>();
  /** Units announced and not yet bound to a key. */
  waitingCount = 0;

  /** Unit `idx` (id `id`) waits for a key. An index keeps its first id: live indexes are never reused. */
  wait(idx: number, id: string): void {
    if (idx < 0) return;
    this.growTo(idx + 1);
    if (this.state[idx] === UNKNOWN) this.record(idx, id);
    if (this.state[idx] !== WAITING) this.waitingCount++;
    this.state[idx] = WAITING;
  }

  /** Unit `idx` has its key now. */
  bind(idx: number): void {
    if (idx < 0 || idx >= this.state.length || this.state[idx] !== WAITING) return;
    this.state[idx] = BOUND;
    this.waitingCount--;
  }

  /** Whether unit `idx` waits for a key (no id is made: the writer asks this for every point of such a unit). */
  isWaiting(idx: number): boolean {
    return idx >= 0 && idx < this.state.length && this.state[idx] === WAITING;
  }

  /** The id of unit `idx` while it waits for a key. */
  waitingId(idx: number): string | undefined {
    return this.isWaiting(idx) ? this.idAt(idx) : undefined;
  }

  /** The index of the waiting unit with id `id`. */
  waitingIdx(id: string): number | undefined {
    const idx = this.indexOf(id);
    return idx !== undefined && this.state[idx] === WAITING ? idx : undefined;
  }

  /** Each waiting unit, in index order; `f` may bind the unit it is given. */
  forEachWaiting(f: (id: string, idx: number) => void): void {
    for (let idx = 0; idx < this.state.length && this.waitingCount > 0; idx++)
      if (this.state[idx] === WAITING) f(this.idAt(idx), idx);
  }

  private idAt(idx: number): string {
    const n = this.len[idx]!;
    if (n === 0) return this.wideAt.get(idx) ?? '';
    const o = this.start[idx]!;
    return Buffer.from(this.arena.buffer, this.arena.byteOffset + o, n).toString('latin1');
  }

  private indexOf(id: string): number | undefined {
    if (!isNarrow(id)) return this.wide.get(id);
    const mask = this.slots.length - 1;
    for (let s = hashOf(id) & mask; ; s = (s + 1) & mask) {
      const v = this.slots[s]!;
      if (v === 0) return undefined;
      const idx = v - 1;
      if (this.len[idx] === id.length) {
        const o = this.start[idx]!;
        let j = 0;
        while (j < id.length && this.arena[o + j] === id.charCodeAt(j)) j++;
        if (j === id.length) return idx;
      }
    }
  }

  private record(idx: number, id: string): void {
    this.state[idx] = BOUND;
    if (!isNarrow(id)) {
      this.wide.set(id, idx);
      this.wideAt.set(idx, id);
      return;
    }
    if (this.arenaUsed + id.length > this.arena.length) {
      const grown = new Uint8Array(Math.max(2 * this.arena.length, this.arenaUsed + id.length));
      grown.set(this.arena.subarray(0, this.arenaUsed));
      this.arena = grown;
    }
    for (let j = 0; j < id.length; j++) this.arena[this.arenaUsed + j] = id.charCodeAt(j);
    this.start[idx] = this.arenaUsed;
    this.len[idx] = id.length;
    this.arenaUsed += id.length;
    if (2 * (this.narrowCount + 1) > this.slots.length) this.rehash(2 * this.slots.length);
    this.place(hashOf(id), idx);
    this.narrowCount++;
  }

  /** hashOf(id) of an id in the arena, read from its bytes (one byte per character). */
  private hashAt(idx: number): number {
    let h = FNV_OFFSET;
    const o = this.start[idx]!;
    for (let j = o; j < o + this.len[idx]!; j++) h = Math.imul(h ^ this.arena[j]!, FNV_PRIME);
    return h;
  }

  private place(h: number, idx: number): void {
    const mask = this.slots.length - 1;
    let s = h & mask;
    while (this.slots[s] !== 0) s = (s + 1) & mask;
    this.slots[s] = idx + 1;
  }

  private rehash(size: number): void {
    const old = this.slots;
    this.slots = new Int32Array(size);
    for (const v of old) if (v !== 0) this.place(this.hashAt(v - 1), v - 1);
  }

  private growTo(n: number): void {
    if (n <= this.state.length) return;
    let cap = this.state.length;
    while (cap < n) cap *= 2;
    const start = new Uint32Array(cap);
    start.set(this.start);
    this.start = start;
    const len = new Uint16Array(cap);
    len.set(this.len);
    this.len = len;
    const state = new Uint8Array(cap);
    state.set(this.state);
    this.state = state;
  }
}
