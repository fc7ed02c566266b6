/**
 * The server's single-thread ingest ceiling, in process and without Redis or walls: how many gateway-batched
 * VehicleReports per second one core reads and applies (latest wins). `reportsPerS` is the path the server
 * takes for Redis payloads (bytes → report-scanner → columns); `exactReportsPerS` is JSON.parse + the zod
 * path it falls back to. It bounds B1 from above, and says what a full-pipeline figure below it loses
 * elsewhere. `heapBytesPerReport` is what the byte path allocates on the JS heap per report: every byte of it
 * is garbage the server's GC must collect at a million reports a second (it should stay near zero).
 */
import inspector from 'node:inspector';
import { FakeClock } from '@/lib/clock';
import { LiveState } from '@/server/live/live-state';
import { TelemetryIngest } from '@/server/ingest/telemetry-ingest';
import { IngestStats } from '@/server/ingest/ingest-stats';
import { createLogger } from '@/server/logger';
import { Registry } from 'prom-client';
import { basePosition, vehicleId } from './fleet';

const BATCH = 2_000;
/** One heap sample per this many bytes allocated: fine enough to see a few bytes per report. */
const HEAP_SAMPLING_INTERVAL = 1_024;

/** Bytes allocated on the JS heap while `work` runs (V8's sampling heap profiler, collected objects included). */
async function heapBytesAllocated(work: () => void): Promise<number> {
  const session = new inspector.Session();
  session.connect();
  const post = <T>(method: string, params: object = {}) =>
    new Promise<T>((resolve, reject) =>
      session.post(method, params, (err, r) => (err ? reject(err) : resolve(r as T))),
    );
  interface Node {
    selfSize: number;
    children: Node[];
  }
  try {
    await post('HeapProfiler.enable');
    await post('HeapProfiler.startSampling', {
      samplingInterval: HEAP_SAMPLING_INTERVAL,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    work();
    const { profile } = await post<{ profile: { head: Node } }>('HeapProfiler.stopSampling');
    const sum = (n: Node): number => n.selfSize + n.children.reduce((a, c) => a + sum(c), 0);
    return sum(profile.head);
  } finally {
    session.disconnect();
  }
}

export interface IngestCeiling {
  reportsPerS: number;
  exactReportsPerS: number;
  bytesPerReport: number;
  heapBytesPerReport: number;
}

export async function measureIngestCeiling(fleet: number, durationMs: number): Promise<IngestCeiling> {
  const now = Date.now();
  const live = new LiveState(new FakeClock(now));
  const ingest = new TelemetryIngest(live, new IngestStats(new Registry(), createLogger('silent')));
  const messages: string[] = [];
  for (let k0 = 0; k0 < fleet; k0 += BATCH) {
    const parts: string[] = [];
    for (let k = k0; k < Math.min(fleet, k0 + BATCH); k++) {
      const [lng, lat] = basePosition(k);
      parts.push(
        `{"id":"${vehicleId(k)}","lng":${lng.toFixed(6)},"lat":${lat.toFixed(6)},"speed":${k % 80},"status":"patrol","heading":${k % 360},"ts":${now}}`,
      );
    }
    messages.push(`[${parts.join(',')}]`);
  }
  // First pass registers the fleet; only later passes (plain updates) are timed.
  for (const m of messages) ingest.handleRaw('vehicle', m);
  live.takeRegistrations();
  const buffers = messages.map((m) => Buffer.from(m));
  const rate = (apply: (k: number) => number) => {
    let reports = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < durationMs / 2) {
      for (let k = 0; k < messages.length; k++) reports += apply(k);
      live.seal();
    }
    return Math.round(reports / ((performance.now() - t0) / 1000));
  };
  const exactReportsPerS = rate((k) => ingest.handleRaw('vehicle', messages[k]!).accepted);
  const reportsPerS = rate((k) => ingest.handleBytes('vehicle', buffers[k]!).accepted);
  let sampled = 0;
  const heapBytes = await heapBytesAllocated(() => {
    for (let k = 0; k < buffers.length; k++) sampled += ingest.handleBytes('vehicle', buffers[k]!).accepted;
    live.seal();
  });
  const bytes = messages.reduce((a, m) => a + m.length, 0) / fleet;
  return {
    reportsPerS,
    exactReportsPerS,
    bytesPerReport: Math.round(bytes),
    heapBytesPerReport: Math.round((10 * heapBytes) / sampled) / 10,
  };
}
