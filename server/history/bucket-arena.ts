/**
 * Closed segments of one bucket waiting to be written, held so that the bucket's rows reach SQLite in key
 * order. Why: at a bucket boundary every unit's next report closes its segment, in report order, which is
 * random by key; written as they came (the first version), each row landed on a random page of the bucket's
 * b-tree, so each tick's commit rewrote ~1,600 pages (a 54 ms p99 tick at province scale) and pages split
 * to ~75 % full (~2 bytes a position of slack). Written in key order they append at the tree's right edge:
 * full pages, and a commit touches only the pages it fills.
 *
 * Bytes live in fixed blocks (no per-segment object: a province bucket is ~1 M segments), and each key
 * chains its segments, so the ordered walk needs no sort.
 */

/** Bytes per block: big enough that a province bucket (~110 MB) is ~30 blocks, small enough to grow cheaply. */
export const ARENA_BLOCK_BYTES = 4 * 2 ** 20;
/**
 * Blocks an arena lets go of are kept here for the next one, up to the held bound's worth (PENDING_BYTES_MAX
 * in held-segments.ts, 48 MB): a bucket written in parts frees and needs blocks every minute or two, and left
 * to the history worker's small JS heap to collect they lingered as external memory at province scale.
 */
const POOL_BLOCKS_MAX = 12;
const pool: Uint8Array[] = [];

export class BucketArena {
  bucket = -1;
  /** Which part of its bucket this arena's ordered write makes (block-row.ts blockEntity), set as it starts. */
  part = 0;
  count = 0;
  /** Bytes held (the sum of entry lengths), against the writer's bound. */
  bytes = 0;
  points = 0;
  private blocks: Uint8Array[] = [];
  private blockUsed = 0;
  private eKey = new Int32Array(0);
  private ePoints = new Uint16Array(0);
  private eBlock = new Uint16Array(0);
  private eOff = new Uint32Array(0);
  private eLen = new Uint32Array(0);
  /** Per entry, the key's previous entry (−1: none): chains run newest → oldest. */
  private eNext = new Int32Array(0);
  /** Per key, its newest entry (−1: none). */
  private head = new Int32Array(0);
  /** Largest key held, so an ordered walk knows where to stop. */
  maxKey = 0;

  get isEmpty(): boolean {
    return this.count === 0;
  }

  reset(bucket: number): void {
    this.bucket = bucket;
    this.part = 0;
    this.count = 0;
    this.bytes = 0;
    this.points = 0;
    for (const b of this.blocks)
      if (b.length === ARENA_BLOCK_BYTES && pool.length < POOL_BLOCKS_MAX) pool.push(b);
    this.blocks = [];
    this.blockUsed = 0;
    this.head.fill(-1);
    this.maxKey = 0;
  }

  add(key: number, points: number, data: Uint8Array): void {
    const n = this.count;
    if (n === this.eKey.length) this.growEntries();
    if (key >= this.head.length) this.growHead(key);
    let block = this.blocks[this.blocks.length - 1];
    if (!block || this.blockUsed + data.length > block.length) {
      block =
        data.length <= ARENA_BLOCK_BYTES
          ? (pool.pop() ?? new Uint8Array(ARENA_BLOCK_BYTES))
          : new Uint8Array(data.length);
      this.blocks.push(block);
      this.blockUsed = 0;
    }
    block.set(data, this.blockUsed);
    this.eKey[n] = key;
    this.ePoints[n] = points;
    this.eBlock[n] = this.blocks.length - 1;
    this.eOff[n] = this.blockUsed;
    this.eLen[n] = data.length;
    this.eNext[n] = this.head[key]!;
    this.head[key] = n;
    this.blockUsed += data.length;
    this.count++;
    this.bytes += data.length;
    this.points += points;
    if (key > this.maxKey) this.maxKey = key;
  }

  private growEntries(): void {
    const cap = Math.max(4096, this.eKey.length * 2);
    const grow = <T extends Int32Array | Uint16Array | Uint32Array>(a: T, make: (k: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.eKey = grow(this.eKey, (k) => new Int32Array(k));
    this.ePoints = grow(this.ePoints, (k) => new Uint16Array(k));
    this.eBlock = grow(this.eBlock, (k) => new Uint16Array(k));
    this.eOff = grow(this.eOff, (k) => new Uint32Array(k));
    this.eLen = grow(this.eLen, (k) => new Uint32Array(k));
    this.eNext = grow(this.eNext, (k) => new Int32Array(k));
  }

  private growHead(key: number): void {
    let cap = Math.max(4096, this.head.length * 2);
    while (cap <= key) cap *= 2;
    const h = new Int32Array(cap).fill(-1);
    h.set(this.head);
    this.head = h;
  }

  private entryData(e: number): Uint8Array {
    const off = this.eOff[e]!;
    return this.blocks[this.eBlock[e]!]!.subarray(off, off + this.eLen[e]!);
  }

  /** Whether `key` has anything held. */
  has(key: number): boolean {
    return key < this.head.length && this.head[key]! >= 0;
  }

  /**
   * The key's segments joined oldest first (runs stand alone, so a joined blob is a valid row), and their
   * point count; null when none.
   */
  joined(key: number): { points: number; data: Uint8Array } | null {
    if (!this.has(key)) return null;
    let e = this.head[key]!;
    if (this.eNext[e]! < 0) return { points: this.ePoints[e]!, data: this.entryData(e) };
    const chain: number[] = [];
    for (; e >= 0; e = this.eNext[e]!) chain.push(e);
    let len = 0;
    let points = 0;
    for (const c of chain) {
      len += this.eLen[c]!;
      points += this.ePoints[c]!;
    }
    const data = new Uint8Array(len);
    let pos = 0;
    for (let k = chain.length - 1; k >= 0; k--) {
      const d = this.entryData(chain[k]!);
      data.set(d, pos);
      pos += d.length;
    }
    return { points, data };
  }

  /**
   * Every entry with key ≥ minKey (any order), for readers: its bytes are data[start..end) of an arena block
   * (no view per entry: a frame reads a whole province bucket), valid until the next reset (keys below minKey are already in SQLite during an ordered write).
   */
  forEach(minKey: number, cb: (key: number, data: Uint8Array, start: number, end: number) => void): void {
    for (let e = 0; e < this.count; e++) {
      if (this.eKey[e]! < minKey) continue;
      const off = this.eOff[e]!;
      cb(this.eKey[e]!, this.blocks[this.eBlock[e]!]!, off, off + this.eLen[e]!);
    }
  }

  /** The key's entries, oldest last (views, as forEach). */
  forKey(key: number, cb: (data: Uint8Array) => void): void {
    if (!this.has(key)) return;
    for (let e = this.head[key]!; e >= 0; e = this.eNext[e]!) cb(this.entryData(e));
  }
}
