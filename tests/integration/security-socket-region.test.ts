import { sql } from 'drizzle-orm';
import { io as ioClient } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, type WireBatch } from '@/lib/realtime/contract';
import { decodePositions } from '@/lib/realtime/position-codec';
import { createUser } from '@/server/auth/accounts';
import { notifyTerritoryChanged } from '@/server/world/load-world';
import { waitFor, type WallClient } from '../helpers/test-app';
import { CENTER, DEMO_PASSWORD, STATUS, startDispatchKit, type DispatchKit } from './dispatch-test-kit';

/**
 * Issue 16, item 1 (socket side): a display token or user scoped to one town watches that town only. The
 * handshake's region and `wall:subscribe` are clamped to the principal's region; nothing outside it (units,
 * incidents, the world box) goes out. Real app, real database (SQLite or PostgreSQL), real Socket.IO clients.
 */
const TOWN_A = '330102001000';
const TOWN_B = '330102002000';
const GRID_A = '330102001001001';
const GRID_B = '330102002001001';
/** Town B lies 0.1° east of town A: well outside A's box and its margin. */
const B_CENTER = { lng: CENTER.lng + 0.1, lat: CENTER.lat };

let kit: DispatchKit;
let token: string;
let userCookie: string;

function square(c: { lng: number; lat: number }, half = 0.005): string {
  const ring = [
    [c.lng - half, c.lat - half],
    [c.lng + half, c.lat - half],
    [c.lng + half, c.lat + half],
    [c.lng - half, c.lat + half],
    [c.lng - half, c.lat - half],
  ];
  return JSON.stringify({ type: 'Polygon', coordinates: [ring] });
}

beforeAll(async () => {
  kit = await startDispatchKit();
  const db = kit.t.app.ctx.sql;
  const insertGrid = (code: string, name: string, c: { lng: number; lat: number }) =>
    db.run(
      sql`INSERT INTO grids (code, community_code, name, geometry, center_lng, center_lat)
          VALUES (${code}, ${code.slice(0, 12)}, ${name}, ${square(c)}, ${c.lng}, ${c.lat})`,
    );
  await insertGrid(GRID_A, 'A 镇一号网格', CENTER);
  await insertGrid(GRID_B, 'B 镇一号网格', B_CENTER);
  await notifyTerritoryChanged(kit.t.app.ctx.sql);

  const live = kit.t.app.ctx.live;
  await kit.placeUnit(live.vehicle, 'V-A', CENTER.lng, CENTER.lat, STATUS.patrol);
  await kit.placeUnit(live.vehicle, 'V-B', B_CENTER.lng, B_CENTER.lat, STATUS.patrol);
  await kit.addIncident('INC-A', { gridCode: GRID_A });
  await kit.addIncident('INC-B', { gridCode: GRID_B, lng: B_CENTER.lng, lat: B_CENTER.lat });

  const admin = await kit.login('admin');
  const created = await kit.api('POST', '/api/display-tokens', {
    cookie: admin,
    body: { name: 'A 镇大屏', regionCode: TOWN_A },
  });
  expect(created.status).toBe(201);
  token = created.body.token as string;
  await createUser(db, kit.clock, {
    username: 'duty-a',
    role: 'duty',
    password: DEMO_PASSWORD,
    regionCode: TOWN_A,
  });
  userCookie = await kit.login('duty-a');
});

afterAll(async () => {
  await kit?.close();
});

function openWall(who: { token?: string; cookie?: string }, regionCode?: string) {
  const socket: WallClient = ioClient(kit.t.url, {
    transports: ['websocket'],
    extraHeaders: who.cookie ? { cookie: who.cookie } : {},
    auth: { token: who.token, regionCode },
    reconnection: false,
  });
  const batches: WireBatch[] = [];
  socket.on('wall:batch', (batch, ack) => {
    batches.push(batch);
    ack({ ok: true });
  });
  return { socket, batches };
}

/** What a full snapshot shows: its world scope, the vehicles' idx and the incidents' ids. */
function contents(full: WireBatch) {
  const d = decodePositions(full.vehicle as Uint8Array);
  return {
    regionCode: full.world?.regionCode,
    bbox: full.world?.bbox,
    vehicles: [...d.idx].sort(),
    incidents: (full.incidents ?? []).map((v) => v.id).sort(),
  };
}

const principals = [
  { label: 'a display token issued for town A', who: () => ({ token }) },
  { label: 'a duty user scoped to town A', who: () => ({ cookie: userCookie }) },
];

