/**
 * Runs inside Chromium (bundled by esbuild), on a page the app itself serves: the wall's own replay engine
 * (components/wall/replay/replay-controller.ts) asked for an hour, timed until it can play it; and the
 * baseline, every unit's track of the hour fetched and parsed.
 */
import { ReplayController } from '@/components/wall/replay/replay-controller';
import { DEFAULT_REPLAY_SPEED } from '@/lib/history/replay-model';

/** Yields to the event loop without setTimeout's 4 ms clamp, so the figure is not rounded up to it. */
const channel = new MessageChannel();
const queue: (() => void)[] = [];
channel.port1.onmessage = () => queue.shift()?.();
const yieldNow = () =>
  new Promise<void>((r) => {
    queue.push(r);
    channel.port2.postMessage(null);
  });

const HISTORY_API = '/api/history/';

export async function loadHour(from: number, to: number) {
  performance.clearResourceTimings();
  const c = new ReplayController();
  const t0 = performance.now();
  c.start({ from, to, at: from, speed: DEFAULT_REPLAY_SPEED }, null, false);
  const deadline = t0 + 60_000;
  while (!c.isReadyToPlay()) {
    if (c.snapshot.error) throw new Error(`replay: ${c.snapshot.error}`);
    if (performance.now() > deadline) throw new Error('the hour did not load within 60 s');
    await yieldNow();
  }
  const loadMs = performance.now() - t0;
  // What crossed the wire for it, and when each answer had arrived (its decoding follows within the load).
  const entries = performance
    .getEntriesByType('resource')
    .filter((e) => e.name.includes(HISTORY_API)) as PerformanceResourceTiming[];
  const frames = entries.filter((e) => e.name.includes('/frame'));
  const incidents = entries.filter((e) => e.name.includes('/incidents'));
  const end = (xs: PerformanceResourceTiming[]) => Math.max(0, ...xs.map((e) => e.responseEnd - t0));
  const size = (xs: PerformanceResourceTiming[]) => xs.reduce((s, e) => s + e.encodedBodySize, 0);
  let unitsInFrame = 0;
  for (const kind of ['vehicle', 'worker'] as const) {
    const col = c.state.entities[kind];
    for (let i = 0; i < col.count; i++) unitsInFrame += col.present[i]!;
  }
  const result = {
    loadMs,
    incidentsMs: end(incidents),
    framesMs: end(frames),
    frames: frames.length,
    bytes: { incidents: size(incidents), frames: size(frames) },
    incidents: c.snapshot.incidents.length,
    unitsInFrame,
  };
  c.stop();
  return result;
}

/** The naive replay: one track request per unit for the hour (six at a time, the browser's own limit). */
async function naiveTracks(from: number, to: number, ids: string[]): Promise<number> {
  const t0 = performance.now();
  let next = 0;
  let points = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++]!;
      const r = await fetch(`${HISTORY_API}track/${id}?from=${from}&to=${to}`);
      if (!r.ok) throw new Error(`track ${id}: ${r.status}`);
      points += ((await r.json()) as { points: unknown[] }).points.length;
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
  if (points === 0) throw new Error('the tracks held no points');
  return performance.now() - t0;
}

Object.assign(globalThis, { benchDistrictHour: loadHour, benchNaiveTracks: naiveTracks });
