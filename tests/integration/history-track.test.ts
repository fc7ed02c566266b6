import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { getJson, HISTORY_ENV, ingest, readHistoryFile } from './history-kit';

/** A fixed past instant on a bucket boundary + 7 min, so a 20-minute track crosses two 10-minute buckets. */
const T0 = Math.floor((Date.now() - 3 * 3_600_000) / 600_000) * 600_000 + 7 * 60_000;
const STEP_MS = 30_000;

let t: TestApp | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

/** 40 reports, 30 s apart, moving east and north with varying speed, heading and status. */
function drive(id: string) {
  return Array.from({ length: 40 }, (_, k) => ({
    id,
    ts: T0 + k * STEP_MS + (k % 3) * 7, // ms jitter, as real terminals have
    lng: Math.round((120.17 + k * 0.000731 + (k % 5) * 0.000013) * 1e6) / 1e6,
    lat: Math.round((30.25 + k * 0.000417 - (k % 4) * 0.000021) * 1e6) / 1e6,
    speed: Math.round((20 + (k % 7) * 3.3) * 10) / 10,
    heading: (45 + k * 11) % 360,
    status: k < 25 ? 'patrol' : 'responding',
  }));
}

describe('history track', () => {
  it('returns every position sent through the real ingest with the same values and times, before and after a restart', async () => {
    t = await startTestApp({ env: HISTORY_ENV });
    const sent = drive('浙A-H7001');
    // One report per tick: the live state keeps only a unit's newest report within a tick.
    for (const r of sent) await ingest(t.url, t.app, 'vehicles', [r]);
    const q = `/api/history/track/vehicle/${encodeURIComponent('浙A-H7001')}?from=${T0 - 1}&to=${T0 + 3_600_000}`;
    const expected = sent.map((r) => ({
      ts: r.ts,
      lng: r.lng,
      lat: r.lat,
      speed: r.speed,
      heading: r.heading,
      status: r.status,
    }));
    const before = await getJson(t.url, q);
    expect(before.status).toBe(200);
    expect(before.body.points).toEqual(expected);

    // A restart writes what was still open; the answer now comes from SQLite alone.
    const dbPath = t.dbPath;
    await t.close();
    t = await startTestApp({ env: HISTORY_ENV, dbPath });
    const rows = readHistoryFile(
      dbPath,
      (db) =>
        db.prepare('SELECT count(*) AS n, sum(points) AS p FROM history_segments').get() as {
          n: number;
          p: number;
        },
    );
    expect(rows.p).toBe(40);
    expect(rows.n).toBeGreaterThanOrEqual(3); // 7 + 10 + 3 minutes: three buckets
    const after = await getJson(t.url, q);
    expect(after.body.points).toEqual(expected);
    // A window inside the period cuts it exactly.
    const part = await getJson(
      t.url,
      `/api/history/track/vehicle/${encodeURIComponent('浙A-H7001')}?from=${sent[10]!.ts}&to=${sent[19]!.ts}`,
    );
    expect(part.body.points).toEqual(expected.slice(10, 20));
  });

  it('returns the known stops (≥ 3 min) and the distance driven', async () => {
    t = await startTestApp({ env: HISTORY_ENV });
    // Walk east 100 m a step (4 steps), stay 5 min (jitter ≤ 10 m), walk 3 steps, stay 2 min (too short), walk 2.
    const mPerDegLng = 111_320 * Math.cos((30.25 * Math.PI) / 180);
    let x = 0;
    let ts = T0;
    const pts: { ts: number; x: number }[] = [];
    const walk = (n: number) => {
      for (let k = 0; k < n; k++) pts.push({ ts: (ts += STEP_MS), x: (x += 100) });
    };
    const stay = (ms: number) => {
      for (let s = STEP_MS; s <= ms; s += STEP_MS)
        pts.push({ ts: (ts += STEP_MS), x: x + ((s / STEP_MS) % 2) * 8 });
    };
    walk(4);
    const stopFrom = ts;
    stay(300_000);
    const stopTo = ts;
    walk(3);
    stay(120_000);
    walk(2);
    const reports = pts.map((p) => ({
      id: 'w-h7-01',
      ts: p.ts,
      lng: Math.round((120.17 + p.x / mPerDegLng) * 1e6) / 1e6,
      lat: 30.25,
      status: 'on_duty',
    }));
    for (const r of reports) await ingest(t.url, t.app, 'workers', [r]);
    const r = await getJson(t.url, `/api/history/track/worker/w-h7-01?from=${T0}&to=${ts}`);
    expect(r.status).toBe(200);
    expect(r.body.points).toHaveLength(reports.length);
    expect(r.body.stops).toHaveLength(1);
    expect(r.body.stops[0].from).toBe(stopFrom);
    expect(r.body.stops[0].to).toBe(stopTo);
    expect(r.body.stops[0].lng).toBeCloseTo(120.17 + 400 / mPerDegLng, 4);
    // 900 m walked; the stays' 8 m jitter adds 10 × 8 m and 4 × 8 m.
    expect(r.body.distanceM).toBeGreaterThan(900);
    expect(r.body.distanceM).toBeLessThan(900 + 14 * 8 + 5);
  });

  it('rejects bad parameters with a reason and answers an unknown unit with no points', async () => {
    t = await startTestApp({ env: HISTORY_ENV });
    expect((await getJson(t.url, '/api/history/track/camera/x?from=0&to=1')).status).toBe(404);
    expect((await getJson(t.url, '/api/history/track/vehicle/x?from=abc')).status).toBe(400);
    expect((await getJson(t.url, `/api/history/track/vehicle/x?from=0&to=${30 * 86_400_000}`)).status).toBe(
      400,
    );
    const none = await getJson(t.url, '/api/history/track/vehicle/nobody?from=0&to=1000');
    expect(none.body).toMatchObject({ points: [], stops: [], distanceM: 0 });
  });

  it('skips a damaged stored row instead of failing the answer', async () => {
    t = await startTestApp({ env: HISTORY_ENV });
    for (const r of drive('浙A-H7002').slice(0, 3)) await ingest(t.url, t.app, 'vehicles', [r]);
    const dbPath = t.dbPath;
    await t.close();
    // A truncated varint: what a torn page or a bad copy leaves (written while the app is down: the file is
    // position history's own, a SQLite file on either engine).
    const file = new Database(dbPath);
    try {
      expect(file.prepare("UPDATE history_segments SET data = X'FFFF'").run().changes).toBeGreaterThan(0);
    } finally {
      file.close();
    }
    t = await startTestApp({ env: HISTORY_ENV, dbPath });
    const r = await getJson(
      t.url,
      `/api/history/track/vehicle/${encodeURIComponent('浙A-H7002')}?from=${T0 - 1}&to=${T0 + 3_600_000}`,
    );
    expect(r.status).toBe(200);
    expect(r.body.points).toEqual([]);
    expect((await fetch(`${t.url}/api/history/frame?at=${T0 + 120_000}`)).status).toBe(200);
  });

  it('with HISTORY_ENABLED=0 records nothing and answers track and frame reads 503 with the reason', async () => {
    t = await startTestApp({ env: { ...HISTORY_ENV, HISTORY_ENABLED: '0' } });
    for (const r of drive('浙A-H7003').slice(0, 3)) await ingest(t.url, t.app, 'vehicles', [r]);
    const track = await getJson(
      t.url,
      `/api/history/track/vehicle/${encodeURIComponent('浙A-H7003')}?from=${T0 - 1}&to=${T0 + 3_600_000}`,
    );
    expect(track.status).toBe(503);
    expect(JSON.stringify(track.body)).toContain('HISTORY_ENABLED=0');
    expect((await fetch(`${t.url}/api/history/frame?at=${T0 + 60_000}`)).status).toBe(503);
    // The live wall is unaffected: the unit is there.
    expect(t.app.ctx.live.vehicle.indexOf('浙A-H7003')).not.toBeUndefined();
    const dbPath = t.dbPath;
    await t.close();
    expect(
      readHistoryFile(dbPath, (db) => db.prepare('SELECT count(*) AS n FROM history_segments').get()),
    ).toEqual({ n: 0 });
    t = null;
  });
});
