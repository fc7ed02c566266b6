import { sql } from 'drizzle-orm';
import { createClient } from 'redis';
import { io as ioClient, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientToServerEvents, ServerToClientEvents, WireBatch } from '@/lib/realtime/contract';
import { REDIS_KEYS, type TelemetryKind } from '@/lib/realtime/contract';
import { decodePositions, type EntityKind } from '@/lib/realtime/position-codec';
import { createDeviceRoutes } from '@/server/admin/device-routes';
import { seedDemoAccounts } from '@/server/auth/accounts';
import { LoginLimiter } from '@/server/auth/login-limiter';
import { RedisBus } from '@/server/bus/redis-bus';
import { dispatchAppHooks } from '@/server/dispatch/dispatch-module';
import { computeWallStats } from '@/server/stats/wall-stats';
import { createLogger } from '@/server/logger';
import { TestRedis } from '../helpers/redis-server';
import { startTestApp, waitFor, type TestApp } from '../helpers/test-app';

/**
 * A device an administrator disables is refused on every ingest path, not only by the JT/T 808 gateway:
 * its reports published on Redis (both the byte-scanned and the exact path) and posted over HTTP are
 * rejected with `disabled` (counted per path), it leaves a connected wall without a restart, and enabled
 * again it is accepted again. FIELD_AUTO_REGISTER is on here, so a disabled id is also shown never to be
 * registered afresh by its own reports. Real redis-server, real app, real database (SQLite or PostgreSQL),
 * real Socket.IO wall.
 */

const TOKEN = 'ingest-token-for-disabled-devices';
const PASSWORD = 'pingan-demo';
const CAMERA = '33010200001310000001';
const CAMERA_AT = { lng: 120.171, lat: 30.251 };

let redis: TestRedis;
let t: TestApp;
let producer: ReturnType<typeof createClient>;
let admin: string;
let wall: Socket<ServerToClientEvents, ClientToServerEvents>;
const batches: WireBatch[] = [];

const CHANNEL: Record<EntityKind, TelemetryKind> = { vehicle: 'vehicle', camera: 'camera', worker: 'worker' };
const SEGMENT: Record<EntityKind, string> = { vehicle: 'vehicles', camera: 'cameras', worker: 'workers' };

function report(kind: EntityKind, id: string, ts: number, shape: 'plain' | 'exact' = 'plain') {
  if (kind === 'camera') return { id, status: 'online', ts };
  const base = { id, lng: 120.17 + ts / 1e13, lat: 30.25, ts };
  // An ISO timestamp is not the plain shape gateways send: the byte scanner hands it to the exact path.
  return shape === 'exact' ? { ...base, ts: new Date(ts).toISOString() } : base;
}

