import { EMPTY_ID_BUFFERS, type IdIndexBuffers, IdIndexView, isNarrowId } from '../live/id-index';

/**
 * Which announced units still wait for a history key (a unit is named at its first stored point), and their
 * ids. A province announces 3.3 M units and most cameras never store a point. The ids are read from the
 * ingest thread's own IdIndex (shared memory, handed over with each tick), where a waiting unit's id sits under
 * its live index: as two Maps (index → id and id → index) with a string per id, 2.3 M waiting units took
 * 347 MB of the history thread's heap; as a copy in an IdIndex of its own, 180 MB outside it; here a byte a
 * unit. Ids the shared index keeps outside its arena (any character above U+00FF; no device sends one in
 * practice) are kept here.
 */

const INITIAL_UNITS = 1 << 10;

export class UnitIds {
  private readonly live = new IdIndexView(EMPTY_ID_BUFFERS);
  private readonly wideById = new Map<string, number>();
  private readonly wideByIdx = new Map<number, string>();
  /** 1 where the unit at that live index waits for a key. */
  private isWaitingAt = new Uint8Array(INITIAL_UNITS);
  /** Units announced and not yet bound to a key. */
  waitingCount = 0;

  /** Reads ids through the live index's storage as of this tick (every unit announced so far is in it). */
  useLiveIds(buffers: IdIndexBuffers): void {
    this.live.use(buffers);
  }

  /**
   * Unit `idx` (id `id`, as the live index holds it under `idx`) waits for a key. An index keeps its id: live
   * indexes are never reused.
   */
  wait(idx: number, id: string): void {
    if (idx < 0) return;
    this.growUnits(idx + 1);
    if (!isNarrowId(id) && !this.wideByIdx.has(idx)) {
      this.wideByIdx.set(idx, id);
      this.wideById.set(id, idx);
    }
    if (this.isWaitingAt[idx] === 0) this.waitingCount++;
    this.isWaitingAt[idx] = 1;
  }

  /** Unit `idx` has its key now. */
  bind(idx: number): void {
    if (!this.isWaiting(idx)) return;
    this.isWaitingAt[idx] = 0;
    this.waitingCount--;
  }

  /** Whether unit `idx` waits for a key (no id is made: the writer asks this for every point of such a unit). */
  isWaiting(idx: number): boolean {
    return idx >= 0 && idx < this.isWaitingAt.length && this.isWaitingAt[idx] === 1;
  }

  /** The id of unit `idx` while it waits for a key. */
  waitingId(idx: number): string | undefined {
    return this.isWaiting(idx) ? this.idOf(idx) : undefined;
  }

  /** The index of the waiting unit with id `id`. */
  waitingIdx(id: string): number | undefined {
    let idx = this.live.get(id);
    if (idx < 0) idx = this.wideById.get(id) ?? -1;
    return this.isWaiting(idx) ? idx : undefined;
  }

  /** Each waiting unit, in index order; `f` may bind the unit it is given. */
  forEachWaiting(f: (id: string, idx: number) => void): void {
    for (let idx = 0; idx < this.isWaitingAt.length && this.waitingCount > 0; idx++)
      if (this.isWaitingAt[idx] === 1) f(this.idOf(idx), idx);
  }

  private idOf(idx: number): string {
    return this.wideByIdx.get(idx) ?? this.live.idAt(idx);
  }

  private growUnits(n: number): void {
    if (n <= this.isWaitingAt.length) return;
    let cap = this.isWaitingAt.length;
    while (cap < n) cap *= 2;
    const grown = new Uint8Array(cap);
    grown.set(this.isWaitingAt);
    this.isWaitingAt = grown;
  }
}
