import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { unpackFrame } from '@/lib/history/contract';
import { createUser } from '@/server/auth/accounts';
import { notifyTerritoryChanged } from '@/server/world/load-world';
import { startDispatchKit, type DispatchKit } from './dispatch-test-kit';
import { HISTORY_ENV, ingest } from './history-kit';

/** Two districts' grids, ~10 km apart: 上城 (330102) around the kit's centre and 拱墅 (330105) to the north. */
const GRID_IN = '330102001001001';
const GRID_OUT = '330105001001001';
const square = (lng: number, lat: number) =>
  JSON.stringify({
    type: 'Polygon',
    coordinates: [
      [
        [lng - 0.01, lat - 0.01],
        [lng + 0.01, lat - 0.01],
        [lng + 0.01, lat + 0.01],
        [lng - 0.01, lat + 0.01],
        [lng - 0.01, lat - 0.01],
      ],
    ],
  });

let kit: DispatchKit | null = null;
afterEach(async () => {
  await kit?.close();
  kit = null;
});

describe('history access', () => {
  it('keeps a region-scoped principal inside its region on every history endpoint', async () => {
    kit = await startDispatchKit({ env: HISTORY_ENV });
    const { t, clock } = kit;
    const db = t.app.ctx.sql;
    const grid = (code: string, communityCode: string, name: string, lng: number, lat: number) =>
      db.run(sql`INSERT INTO grids (code, community_code, name, geometry, center_lng, center_lat)
        VALUES (${code}, ${communityCode}, ${name}, ${square(lng, lat)}, ${lng}, ${lat})`);
    await grid(GRID_IN, '330102001001', '上城一格', 120.17, 30.25);
    await grid(GRID_OUT, '330105001001', '拱墅一格', 120.15, 30.35);
    await notifyTerritoryChanged(db);
    await createUser(db, clock, {
      username: 'shangcheng',
      role: 'duty',
      password: 'pingan-scoped-1',
      regionCode: '330102000000',
    });
    const scoped = await kit.login('shangcheng', 'pingan-scoped-1');
    const leader = await kit.login('leader');

    const ts0 = clock.now() - 600_000;
    for (let k = 0; k < 3; k++) {
      await ingest(t.url, t.app, 'vehicles', [
        { id: 'IN-1', ts: ts0 + k * 30_000, lng: 120.17 + k / 1e4, lat: 30.25 },
        { id: 'OUT-1', ts: ts0 + k * 30_000, lng: 120.15 + k / 1e4, lat: 30.35 },
      ]);
    }
    await kit.addIncident('INC-IN', { gridCode: GRID_IN, reportedAt: ts0 });
    await kit.addIncident('INC-OUT', { gridCode: GRID_OUT, reportedAt: ts0, lng: 120.15, lat: 30.35 });
    const span = `from=${ts0 - 1}&to=${clock.now()}`;

    // Nobody signed in: nothing.
    expect((await kit.api('GET', `/api/history/track/vehicle/IN-1?${span}`)).status).toBe(401);
    expect((await kit.api('GET', `/api/history/frame?at=${clock.now()}`)).status).toBe(401);
    expect((await kit.api('GET', `/api/history/incidents?${span}`)).status).toBe(401);

    // Track: inside yes; outside reads as missing, exactly like an unknown id. The leader sees both.
    const inTrack = await kit.api('GET', `/api/history/track/vehicle/IN-1?${span}`, { cookie: scoped });
    expect(inTrack.status).toBe(200);
    expect(inTrack.body.points).toHaveLength(3);
    const outTrack = await kit.api('GET', `/api/history/track/vehicle/OUT-1?${span}`, { cookie: scoped });
    expect(outTrack.status).toBe(404);
    expect(
      (await kit.api('GET', `/api/history/track/vehicle/OUT-1?${span}`, { cookie: leader })).body.points,
    ).toHaveLength(3);

    // Frame: another district's region is refused; the default is the principal's own region.
    const other = await kit.api('GET', `/api/history/frame?at=${clock.now()}&region=330105000000`, {
      cookie: scoped,
    });
    expect(other.status).toBe(403);
    const frame = await fetch(`${t.url}/api/history/frame?at=${clock.now()}`, {
      headers: { cookie: scoped },
    });
    expect(frame.status).toBe(200);
    const epoch = frame.headers.get('x-pingan-epoch');
    const { batches } = unpackFrame(new Uint8Array(await frame.arrayBuffer()));
    const idIn = t.app.ctx.live.vehicle.indexOf('IN-1');
    expect(epoch).toBe(t.app.ctx.live.epoch);
    expect([...batches.vehicle.idx]).toEqual([idIn]);
    const whole = await fetch(`${t.url}/api/history/frame?at=${clock.now()}`, {
      headers: { cookie: leader },
    });
    expect(unpackFrame(new Uint8Array(await whole.arrayBuffer())).batches.vehicle.count).toBe(2);

    // Incidents: own region only, another region refused.
    const inc = await kit.api('GET', `/api/history/incidents?${span}`, { cookie: scoped });
    expect(inc.status).toBe(200);
    expect(inc.body.incidents.map((i: { id: string }) => i.id)).toEqual(['INC-IN']);
    expect(
      (await kit.api('GET', `/api/history/incidents?${span}&region=330105000000`, { cookie: scoped })).status,
    ).toBe(403);
    const all = await kit.api('GET', `/api/history/incidents?${span}`, { cookie: leader });
    expect(all.body.incidents.map((i: { id: string }) => i.id).sort()).toEqual(['INC-IN', 'INC-OUT']);
  });
});