describe.each(principals)('$label', ({ who }) => {
  it('gets a snapshot of town A only, even when its handshake asks for the whole territory or town B', async () => {
    const live = kit.t.app.ctx.live;
    for (const requested of [undefined, TOWN_B]) {
      const wall = openWall(who(), requested);
      const full = await waitFor(() => wall.batches.find((b) => b.isFull), 5_000, 'first snapshot');
      const seen = contents(full);
      expect(seen).toMatchObject({ regionCode: TOWN_A, vehicles: [live.vehicle.indexOf('V-A')!] });
      expect(seen.incidents).toContain('INC-A');
      expect(seen.incidents.filter((id) => !id.startsWith('INC-A'))).toEqual([]);
      // The world box a wall zooms to is town A's, not the territory's (which spans town B).
      expect(seen.bbox![2]).toBeLessThan(B_CENTER.lng - 0.005);
      wall.socket.close();
    }
  });

  it('is refused another town and clamped to its own when it asks for the whole territory', async () => {
    const wall = openWall(who());
    await waitFor(() => wall.batches.find((b) => b.isFull), 5_000, 'first snapshot');
    const other = await wall.socket.emitWithAck('wall:subscribe', {
      protocol: PROTOCOL_VERSION,
      regionCode: TOWN_B,
    });
    expect(other).toEqual({ ok: false, error: 'region not allowed' });
    const district = await wall.socket.emitWithAck('wall:subscribe', {
      protocol: PROTOCOL_VERSION,
      regionCode: '330102000000',
    });
    expect(district).toEqual({ ok: false, error: 'region not allowed' });
    const whole = await wall.socket.emitWithAck('wall:subscribe', {
      protocol: PROTOCOL_VERSION,
      regionCode: null,
    });
    expect(whole).toEqual({ ok: true, data: { regionCode: TOWN_A } });
    // A grid inside town A is allowed.
    const grid = await wall.socket.emitWithAck('wall:subscribe', {
      protocol: PROTOCOL_VERSION,
      regionCode: GRID_A,
    });
    expect(grid).toEqual({ ok: true, data: { regionCode: GRID_A } });

    // The snapshot the re-subscription earns (possibly deferred by the full-snapshot interval) holds town A only.
    const fulls = () => wall.batches.filter((b) => b.isFull);
    await waitFor(
      () => {
        kit.clock.advance(1_000);
        return fulls().length >= 2;
      },
      10_000,
      'snapshot after re-subscribing',
    );
    const last = contents(fulls().at(-1)!);
    expect(last.regionCode).toBe(GRID_A);
    expect(last.incidents).toContain('INC-A');
    expect(last.incidents.filter((id) => !id.startsWith('INC-A'))).toEqual([]);
    expect(last.vehicles).not.toContain(kit.t.app.ctx.live.vehicle.indexOf('V-B'));
    wall.socket.close();
  });

  it('never receives a later incident or unit of town B in a delta', async () => {
    const wall = openWall(who());
    await waitFor(() => wall.batches.find((b) => b.isFull), 5_000, 'first snapshot');
    const live = kit.t.app.ctx.live;
    const suffix = `${Date.now()}`;
    await kit.addIncident(`INC-B-${suffix}`, { gridCode: GRID_B, lng: B_CENTER.lng, lat: B_CENTER.lat });
    await kit.addIncident(`INC-A-${suffix}`, { gridCode: GRID_A });
    const b = live.vehicle.indexOf('V-B')!;
    live.vehicle.lng[b] = B_CENTER.lng + 0.001;
    live.vehicle.ts[b] = kit.clock.now();
    live.vehicle.touch(b, live.tick);
    await waitFor(
      () => wall.batches.some((x) => x.incidents?.some((v) => v.id === `INC-A-${suffix}`)),
      5_000,
      'the town A incident',
    );
    const sent = JSON.stringify(wall.batches.map((x) => x.incidents ?? []));
    expect(sent).not.toContain(`INC-B-${suffix}`);
    for (const x of wall.batches.filter((y) => y.vehicle))
      expect([...decodePositions(x.vehicle as Uint8Array).idx]).not.toContain(b);
    wall.socket.close();
  });
});

describe('refusals', () => {
  it('are counted on /metrics', async () => {
    const text = await (await fetch(`${kit.t.url}/metrics`)).text();
    const m = /pingan_socket_refusals\{reason="region_not_allowed"\} (\d+)/.exec(text);
    expect(m, 'pingan_socket_refusals{reason="region_not_allowed"} on /metrics').not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(4);
  });
});
