import { sql } from 'drizzle-orm';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '@/lib/clock';
import { seedDemoAccounts } from '@/server/auth/accounts';
import { LoginLimiter } from '@/server/auth/login-limiter';
import { InProcessBus } from '@/server/bus/in-process-bus';
import { dispatchAppHooks } from '@/server/dispatch/dispatch-module';
import { ALARM_DEDUPE_WINDOW_MS } from '@/server/alarms/alarm-intake';
import { createAlarmModule, type AlarmModule } from '@/server/alarms/alarm-module';
import { MAX_SNAPSHOT_BYTES } from '@/server/alarms/snapshot-store';
import { createLogger } from '@/server/logger';
import { startGb28181Listener, type Gb28181Listener } from '@/server/protocols/gb28181/listener';
import { SimulatedDevice } from '@/server/protocols/gb28181/simulated-device';
import { startTestApp, waitFor, type TestApp } from '../helpers/test-app';

const TOKEN = 'ingest-token-0123456789';
const CAM = '34020000001320000001';
const CAM_NO_POSITION = '34020000001320000002';
const STRANGER = '34020000001320000099';
const UPLOADS_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-alarm-'));

let t: TestApp;
let clock: FakeClock;
let alarms: AlarmModule;
let listener: Gb28181Listener;
let device: SimulatedDevice;

const gbAlarm = (deviceId: string, method: number, type: number, sn = 1) =>
  iconv.encode(
    `<?xml version="1.0" encoding="GB2312"?>\r\n<Notify>\r\n<CmdType>Alarm</CmdType>\r\n<SN>${sn}</SN>\r\n` +
      `<DeviceID>${deviceId}</DeviceID>\r\n<AlarmPriority>2</AlarmPriority>\r\n<AlarmMethod>${method}</AlarmMethod>\r\n` +
      `<AlarmTime>2026-12-03T09:10:00</AlarmTime>\r\n<AlarmDescription>东门周界入侵</AlarmDescription>\r\n` +
      `<Info>\r\n<AlarmType>${type}</AlarmType>\r\n</Info>\r\n</Notify>\r\n`,
    'gb18030',
  );

const videoAlarms = () =>
  t.app.ctx.sql.all<{
    id: string;
    category: string;
    priority: number;
    cameraId: string;
    lng: number;
    sha: string | null;
  }>(
    sql`SELECT id, category, priority, camera_id AS "cameraId", lng, lat, snapshot_sha256 AS sha FROM incidents
        WHERE source = 'video_patrol' ORDER BY received_at, id`,
  );

const rejected = () => t.app.ctx.stats.rejectedObject();

/**
 * Alarms the listener handed to the module and not yet stored or refused. The listener answers the MESSAGE
 * 200 before the incident is written (its Response follows), so an assertion on the database waits for these.
 */
const pendingAlarms = new Set<Promise<void>>();

/** Sends one MESSAGE and waits until the alarm it carried, if any, is stored or refused. */
async function message(body: Buffer) {
  const answer = await device.message(body);
  await Promise.all([...pendingAlarms]);
  return answer;
}