async function postReport(kind: EntityKind, body: unknown) {
  const r = await fetch(`${t.url}/api/ingest/${SEGMENT[kind]}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: r.status, body: (await r.json()) as { accepted: number; rejected: { reason: string }[] } };
}

async function admin_(action: 'disable' | 'enable', kind: EntityKind, id: string) {
  const segment = kind === 'vehicle' ? 'terminals' : SEGMENT[kind];
  const r = await fetch(`${t.url}/api/admin/devices/${segment}/${id}/${action}`, {
    method: 'POST',
    headers: { cookie: admin },
  });
  return r.status;
}

/** How many of `kind` the wall's panels count (the whole territory). */
async function panelTotal(kind: EntityKind): Promise<number> {
  const s = await computeWallStats({
    sql: t.app.ctx.sql,
    live: t.app.ctx.live,
    clock: t.app.ctx.clock,
    regionCode: null,
    period: 'today',
  });
  return kind === 'camera' ? s.cameras.total : kind === 'worker' ? s.workers.total : s.vehicles.total;
}

const rejected = (pathReason: string) => t.app.ctx.stats.rejected.get(pathReason) ?? 0;
const reportTs = (kind: EntityKind, id: string) => t.app.ctx.live.store(kind).getById(id)?.ts ?? -1;

/** Publishes until the server has taken it (the subscription may be a moment behind "up"). */
async function publishUntil(kind: EntityKind, body: unknown, done: () => boolean, what: string) {
  await waitFor(
    async () => {
      await producer.publish(REDIS_KEYS.channel[CHANNEL[kind]], JSON.stringify(body));
      await new Promise((r) => setTimeout(r, 50));
      return done();
    },
    10_000,
    what,
  );
}

/** Whether the wall's latest full snapshot after `since` batches draws entity idx of kind. */
function drawnInSnapshotAfter(since: number, kind: EntityKind, idx: number): boolean | null {
  for (let k = batches.length - 1; k >= since; k--) {
    const b = batches[k]!;
    if (!b.isFull) continue;
    const raw = b[kind];
    if (!raw) return false;
    const d = decodePositions(raw as Uint8Array);
    return Array.from(d.idx.subarray(0, d.count)).includes(idx);
  }
  return null;
}

/** Whether any batch after `since` draws entity idx of kind. */
function drawnAfter(since: number, kind: EntityKind, idx: number): boolean {
  for (let k = since; k < batches.length; k++) {
    const raw = batches[k]![kind];
    if (!raw) continue;
    const d = decodePositions(raw as Uint8Array);
    if (Array.from(d.idx.subarray(0, d.count)).includes(idx)) return true;
  }
  return false;
}

beforeAll(async () => {
  redis = await TestRedis.start();
  // The registry rows are there before the app starts, as a deployment's are: written through a first start
  // on the same database (either engine), then the app under test starts on it.
  const seed = await startTestApp();
  const now = Date.now();
  await seed.app.ctx.sql.run(
    sql`INSERT INTO vehicles (id, name, plate, kind, created_at) VALUES
        ('patrol-1', '上城巡逻 1 号车', '浙A·P0001', 'patrol_car', ${now}),
        ('patrol-2', '上城巡逻 2 号车', '浙A·P0002', 'patrol_car', ${now})`,
  );
  await seed.app.ctx.sql.run(
    sql`INSERT INTO cameras (id, name, lng, lat, created_at)
        VALUES (${CAMERA}, '清河坊路口', ${CAMERA_AT.lng}, ${CAMERA_AT.lat}, ${now})`,
  );
  await seed.app.ctx.sql.run(
    sql`INSERT INTO workers (id, name, role, created_at) VALUES ('gw-1', '张网格', 'full_time', ${now})`,
  );
  await seed.close();

  const hooks = dispatchAppHooks({ limiter: new LoginLimiter(10_000) });
  t = await startTestApp({
    dbPath: seed.dbPath,
    bus: new RedisBus({ url: redis.url, logger: createLogger('silent') }),
    env: { INGEST_TOKEN: TOKEN, FIELD_AUTO_REGISTER: '1' },
    auth: hooks.auth,
    routes: (ctx) => [...hooks.routes(ctx), ...createDeviceRoutes(ctx, hooks.module()!)],
  });
  await seedDemoAccounts(t.app.ctx.sql, t.app.ctx.clock, PASSWORD);
  const r = await fetch(`${t.url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: PASSWORD }),
  });
  expect(r.status).toBe(200);
  admin = r.headers.get('set-cookie')!.split(';')[0]!;
  producer = createClient({ url: redis.url });
  producer.on('error', () => {});
  await producer.connect();
  await waitFor(() => t.bus.state() === 'up', 10_000, 'redis up');
  wall = ioClient(t.url, { transports: ['websocket'], extraHeaders: { cookie: admin } });
  wall.on('wall:batch', (b, ack) => {
    batches.push(b);
    ack({ ok: true });
  });
  await waitFor(() => batches.some((b) => b.isFull), 10_000, 'first snapshot');
}, 30_000);

afterAll(async () => {
  wall?.close();
  await producer?.close().catch(() => {});
  await t?.close();
  await redis?.stop();
});

