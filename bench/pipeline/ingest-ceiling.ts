/**
 * The server's single-thread ingest ceiling, in process and without Redis or walls: how many gateway-batched
 * VehicleReports per second JSON.parse + validation + latest-wins apply take on one core. It bounds B1 from
 * above on any machine, and says what a full-pipeline figure below it is losing elsewhere.
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
): { reportsPerS: number; bytesPerReport: number } {
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
  let reports = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < durationMs) {
    for (const m of messages) reports += ingest.handleRaw('vehicle', m).accepted;
    live.seal();
  }
  const s = (performance.now() - t0) / 1000;
  const bytes = messages.reduce((a, m) => a + m.length, 0) / fleet;
  return { reportsPerS: Math.round(reports / s), bytesPerReport: Math.round(bytes) };
}
