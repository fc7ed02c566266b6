/** Ages in whole milliseconds, one bin each up to this bound; older ones land in the last bin. */
export const HISTOGRAM_MAX_MS = 120_000;

/** A fixed-bin latency histogram: constant cost per sample at millions of samples a second. */
export class Histogram {
  readonly bins = new Uint32Array(HISTOGRAM_MAX_MS + 1);
  count = 0;
  max = 0;

  add(ms: number, times = 1): void {
    const b = ms <= 0 ? 0 : ms >= HISTOGRAM_MAX_MS ? HISTOGRAM_MAX_MS : Math.round(ms);
    this.bins[b]! += times;
    this.count += times;
    if (ms > this.max) this.max = ms;
  }

  merge(o: Histogram): void {
    for (let i = 0; i < this.bins.length; i++) this.bins[i]! += o.bins[i]!;
    this.count += o.count;
    this.max = Math.max(this.max, o.max);
  }

  /** q in [0, 1]; NaN when empty. */
  quantile(q: number): number {
    if (this.count === 0) return Number.NaN;
    const target = Math.ceil(q * this.count);
    let seen = 0;
    for (let i = 0; i < this.bins.length; i++) {
      seen += this.bins[i]!;
      if (seen >= target) return i;
    }
    return HISTOGRAM_MAX_MS;
  }

  reset(): void {
    this.bins.fill(0);
    this.count = 0;
    this.max = 0;
  }
}
