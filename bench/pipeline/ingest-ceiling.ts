/**
 * The server's single-thread ingest ceiling, in process and without Redis or walls: how many gateway-batched
 * VehicleReports per second one core reads and applies (latest wins). `reportsPerS` is the path the server
 * takes for Redis payloads (bytes → report-scanner → columns); `exactReportsPerS` is JSON.parse + the zod
 * path it falls back to. It bounds B1 from above, and says what a full-pipeline figure below it loses
 * elsewhere.
 */
import { FakeClock } from '@/lib/clock';
import { LiveState } from '@/server/live/live-state';
import { TelemetryIngest } from '@/server/ingest/telemetry-ingest';
import { IngestStats } from '@/server/ingest/ingest-stats';
import { createLogger } from '@/server/logger';
import { Registry } from 'prom-client';
import { basePosition, vehicleId } from './fleet';

const BATCH = 2_000;

export function measureIngestCeiling(
  fleet: number,
  durationMs: number,
): { reportsPerS: number; exactReportsPerS: number; bytesPerReport: number } {
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
  const bytes = messages.reduce((a, m) => a + m.length, 0) / fleet;
  return { reportsPerS, exactReportsPerS, bytesPerReport: Math.round(bytes) };
}