async function post(body: unknown, token = TOKEN) {
  const r = await fetch(`${t.url}/api/ingest/alarms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- asserted structurally
  return { status: r.status, body: (await r.json()) as any };
}

/** A tiny but real JPEG header followed by filler: enough for the magic-byte check. */
const jpeg = (size: number) => {
  const b = Buffer.alloc(size, 0x11);
  b.set([0xff, 0xd8, 0xff, 0xe0]);
  return b;
};

beforeAll(async () => {
  clock = new FakeClock(Date.UTC(2026, 11, 3, 2));
  const hooks = dispatchAppHooks({ limiter: new LoginLimiter(10_000) });
  t = await startTestApp({
    clock,
    auth: hooks.auth,
    routes: (ctx) => {
      const routes = hooks.routes(ctx);
      alarms = createAlarmModule(ctx, hooks.module()!);
      return [...routes, ...alarms.routes];
    },
    env: { INGEST_TOKEN: TOKEN, UPLOADS_DIR },
  });
  await seedDemoAccounts(t.app.ctx.sql, clock, 'pingan-demo');
  await t.app.ctx.sql.run(
    sql`INSERT INTO cameras (id, name, lng, lat, created_at) VALUES
        (${CAM}, '清泰街东门', 120.17, 30.25, ${clock.now()}),
        (${CAM_NO_POSITION}, '无坐标点位', NULL, NULL, ${clock.now()})`,
  );
  listener = await startGb28181Listener({
    port: 0,
    host: '127.0.0.1',
    bus: new InProcessBus(),
    logger: createLogger('silent'),
    stats: t.app.ctx.stats,
    clock,
    autoRegister: true,
    sweepIntervalMs: 60_000,
    onAlarm: (xml) => {
      const handled = alarms.onGbAlarm(xml);
      const settled = handled.then(
        () => {},
        () => {},
      );
      pendingAlarms.add(settled);
      void settled.then(() => pendingAlarms.delete(settled));
      return handled;
    },
  });
  device = await SimulatedDevice.create(CAM, listener.port);
  expect((await device.register()).status).toBe(200);
});

afterAll(async () => {
  device?.close();
  await listener?.close();
  await t?.close();
  fs.rmSync(UPLOADS_DIR, { recursive: true, force: true });
});

describe('GB/T 28181 Alarm over UDP', () => {
  it('becomes one incident with the camera attached, answered with a Response', async () => {
    const answer = await message(gbAlarm(CAM, 5, 6, 41));
    expect(answer.status).toBe(200);
    const [incident] = await waitFor(async () => {
      const rows = await videoAlarms();
      return rows.length > 0 ? rows : null;
    });
    expect(incident).toMatchObject({ category: 'public_security', priority: 2, cameraId: CAM, lng: 120.17 });
    const response = await waitFor(() =>
      device.queries.find((q) => q.body.toString('latin1').includes('<CmdType>Alarm</CmdType>')),
    );
    expect(response.method).toBe('MESSAGE');
    expect(response.body.toString('latin1')).toContain('<SN>41</SN>');
    expect(response.body.toString('latin1')).toContain('<Result>OK</Result>');
  });

  it('folds repeats within the window into that one incident, and opens a new one after it', async () => {
    for (const sn of [42, 43]) expect((await message(gbAlarm(CAM, 5, 6, sn))).status).toBe(200);
    expect(await videoAlarms()).toHaveLength(1);
    expect(rejected()['sip:alarm/duplicate']).toBe(2);
    // Another kind of alarm on the same camera is its own incident.
    await message(gbAlarm(CAM, 5, 3, 44));
    expect(await videoAlarms()).toHaveLength(2);
    clock.advance(ALARM_DEDUPE_WINDOW_MS + 1);
    await message(gbAlarm(CAM, 5, 6, 45));
    expect(await videoAlarms()).toHaveLength(3);
  });

  it('drops video loss by rule, refuses an unknown camera and malformed XML, each counted', async () => {
    await message(gbAlarm(CAM, 2, 1, 46));
    await message(gbAlarm(STRANGER, 5, 6, 47));
    await message(gbAlarm(CAM_NO_POSITION, 5, 6, 48));
    const bad = await message(Buffer.from('<Notify><CmdType>Alarm</CmdType><DeviceID>x</Notify>'));
    expect(bad.status).toBe(400);
    expect(await videoAlarms()).toHaveLength(3);
    expect(rejected()).toMatchObject({
      'sip:alarm/ignored_by_rule': 1,
      'sip:alarm/unknown_camera': 1,
      'sip:alarm/no_position': 1,
      'sip/xml_malformed': 1,
    });
  });

  it('survives arbitrary Alarm bodies: each answered, none crashes the listener', async () => {
    const before = (await videoAlarms()).length;
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300 }), fc.integer({ min: 0, max: 99 }), async (junk, n) => {
        const xml = `<Notify><CmdType>Alarm</CmdType><SN>${n}</SN><DeviceID>${junk.replace(/[<&]/g, '')}</DeviceID><AlarmMethod>${n}</AlarmMethod></Notify>`;
        const answer = await message(Buffer.from(n % 2 ? xml : junk));
        expect([200, 400]).toContain(answer.status);
      }),
      { numRuns: 100 },
    );
    expect(await videoAlarms()).toHaveLength(before);
  });
});

describe('POST /api/ingest/alarms (AI analysis)', () => {
  it('turns an alarm with a snapshot into an incident whose picture signed-in users may see', async () => {
    const shot = jpeg(2_000);
    const r = await post({
      id: 'ai-001',
      cameraId: CAM,
      type: 'smoke_fire',
      time: clock.now() - 5_000,
      confidence: 0.93,
      snapshot: `data:image/jpeg;base64,${shot.toString('base64')}`,
    });
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ accepted: 1, rejected: [] });
    const id = r.body.results[0].incidentId as string;
    const row = (await videoAlarms()).find((i) => i.id === id)!;
    expect(row).toMatchObject({ category: 'fire_safety', priority: 1, cameraId: CAM });
    expect(row.sha).toMatch(/^[0-9a-f]{64}$/);
    // In the database, where every host reads it; nothing on this host's disk.
    expect(
      await t.app.ctx.sql.get(sql`SELECT type, bytes FROM alarm_snapshots WHERE sha256 = ${row.sha}`),
    ).toEqual({ type: 'jpeg', bytes: shot.length });
    expect(fs.readdirSync(UPLOADS_DIR)).toEqual([]);

    expect((await fetch(`${t.url}/api/incidents/${encodeURIComponent(id)}/snapshot`)).status).toBe(401);
    const login = await fetch(`${t.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'duty', password: 'pingan-demo' }),
    });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const img = await fetch(`${t.url}/api/incidents/${encodeURIComponent(id)}/snapshot`, {
      headers: { cookie },
    });
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await img.arrayBuffer()).equals(shot)).toBe(true);

    // The same alarm again within the window: the same incident.
    const again = await post({ cameraId: CAM, type: 'smoke_fire', time: clock.now() });
    expect(again.body.results[0]).toMatchObject({ status: 'duplicate', incidentId: id });
  });

  it('answers arbitrary bodies with a reason, never a crash', async () => {
    const before = (await videoAlarms()).length;
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.json(), fc.string()), async (text) => {
        const r = await fetch(`${t.url}/api/ingest/alarms`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
          body: text,
        });
        expect([400, 413]).toContain(r.status);
        expect(((await r.json()) as { rejected: unknown[] }).rejected.length).toBeGreaterThan(0);
      }),
      { numRuns: 150 },
    );
    expect(await videoAlarms()).toHaveLength(before);
  });

  it('refuses fake and oversized snapshots and unknown cameras with a reason, keeping the good ones', async () => {
    const before = (await videoAlarms()).length;
    const r = await post([
      {
        cameraId: CAM,
        type: 'street_vending',
        time: clock.now(),
        snapshot: Buffer.from('not an image at all').toString('base64'),
      },
      {
        cameraId: CAM,
        type: 'street_vending',
        time: clock.now(),
        snapshot: jpeg(MAX_SNAPSHOT_BYTES + 10).toString('base64'),
      },
      { cameraId: STRANGER, type: 'street_vending', time: clock.now() },
      { cameraId: CAM, type: 'Crowd Gathering!', time: clock.now() },
      { cameraId: CAM, type: 'crowd_gathering', time: clock.now() },
    ]);
    expect(r.status).toBe(202);
    expect(r.body.accepted).toBe(1);
    expect(r.body.rejected).toEqual([
      { index: 0, reason: 'snapshot_not_image' },
      { index: 1, reason: 'snapshot_too_large' },
      { index: 2, reason: 'unknown_camera' },
      { index: 3, reason: 'type:invalid_format' },
    ]);
    expect(await videoAlarms()).toHaveLength(before + 1);
    expect(rejected()).toMatchObject({
      'http:alarm/snapshot_not_image': 1,
      'http:alarm/snapshot_too_large': 1,
      'http:alarm/unknown_camera': 1,
    });
    expect(
      (await post({ cameraId: CAM, type: 'fight', time: clock.now() }, 'wrong-token-0123456789')).status,
    ).toBe(401);
  });
});
