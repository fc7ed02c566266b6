import v8 from 'node:v8';

/**
 * Old-generation headroom as a share of the live heap after each full GC (V8 picks its own factor; on the
 * server at province scale it chose ~25 %).
 *
 * The live state holds ~100 MB of long-lived objects at province scale (a million units' ids and names), and
 * ingest and fan-out allocate and free tens of MB a second around it. With V8's default factor the space left
 * after a full GC is smaller than the young generation, so V8 starts the next incremental marking straight
 * away: measured at 500,000 reports/s, a full mark of the 100 MB heap every ~250 ms took 35–40 % of the
 * server's core and most of its latency spikes. Twice the live heap ends that (server CPU 90 % → 52 %, p99
 * 191 → 131 ms in the same bench), at the cost of a heap limit of ~2× the live size, well inside the 1 GB
 * budget (DESIGN §5).
 */
export const HEAP_GROWING_PERCENT = 100;

/** Call once, first thing in a server process (server/main.ts, the bench's server). */
export function tuneHeap(): void {
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