describe('a disabled device is refused on every ingest path', () => {
  it('vehicle: Redis (byte and exact path) and HTTP refused with `disabled`, off the wall, back when enabled', async () => {
    const live = t.app.ctx.live;
    const idx = live.vehicle.indexOf('patrol-1')!;
    let ts = Date.now();
    // Reporting normally: on the wall.
    await publishUntil(
      'vehicle',
      [report('vehicle', 'patrol-1', ts)],
      () => reportTs('vehicle', 'patrol-1') === ts,
      'first report',
    );
    expect((await postReport('vehicle', report('vehicle', 'patrol-2', ts))).status).toBe(202);
    await waitFor(() => drawnAfter(0, 'vehicle', idx), 5_000, 'patrol-1 drawn');

    const before = batches.length;
    expect(await panelTotal('vehicle')).toBe(2);
    expect(await admin_('disable', 'vehicle', 'patrol-1')).toBe(200);
    expect(await panelTotal('vehicle')).toBe(1);

    ts += 1_000;
    const http = await postReport('vehicle', report('vehicle', 'patrol-1', ts));
    expect(http.status).toBe(400);
    expect(http.body.rejected).toEqual([{ index: 0, reason: 'disabled' }]);
    // A batch with a disabled unit among others: the others still land.
    const mixed = await postReport('vehicle', [
      report('vehicle', 'patrol-2', ts),
      report('vehicle', 'patrol-1', ts),
    ]);
    expect(mixed.status).toBe(202);
    expect(mixed.body).toMatchObject({ accepted: 1, rejected: [{ index: 1, reason: 'disabled' }] });
    expect(rejected('http:vehicle/disabled')).toBe(2);

    await publishUntil(
      'vehicle',
      [report('vehicle', 'patrol-1', ts)],
      () => rejected('redis:vehicle/disabled') >= 1,
      'byte-path refusal',
    );
    await publishUntil(
      'vehicle',
      [report('vehicle', 'patrol-1', ts + 1, 'exact')],
      () => rejected('redis:vehicle/disabled') >= 2,
      'exact-path refusal',
    );
    expect(reportTs('vehicle', 'patrol-1')).toBe(0); // nothing applied: no position, "no data"
    // Auto-registration is on, and still the id was not registered afresh under a new index.
    expect(live.vehicle.indexOf('patrol-1')).toBe(idx);
    expect(live.vehicle.count).toBe(2);

    // Off the wall: the next full snapshot leaves it out while patrol-2 stays.
    await waitFor(
      () => drawnInSnapshotAfter(before, 'vehicle', idx) === false,
      5_000,
      'snapshot without patrol-1',
    );
    expect(drawnInSnapshotAfter(before, 'vehicle', live.vehicle.indexOf('patrol-2')!)).toBe(true);
    const health = (await (await fetch(`${t.url}/api/health`)).json()) as {
      ingest: { rejected: Record<string, number> };
    };
    expect(health.ingest.rejected['http:vehicle/disabled']).toBe(2);

    // Enabled again: accepted on both paths and drawn again.
    const beforeEnable = batches.length;
    expect(await admin_('enable', 'vehicle', 'patrol-1')).toBe(200);
    ts += 1_000;
    expect((await postReport('vehicle', report('vehicle', 'patrol-1', ts))).status).toBe(202);
    ts += 1_000;
    await publishUntil(
      'vehicle',
      [report('vehicle', 'patrol-1', ts)],
      () => reportTs('vehicle', 'patrol-1') === ts,
      'accepted again',
    );
    await waitFor(() => drawnAfter(beforeEnable, 'vehicle', idx), 5_000, 'patrol-1 drawn again');
  });

  it('camera and grid worker: refused over Redis and HTTP while disabled, accepted once enabled, audited', async () => {
    for (const [kind, id] of [
      ['camera', CAMERA],
      ['worker', 'gw-1'],
    ] as const) {
      const store = t.app.ctx.live.store(kind);
      const idx = store.indexOf(id)!;
      let ts = Date.now();
      expect((await postReport(kind, report(kind, id, ts))).status).toBe(202);
      await waitFor(() => drawnAfter(0, kind, idx), 5_000, `${kind} drawn`);

      expect(await panelTotal(kind)).toBe(1);
      const before = batches.length;
      expect(await admin_('disable', kind, id)).toBe(200);
      // Off the panels too: a disabled camera is not listed as a down one, a disabled worker not on the roster.
      expect(await panelTotal(kind)).toBe(0);
      ts += 1_000;
      const http = await postReport(kind, report(kind, id, ts));
      expect(http.status).toBe(400);
      expect(http.body.rejected).toEqual([{ index: 0, reason: 'disabled' }]);
      await publishUntil(
        kind,
        report(kind, id, ts),
        () => rejected(`redis:${kind}/disabled`) >= 1,
        `${kind} Redis refusal`,
      );
      expect(reportTs(kind, id)).toBe(0);
      await waitFor(
        () => drawnInSnapshotAfter(before, kind, idx) === false,
        5_000,
        `snapshot without ${kind}`,
      );

      const beforeEnable = batches.length;
      expect(await admin_('enable', kind, id)).toBe(200);
      expect(await panelTotal(kind)).toBe(1);
      if (kind === 'camera') {
        // A camera is placed by its registry row: it is back on the wall at once, offline until it reports.
        await waitFor(
          () => drawnAfter(beforeEnable, kind, idx),
          5_000,
          'camera drawn where the registry puts it',
        );
        expect(store.lng[idx]).toBe(CAMERA_AT.lng);
      }
      ts += 1_000;
      expect((await postReport(kind, report(kind, id, ts))).status).toBe(202);
      ts += 1_000;
      await publishUntil(
        kind,
        report(kind, id, ts),
        () => reportTs(kind, id) === ts,
        `${kind} accepted again`,
      );
      await waitFor(() => drawnAfter(beforeEnable, kind, idx), 5_000, `${kind} drawn again`);
    }
    const audit = await t.app.ctx.sql.all<{ action: string; objectId: string; after: string }>(
      sql`SELECT action, object_id AS "objectId", after FROM audit_log WHERE action LIKE 'device.%' ORDER BY id`,
    );
    expect(audit.map((a) => `${a.action} ${a.objectId}`)).toEqual([
      'device.terminal.disable patrol-1',
      'device.terminal.enable patrol-1',
      `device.camera.disable ${CAMERA}`,
      `device.camera.enable ${CAMERA}`,
      'device.worker.disable gw-1',
      'device.worker.enable gw-1',
    ]);
    expect(JSON.parse(audit[2]!.after).disabledAt).toEqual(expect.any(Number));
  });

  it('only an administrator disables, and an unknown id is a 404', async () => {
    const r = await fetch(`${t.url}/api/admin/devices/cameras/${CAMERA}/disable`, { method: 'POST' });
    expect(r.status).toBe(401);
    expect(await admin_('disable', 'worker', 'no-such-worker')).toBe(404);
    expect(await admin_('disable', 'camera', '33010200001310009999')).toBe(404);
  });
});
