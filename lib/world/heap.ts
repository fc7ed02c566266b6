/** A binary min-heap of (key, priority) pairs over typed arrays: Dijkstra on 100k nodes without GC churn. */
export class MinHeap {
  private keys: Int32Array;
  private prios: Float64Array;
  size = 0;

  constructor(capacity = 1024) {
    this.keys = new Int32Array(capacity);
    this.prios = new Float64Array(capacity);
  }

  clear(): void {
    this.size = 0;
  }

  push(key: number, prio: number): void {
    if (this.size === this.keys.length) this.grow();
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.prios[parent]! <= prio) break;
      this.keys[i] = this.keys[parent]!;
      this.prios[i] = this.prios[parent]!;
      i = parent;
    }
    this.keys[i] = key;
    this.prios[i] = prio;
  }

  peekPriority(): number {
    return this.prios[0]!;
  }

  /** Removes and returns the key with the lowest priority; -1 when empty. */
  pop(): number {
    if (this.size === 0) return -1;
    const top = this.keys[0]!;
    const lastKey = this.keys[--this.size]!;
    const lastPrio = this.prios[this.size]!;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= this.size) break;
      const r = l + 1;
      const c = r < this.size && this.prios[r]! < this.prios[l]! ? r : l;
      if (this.prios[c]! >= lastPrio) break;
      this.keys[i] = this.keys[c]!;
      this.prios[i] = this.prios[c]!;
      i = c;
    }
    this.keys[i] = lastKey;
    this.prios[i] = lastPrio;
    return top;
  }

  private grow(): void {
    const keys = new Int32Array(this.keys.length * 2);
    keys.set(this.keys);
    const prios = new Float64Array(this.prios.length * 2);
    prios.set(this.prios);
    this.keys = keys;
    this.prios = prios;
  }
}
