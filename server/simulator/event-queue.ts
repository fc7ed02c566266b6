/**
 * A min-heap of timed events; equal times come out in insertion order, so a replay is deterministic and an
 * incident's steps scheduled for the same millisecond keep their order.
 */
export class EventQueue<T extends { at: number }> {
  private readonly heap: { event: T; seq: number }[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(event: T): void {
    const h = this.heap;
    h.push({ event, seq: this.seq++ });
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.isBefore(i, parent)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  peek(): T | undefined {
    return this.heap[0]?.event;
  }

  pop(): T | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (!top || !last || h.length === 0) return top?.event;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.isBefore(l, m)) m = l;
      if (r < h.length && this.isBefore(r, m)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
    return top.event;
  }

  private isBefore(a: number, b: number): boolean {
    const x = this.heap[a]!;
    const y = this.heap[b]!;
    return x.event.at < y.event.at || (x.event.at === y.event.at && x.seq < y.seq);
  }
}
