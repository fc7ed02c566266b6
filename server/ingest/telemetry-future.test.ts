import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '@/lib/clock';
import { LiveState } from '../live/live-state';
import { createLogger } from '../logger';
import { IngestStats } from './ingest-stats';
import { TelemetryIngest, type FutureTimestampPolicy } from './telemetry-ingest';

const NOW = Date.UTC(2026, 11, 2, 8, 0, 0);

function pipeline(future?: FutureTimestampPolicy) {
  const live = new LiveState(new FakeClock(NOW));
  const stats = new IngestStats(new Registry(), createLogger('silent'));
  return { live, stats, ingest: new TelemetryIngest(live, stats, { future }) };
}
const bytes = (reports: unknown[]) => new TextEncoder().encode(JSON.stringify(reports));

describe('telemetry stamped in the future', () => {
  it('clamps it to now (counted), so it cannot outrank the real reports that follow', () => {
    const { live, stats, ingest } = pipeline();
    // Both the byte scanner (known id) and the exact path (first sight) meet the same rule.
    ingest.handleBytes('vehicle', bytes([{ id: 'V1', lng: 120, lat: 30, ts: NOW }]));
    const r = ingest.handleBytes(
      'vehicle',
      bytes([
        { id: 'V1', lng: 121, lat: 31, ts: NOW + 3_600_000 },
        { id: 'V2', lng: 122, lat: 32, ts: NOW + 3_600_000 },
        { id: 'V3', lng: 123, lat: 33, ts: NOW + 29_000 },
      ]),
    );
    expect(r).toEqual({ accepted: 3, rejected: [] });
    expect(live.vehicle.getById('V1')).toMatchObject({ lng: 121, ts: NOW });
    expect(live.vehicle.getById('V2')).toMatchObject({ lng: 122, ts: NOW });
    expect(live.vehicle.getById('V3')!.ts).toBe(NOW + 29_000); // within 30 s: kept as sent
    expect(stats.adjusted.get('redis:vehicle/future_clamped')).toBe(2);
    // A genuine report a second later wins over the clamped one.
    (live.clock as FakeClock).advance(1_000);
    ingest.handleBytes('vehicle', bytes([{ id: 'V1', lng: 120.5, lat: 30.5, ts: NOW + 1_000 }]));
    expect(live.vehicle.getById('V1')).toMatchObject({ lng: 120.5, ts: NOW + 1_000 });
  });

  it('refuses it under the reject policy, counted by reason', () => {
    const { live, stats, ingest } = pipeline({ maxMs: 30_000, policy: 'reject' });
    const r = ingest.handleItems(
      'worker',
      [
        { id: 'W1', lng: 120, lat: 30, ts: NOW + 31_000 },
        { id: 'W2', lng: 120, lat: 30, ts: NOW + 30_000 },
      ],
      'http:worker',
    );
    expect(r).toEqual({ accepted: 1, rejected: [{ index: 0, reason: 'ts:in_future' }] });
    expect(live.worker.getById('W1')).toBeUndefined();
    expect(stats.rejectedObject()).toEqual({ 'http:worker/ts:in_future': 1 });
  });

  it('clamps camera reports too', () => {
    const { live, stats, ingest } = pipeline();
    ingest.handleRaw(
      'camera',
      JSON.stringify({ id: '34020000001320000001', status: 'online', ts: NOW + 86_400_000 }),
    );
    expect(live.camera.getById('34020000001320000001')!.ts).toBe(NOW);
    expect(stats.adjusted.get('redis:camera/future_clamped')).toBe(1);
  });

  it('refuses unknown ids when auto-registration is off, and registers nothing', () => {
    const live = new LiveState(new FakeClock(NOW));
    const stats = new IngestStats(new Registry(), createLogger('silent'));
    live.vehicle.add({ id: 'V1', name: '巡逻 1', kind: null });
    const ingest = new TelemetryIngest(live, stats, { autoRegister: false });
    const r = ingest.handleBytes(
      'vehicle',
      bytes([
        { id: 'V1', lng: 120, lat: 30, ts: NOW },
        { id: 'FORGED', lng: 121, lat: 31, ts: NOW },
      ]),
    );
    expect(r).toEqual({ accepted: 1, rejected: [{ index: 1, reason: 'unknown_id' }] });
    expect(live.vehicle.getById('FORGED')).toBeUndefined();
    expect(live.takeRegistrations()).toEqual([]);
    expect(stats.rejectedObject()).toEqual({ 'redis:vehicle/unknown_id': 1 });
  });
});
