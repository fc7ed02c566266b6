import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '@/lib/clock';
import { openDatabase } from '../db/open-database';
import { sqliteSqlDb } from '../db/sql-db';
import { LiveState } from '../live/live-state';
import { createLogger } from '../logger';
import { IngestStats } from './ingest-stats';
import { TelemetryIngest } from './telemetry-ingest';

const NOW = Date.UTC(2026, 11, 2, 8, 0, 0);
const CAM = '33010200001310000001';
const bytes = (reports: unknown[]) => new TextEncoder().encode(JSON.stringify(reports));

/** A live state loaded from a real SQLite database holding one disabled unit of each kind (as after a restart). */
async function afterRestart() {
  const db = openDatabase(':memory:');
  const q = (sql: string, ...args: unknown[]) => db.$client.prepare(sql).run(...args);
  q(
    'INSERT INTO vehicles (id, name, created_at, disabled_at) VALUES (?, ?, ?, ?)',
    'V-off',
    '停用车',
    NOW,
    NOW,
  );
  q('INSERT INTO vehicles (id, name, created_at) VALUES (?, ?, ?)', 'V-on', '在用车', NOW);
  q('INSERT INTO workers (id, name, created_at, disabled_at) VALUES (?, ?, ?, ?)', 'W-off', '停用', NOW, NOW);
  q(
    'INSERT INTO cameras (id, name, lng, lat, created_at, disabled_at) VALUES (?, ?, ?, ?, ?, ?)',
    CAM,
    '停用点位',
    120.1,
    30.2,
    NOW,
    NOW,
  );
  const live = new LiveState(new FakeClock(NOW));
  await live.loadFromDb(sqliteSqlDb(db.$client));
  const stats = new IngestStats(new Registry(), createLogger('silent'));
  // Auto-registration on (demo): even so, a disabled id must never come back by its own reports.
  const ingest = new TelemetryIngest(live, stats, { autoRegister: true });
  return { db, live, stats, ingest };
}

describe('disabled devices in the telemetry ingest', () => {
  it('refuses them after a restart on the byte path, the exact path and HTTP items, and never re-registers them', async () => {
    const { live, stats, ingest } = await afterRestart();
    // A disabled camera from the registry is not drawn: no position.
    expect(Number.isNaN(live.camera.getById(CAM)!.lng)).toBe(true);
    const r = ingest.handleBytes(
      'vehicle',
      bytes([
        { id: 'V-on', lng: 120, lat: 30, ts: NOW },
        { id: 'V-off', lng: 120, lat: 30, ts: NOW },
        { id: 'V-off', lng: 120, lat: 30, ts: NOW + 3_600_000 }, // far ahead: refused, not clamped
      ]),
    );
    expect(r).toEqual({
      accepted: 1,
      rejected: [
        { index: 1, reason: 'disabled' },
        { index: 2, reason: 'disabled' },
      ],
    });
    expect(stats.adjusted.size).toBe(0);
    const exact = ingest.handleRaw(
      'worker',
      JSON.stringify({ id: 'W-off', lng: 120, lat: 30, ts: '2026-12-02T08:00:00Z' }),
    );
    expect(exact.rejected).toEqual([{ index: 0, reason: 'disabled' }]);
    const http = ingest.handleItems('camera', [{ id: CAM, status: 'online', ts: NOW }], 'http:camera');
    expect(http.rejected).toEqual([{ index: 0, reason: 'disabled' }]);
    expect(stats.rejectedObject()).toEqual({
      'redis:vehicle/disabled': 2,
      'redis:worker/disabled': 1,
      'http:camera/disabled': 1,
    });
    expect(live.vehicle.getById('V-off')!.ts).toBe(0);
    expect([live.vehicle.count, live.worker.count, live.camera.count]).toEqual([2, 1, 1]);
    expect(live.takeRegistrations()).toEqual([]);
  });

  it('disables and enables a running unit: refused at once, accepted again, withdrawn listeners told', async () => {
    const { live, stats, ingest } = await afterRestart();
    let withdrawn = 0;
    live.onWithdrawn(() => withdrawn++);
    ingest.handleBytes('vehicle', bytes([{ id: 'V-on', lng: 120, lat: 30, ts: NOW }]));
    live.seal();
    expect(live.setDisabled('vehicle', 'V-on', true)).toBe(true);
    expect(withdrawn).toBe(1);
    expect(live.vehicle.getById('V-on')).toMatchObject({ ts: 0, lng: Number.NaN });
    expect(
      ingest.handleBytes('vehicle', bytes([{ id: 'V-on', lng: 121, lat: 31, ts: NOW + 1 }])).accepted,
    ).toBe(0);
    // Dispatch setting its status does not put it back on the walls.
    live.setVehicleStatus('V-on', 'responding');
    expect(live.seal().changed.vehicle).toEqual(new Uint32Array(0));
    expect(live.setDisabled('vehicle', 'V-on', true)).toBe(true); // again: nothing more to withdraw
    expect(withdrawn).toBe(1);

    expect(live.setDisabled('vehicle', 'V-on', false)).toBe(true);
    expect(
      ingest.handleBytes('vehicle', bytes([{ id: 'V-on', lng: 121, lat: 31, ts: NOW + 2 }])).accepted,
    ).toBe(1);
    expect(live.vehicle.getById('V-on')).toMatchObject({ lng: 121, ts: NOW + 2 });
    expect(stats.rejectedObject()).toEqual({ 'redis:vehicle/disabled': 1 });

    // A camera enabled again is placed where its registry row says, offline until it reports.
    expect(live.setDisabled('camera', CAM, false, { position: { lng: 120.1, lat: 30.2 } })).toBe(true);
    expect(live.camera.getById(CAM)).toMatchObject({ lng: 120.1, lat: 30.2, ts: 0 });
    // An id this process never loaded is added disabled, so its reports cannot register it.
    expect(live.setDisabled('worker', 'W-new', true, { name: '新' })).toBe(true);
    expect(
      ingest.handleItems('worker', [{ id: 'W-new', lng: 120, lat: 30, ts: NOW }], 'http:worker').rejected,
    ).toEqual([{ index: 0, reason: 'disabled' }]);
    expect(live.setDisabled('worker', 'W-unknown', false)).toBe(false);
  });
});
