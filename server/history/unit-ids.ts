import { IdIndex } from '../live/id-index';
import { MAX_ENTITIES_PER_KIND } from '../live/entity-store';

/**
 * The history thread's copy of each announced unit's id, by its live index, and which of them still wait for
 * a history key (a unit is named at its first stored point). A province announces 3.3 M units and most
 * cameras never store a point; as two Maps (index → id and id → index) with a string per id, 2.3 M waiting
 * units of 20-character ids took 347 MB of the history thread's heap, here 180 MB outside it. The ids sit in
 * an IdIndex (the live state's byte arena and flat table) under a numbering of their own, since units are
 * announced in the order they first report, not by live index; two columns map between the numberings.
 */

const INITIAL_UNITS = 1 << 10;
const UNKNOWN = 0;
const BOUND = 1;
const WAITING = 2;

export class UnitIds {
  private readonly ids = new IdIndex(MAX_ENTITIES_PER_KIND);
  private recorded = 0;
  /** Live index → the id's number in `ids` (valid once its state is not UNKNOWN). */
  private numberOf = new Int32Array(INITIAL_UNITS);
  /** The id's number in `ids` → live index. */
  private idxOf = new Int32Array(INITIAL_UNITS);
  private state = new Uint8Array(INITIAL_UNITS);
  /** Units announced and not yet bound to a key. */
  waitingCount = 0;

  /** Unit `idx` (id `id`) waits for a key. An index keeps its first id: live indexes are never reused. */
  wait(idx: number, id: string): void {
    if (idx < 0) return;
    this.growUnits(idx + 1);
    if (this.state[idx] === UNKNOWN) this.record(idx, id);
    if (this.state[idx] !== WAITING) this.waitingCount++;
    this.state[idx] = WAITING;
  }

  /** Unit `idx` has its key now. */
  bind(idx: number): void {
    if (!this.isWaiting(idx)) return;
    this.state[idx] = BOUND;
    this.waitingCount--;
  }

  /** Whether unit `idx` waits for a key (no id is made: the writer asks this for every point of such a unit). */
  isWaiting(idx: number): boolean {
    return idx >= 0 && idx < this.state.length && this.state[idx] === WAITING;
  }

  /** The id of unit `idx` while it waits for a key. */
  waitingId(idx: number): string | undefined {
    return this.isWaiting(idx) ? this.ids.idAt(this.numberOf[idx]!) : undefined;
  }

  /** The index of the waiting unit with id `id`. */
  waitingIdx(id: string): number | undefined {
    const n = this.ids.get(id);
    if (n < 0) return undefined;
    const idx = this.idxOf[n]!;
    return this.isWaiting(idx) ? idx : undefined;
  }

  /** Each waiting unit, in index order; `f` may bind the unit it is given. */
  forEachWaiting(f: (id: string, idx: number) => void): void {
    for (let idx = 0; idx < this.state.length && this.waitingCount > 0; idx++)
      if (this.state[idx] === WAITING) f(this.ids.idAt(this.numberOf[idx]!), idx);
  }

  private record(idx: number, id: string): void {
    let n = this.ids.get(id);
    if (n < 0) {
      n = this.recorded++;
      if (n >= this.idxOf.length) {
        const grown = new Int32Array(2 * this.idxOf.length);
        grown.set(this.idxOf);
        this.idxOf = grown;
      }
      this.ids.add(id, n);
    }
    this.numberOf[idx] = n;
    this.idxOf[n] = idx;
    this.state[idx] = BOUND;
  }

  private growUnits(n: number): void {
    if (n <= this.state.length) return;
    let cap = this.state.length;
    while (cap < n) cap *= 2;
    const numberOf = new Int32Array(cap);
    numberOf.set(this.numberOf);
    this.numberOf = numberOf;
    const state = new Uint8Array(cap);
    state.set(this.state);
    this.state = state;
  }
}
