/**
 * Strings (or null) by dense index, their UTF-16 code units in one arena. A province's 3.3 M device names
 * as one JS string each held ~150 MB of the server's heap (heap snapshot: 3.3 M strings and their array),
 * and every major GC marked each of them; here they cost 8 bytes plus 2 per character, outside the heap.
 * Reading one makes a new string: for lookups (a unit's card, a recommendation), not for scanning millions.
 */

/** Code units copied into a string at a time (String.fromCharCode's arguments stay far under the limit). */
const DECODE_CHUNK = 4_096;
/** The arena is rewritten without its dead units once they outnumber the live ones and pass this. */
const COMPACT_MIN_DEAD_UNITS = 1 << 20;
const NULL = -1;

export class StringColumn {
  private units = new Uint16Array(1 << 12);
  private used = 0;
  /** Units no entry points to any more (left behind by longer renames). */
  private dead = 0;
  private start = new Uint32Array(1 << 10);
  /** −1 for null. */
  private len = new Int32Array(1 << 10);
  count = 0;

  /** Appends s as entry `count`. */
  push(s: string | null): void {
    if (this.count === this.start.length) {
      const start = new Uint32Array(2 * this.start.length);
      start.set(this.start);
      this.start = start;
      const len = new Int32Array(2 * this.len.length);
      len.set(this.len);
      this.len = len;
    }
    const i = this.count++;
    this.len[i] = 0;
    this.set(i, s);
  }

  set(i: number, s: string | null): void {
    if (i < 0 || i >= this.count) return;
    const old = this.len[i]!;
    if (s === null) {
      this.dead += Math.max(0, old);
      this.len[i] = NULL;
      return;
    }
    // In place when it fits: a rename to a name no longer than the last leaves only its tail behind.
    if (s.length > Math.max(0, old)) {
      this.dead += Math.max(0, old);
      this.reserve(s.length);
      this.start[i] = this.used;
      this.used += s.length;
    } else this.dead += old - s.length;
    const at = this.start[i]!;
    for (let k = 0; k < s.length; k++) this.units[at + k] = s.charCodeAt(k);
    this.len[i] = s.length;
    if (this.dead > COMPACT_MIN_DEAD_UNITS && this.dead > this.used - this.dead) this.compact();
  }

  get(i: number): string | null {
    if (i < 0 || i >= this.count) return null;
    const n = this.len[i]!;
    if (n === NULL) return null;
    const at = this.start[i]!;
    if (n <= DECODE_CHUNK)
      return String.fromCharCode.apply(null, this.units.subarray(at, at + n) as unknown as number[]);
    let s = '';
    for (let k = 0; k < n; k += DECODE_CHUNK)
      s += String.fromCharCode.apply(
        null,
        this.units.subarray(at + k, at + Math.min(n, k + DECODE_CHUNK)) as unknown as number[],
      );
    return s;
  }

  /** Bytes held (arena and both index columns). */
  get bytes(): number {
    return this.units.byteLength + this.start.byteLength + this.len.byteLength;
  }

  private reserve(n: number): void {
    if (this.used + n <= this.units.length) return;
    let cap = this.units.length;
    while (cap < this.used + n) cap *= 2;
    const units = new Uint16Array(cap);
    units.set(this.units.subarray(0, this.used));
    this.units = units;
  }

  private compact(): void {
    const units = new Uint16Array(Math.max(1 << 12, 2 * (this.used - this.dead)));
    let used = 0;
    for (let i = 0; i < this.count; i++) {
      const n = this.len[i]!;
      if (n <= 0) continue;
      units.set(this.units.subarray(this.start[i]!, this.start[i]! + n), used);
      this.start[i] = used;
      used += n;
    }
    this.units = units;
    this.used = used;
    this.dead = 0;
  }
}
