import { describe, expect, it } from 'vitest';
import { busyPerBatch, type TraceEvent } from './product-bench';

const PID = 7;
const MAIN = 7;
const meta = (tid: number, name: string): TraceEvent => ({
  name: 'thread_name',
  cat: '__metadata',
  ph: 'M',
  ts: 0,
  pid: PID,
  tid,
  args: { name },
});
const task = (ts: number, dur: number, tid = MAIN, tdur = dur / 2): TraceEvent => ({
  name: 'ThreadControllerImpl::RunTask',
  cat: 'toplevel',
  ph: 'X',
  ts,
  dur,
  tdur,
  pid: PID,
  tid,
});
const batch = (ts: number): TraceEvent => ({
  name: 'pingan:batch',
  cat: 'blink.user_timing',
  ph: 'b',
  ts,
  pid: PID,
  tid: MAIN,
});

describe('busyPerBatch', () => {
  it('sums the main thread’s top-level tasks between consecutive batches, clipped at the batch edges, in wall and CPU time', () => {
    const { busy, cpu, intervalMs } = busyPerBatch([
      meta(MAIN, 'CrRendererMain'),
      meta(9, 'Compositor'),
      batch(0),
      task(0, 2_000),
      task(500, 1_000), // nested in the first: not counted twice
      task(50_000, 3_000),
      task(60_000, 9_000, 9), // another thread
      batch(100_000),
      task(99_000, 4_000), // straddles the second batch: 1 ms before it, 3 ms after
      batch(200_000),
    ]);
    expect(busy).toEqual([6, 3]);
    // Each task ran on a core half its wall time here; the straddling one is split 1 : 3.
    expect(cpu).toEqual([3, 1.5]);
    expect(intervalMs).toBe(100);
  });

  it('finds nothing without batch marks', () => {
    expect(busyPerBatch([meta(MAIN, 'CrRendererMain'), task(0, 10)]).busy).toEqual([]);
  });
});
