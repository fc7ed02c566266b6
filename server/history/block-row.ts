/**
 * A block row: the segments of BLOCK_KEYS consecutive entity keys of one bucket in one row, written by the
 * ordered write (held-segments.ts), which holds a whole bucket and walks it in key order anyway. Why: a
 * province frame reads every entity's row of a bucket, and with one row per entity the bare SQLite scan of
 * 1 M rows (a Buffer per blob) was the whole frame's time (bench: 9.9 s of 9.8 s). 512 entities a row make
 * that scan 2 k rows and save the per-row key, header and page slack. Why 512: a block (~50 KB) spills into
 * overflow pages, whose last page is on average half empty (~2 KB a row); at 64 a row (~6 KB) that was 30 %
 * more bytes (quick bench: 7.2 B a position), at 512 it is ~4 % (5.45 B). A track reads one ~50 KB row a
 * bucket (7 MB a day), a few ms.
 *
 * Stored in history_segments under entity = −(block + 1) (no new table, retention and the key order by
 * bucket hold as they are), or a part's own number (blockEntity); positive entities stay one entity's row
 * (late reports, rows written before).
 * A blob is chunks, each `varint n · n × (varint Δkey, varint bytes) · the n segments' bytes`, so a second
 * write of the same block (a bucket held again after a restart) appends a chunk, as entity rows append runs.
 */
import { SegmentDecodeError, writeVarint } from './segment-codec';

export const BLOCK_KEYS = 512;
/**
 * Blocks (2^31 keys / BLOCK_KEYS) in one part's range of entity numbers. A bucket written in parts
 * (held-segments.ts) gives each part's rows entities of their own, so no row is ever read back and rewritten
 * (appending each part to the same rows rewrote the whole bucket so far at every part: at 750 k–1 M reports a
 * second that starved the walls in two bench runs). Part 0 is −(block + 1), in [−2^22, −1]; part p ≥ 1 is −(p + 1)·2^22 + block, in
 * [−(p + 1)·2^22, −p·2^22 − 1], ascending with the block so that a part's ordered write appends.
 */
export const PART_STRIDE = 2 ** 22;
/** Parts a bucket may be written in; past the last, rows append to its rows. */
export const MAX_PARTS = 64;
export const blockEntity = (key: number, part = 0) => {
  const block = Math.floor(key / BLOCK_KEYS);
  return part === 0 ? -(block + 1) : -(part + 1) * PART_STRIDE + block;
};
export const isBlockEntity = (entity: number) => entity < 0;
/** The highest part whose range holds `entity` (the bucket's smallest): parts 0..that may have rows. */
export const partOfEntity = (entity: number) => (entity < 0 ? Math.floor((-entity - 1) / PART_STRIDE) : 0);

/** Bytes encodeBlock may need for these entries (its directory's varints at their longest). */
export function blockBytesMax(entries: readonly { data: Uint8Array }[]): number {
  let len = 10 + entries.length * 12;
  for (const e of entries) len += e.data.length;
  return len;
}

/**
 * The block row of these entries (in key order). With `out`, written into out[at..] (which must hold
 * blockBytesMax) and returned as a view of it, so an ordered write reuses one buffer for all its rows.
 */
export function encodeBlock(
  entries: readonly { key: number; data: Uint8Array }[],
  out?: Uint8Array,
  at = 0,
): Uint8Array {
  const buf = out ?? new Uint8Array(blockBytesMax(entries));
  let pos = writeVarint(buf, at, entries.length);
  let prev = 0;
  for (const e of entries) {
    pos = writeVarint(buf, pos, e.key - prev);
    pos = writeVarint(buf, pos, e.data.length);
    prev = e.key;
  }
  for (const e of entries) {
    buf.set(e.data, pos);
    pos += e.data.length;
  }
  return out ? buf.subarray(at, pos) : buf.slice(0, pos);
}

let keys = new Float64Array(BLOCK_KEYS);
let lens = new Float64Array(BLOCK_KEYS);
let bpos = 0;
/** Reads a varint at data[bpos] (module state, not a closure: a frame reads a province's directories). */
function readVar(data: Uint8Array, end: number): number {
  let v = 0;
  let mul = 1;
  for (;;) {
    if (bpos >= end) throw new SegmentDecodeError('truncated block');
    const b = data[bpos++]!;
    v += (b & 0x7f) * mul;
    if (b < 0x80) return v;
    mul *= 0x80;
    if (mul > 2 ** 35) throw new SegmentDecodeError('block varint too long');
  }
}

/**
 * Calls cb with each entity's key and where its bytes lie in the block blob (data[start..end), no views: a
 * frame reads every entity of a province); throws SegmentDecodeError when damaged.
 */
export function forEachRangeInBlock(
  data: Uint8Array,
  cb: (key: number, data: Uint8Array, start: number, end: number) => void,
): void {
  const end = data.length;
  bpos = 0;
  while (bpos < end) {
    const n = readVar(data, end);
    if (n < 1 || n > 1_000_000) throw new SegmentDecodeError('bad block count');
    if (n > keys.length) {
      keys = new Float64Array(n);
      lens = new Float64Array(n);
    }
    let key = 0;
    for (let k = 0; k < n; k++) {
      key += readVar(data, end);
      keys[k] = key;
      lens[k] = readVar(data, end);
    }
    // The callback may decode with module state of its own, never this module's: bpos is read back once.
    let pos = bpos;
    for (let k = 0; k < n; k++) {
      const l = lens[k]!;
      if (pos + l > end) throw new SegmentDecodeError('truncated block');
      cb(keys[k]!, data, pos, pos + l);
      pos += l;
    }
    bpos = pos;
  }
}

/** Calls cb for each entity's bytes in a block blob (views into it); throws SegmentDecodeError when damaged. */
export function forEachInBlock(data: Uint8Array, cb: (key: number, bytes: Uint8Array) => void): void {
  forEachRangeInBlock(data, (key, d, start, end) => cb(key, d.subarray(start, end)));
}
