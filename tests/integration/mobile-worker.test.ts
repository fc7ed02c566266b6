import { randomUUID } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSITION_INTERVAL_MS } from '@/lib/mobile/contract';
import { waitFor } from '../helpers/test-app';
import { IN_A, IN_B, GRID_A, phonePhoto, startMobileKit, type MobileKit } from './mobile-kit';

let k: MobileKit;
let grid01: string;
let grid02: string;
let dispatcher: string;

beforeAll(async () => {
  k = await startMobileKit();
  [grid01, grid02, dispatcher] = await Promise.all([
    k.login('grid01'),
    k.login('grid02'),
    k.login('dispatcher'),
  ]);
});
afterAll(async () => {
  await k?.close();
});

const report = (over: Record<string, unknown> = {}) => ({
  key: randomUUID(),
  category: 'city_management',
  detail: '东门占道经营',
  ...IN_A,
  reportedAt: Date.now(),
  ...over,
});

/** A `SELECT COUNT(*) AS n …` on the app's database. */
async function count(query: SQL): Promise<number> {
  return (await k.t.app.ctx.sql.get<{ n: number }>(query))!.n;
}

describe('grid worker mobile routes', () => {
  it('knows who the worker is, and refuses desk roles and strangers', async () => {
    const me = await k.api('GET', '/api/m/me', { cookie: grid01 });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ workerId: 'w-a', gridCode: GRID_A, name: '王网格', onDuty: false });
    expect((await k.api('GET', '/api/m/me')).status).toBe(401);
    expect((await k.api('POST', '/api/m/reports', { cookie: dispatcher, body: report() })).status).toBe(403);
  });

  it('refuses a report outside the worker’s scope with the reason, and records the refusal', async () => {
    const before = await count(sql`SELECT COUNT(*) AS n FROM incidents`);
    const r = await k.api('POST', '/api/m/reports', { cookie: grid01, body: report(IN_B) });
    expect(r.status).toBe(403);
    expect(r.body.details.reason).toBe('outside_scope');
    expect(r.body.error).toContain('不在本人网格范围内');
    // Outside every grid is outside too.
    const nowhere = await k.api('POST', '/api/m/reports', {
      cookie: grid01,
      body: report({ lng: 121.5, lat: 31.2 }),
    });
    expect(nowhere.status).toBe(403);
    expect(await count(sql`SELECT COUNT(*) AS n FROM incidents`)).toBe(before);
    expect(
      await count(
        sql`SELECT COUNT(*) AS n FROM audit_log WHERE actor = 'grid01' AND action = 'incident.create' AND result = 'denied' AND reason = 'outside_scope'`,
      ),
    ).toBe(2);
    // The worker of B may report there.
    expect((await k.api('POST', '/api/m/reports', { cookie: grid02, body: report(IN_B) })).status).toBe(201);
  });

  it('keeps one incident when the phone replays a report with the same key', async () => {
    const body = report({ detail: '重放测试' });
    const first = await k.api('POST', '/api/m/reports', { cookie: grid01, body });
    expect(first.status).toBe(201);
    expect(first.body.isDuplicate).toBe(false);
    const again = await k.api('POST', '/api/m/reports', { cookie: grid01, body });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: first.body.id, isDuplicate: true });
    expect(
      await count(
        sql`SELECT COUNT(*) AS n FROM incidents WHERE source = 'grid_worker' AND source_ref = ${`m-${body.key}`}`,
      ),
    ).toBe(1);
    expect(await count(sql`SELECT COUNT(*) AS n FROM worker_reports WHERE key = ${body.key}`)).toBe(1);
    const stored = await k.t.app.ctx.sql.get(
      sql`SELECT source, grid_code AS "gridCode", state FROM incidents WHERE id = ${first.body.id}`,
    );
    expect(stored).toEqual({ source: 'grid_worker', gridCode: GRID_A, state: 'reported' });
    // On the live board (the walls' feed) once.
    expect(k.t.app.ctx.live.incidents.get(first.body.id)?.source).toBe('grid_worker');
    const mine = await k.api('GET', '/api/m/tasks', { cookie: grid01 });
    expect(mine.body.reports.filter((r: { id: string }) => r.id === first.body.id)).toHaveLength(1);
  });

  it('serves a photo only to those who may see an incident it is attached to', async () => {
    const up = await k.upload(grid01, await phonePhoto(7));
    expect(up.status).toBe(201);
    const hash: string = up.body.hash;
    // Not attached yet: the desk cannot see it, its sender can.
    expect((await k.api('GET', `/api/uploads/${hash}`, { cookie: dispatcher })).status).toBe(404);
    expect((await k.api('GET', `/api/uploads/${hash}?thumb=1`, { cookie: grid01 })).status).toBe(200);
    const r = await k.api('POST', '/api/m/reports', { cookie: grid01, body: report({ photos: [hash] }) });
    expect(r.status).toBe(201);
    const img = await fetch(`${k.t.url}/api/uploads/${hash}`, { headers: { cookie: dispatcher } });
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toBe('image/jpeg');
    const bytes = Buffer.from(await img.arrayBuffer());
    expect(bytes.includes(Buffer.from('worker-7'))).toBe(false); // EXIF gone on the way in
    // Another community's worker and a leader scoped to community B: as if it did not exist.
    expect((await k.api('GET', `/api/uploads/${hash}`, { cookie: grid02 })).status).toBe(404);
    const leaderB = await k.login('leader-b');
    expect((await k.api('GET', `/api/uploads/${hash}`, { cookie: leaderB })).status).toBe(404);
    expect((await k.api('GET', `/api/uploads/${hash}`)).status).toBe(401);
    const list = await k.api('GET', `/api/incidents/${r.body.id}/attachments`, { cookie: dispatcher });
    expect(list.body.attachments.map((a: { hash: string }) => a.hash)).toEqual([hash]);
    expect((await k.api('GET', `/api/incidents/${r.body.id}/attachments`, { cookie: leaderB })).status).toBe(
      404,
    );
    // A report naming a photo that was never uploaded is refused.
    const bad = await k.api('POST', '/api/m/reports', {
      cookie: grid01,
      body: report({ photos: ['a'.repeat(64)] }),
    });
    expect(bad.status).toBe(400);
    expect(bad.body.details.reason).toBe('unknown_photo');
  });

  it('refuses a fake image and an oversized one with a clear reason', async () => {
    const fake = await k.upload(grid01, Buffer.from('MZ this is an executable named photo.jpg'.repeat(20)));
    expect(fake.status).toBe(415);
    expect(fake.body.details.reason).toBe('not_an_image');
    // An iPhone's HEIC (the ftyp box names the brand): refused by name, with what to do, and counted.
    const heic = Buffer.concat([
      Buffer.from([0, 0, 0, 0x18]),
      Buffer.from('ftypheic'),
      Buffer.alloc(4096, 7),
    ]);
    const refused = await k.upload(grid01, heic);
    expect(refused.status).toBe(415);
    expect(refused.body.details.reason).toBe('heic_unsupported');
    expect(refused.body.error).toContain('HEIC');
    expect(refused.body.error).toContain('兼容性最佳');
    const counted = k.t.app.ctx.stats.rejectedObject();
    expect(counted['upload/heic_unsupported']).toBe(1);
    expect(counted['upload/not_an_image']).toBe(1);
    const big = Buffer.alloc(8 * 1024 * 1024 + 10, 1);
    big.set([0xff, 0xd8, 0xff], 0);
    const r = await fetch(`${k.t.url}/api/m/uploads`, {
      method: 'POST',
      headers: { cookie: grid01, 'content-type': 'image/jpeg' },
      body: new Uint8Array(big),
    }).catch(() => null);
    // The server answers 413 (or closes a body it will not read): nothing is stored either way.
    if (r) expect(r.status).toBe(413);
    expect(await count(sql`SELECT COUNT(*) AS n FROM uploads WHERE bytes > 8388608`)).toBe(0);
  });

  it('lets the worker arrive at and resolve only their own task, through the lifecycle', async () => {
    const created = await k.api('POST', '/api/m/reports', {
      cookie: grid01,
      body: report({ detail: '任务' }),
    });
    const id: string = created.body.id;
    const assign = await k.api('POST', `/api/incidents/${id}/assign`, {
      cookie: dispatcher,
      body: { workerId: 'w-a' },
    });
    expect(assign.status).toBe(200);
    const tasks = await k.api('GET', '/api/m/tasks', { cookie: grid01 });
    expect(tasks.body.tasks.map((t: { id: string }) => t.id)).toContain(id);
    // Not theirs: answered as missing, and on the record.
    const other = await k.api('POST', `/api/m/tasks/${id}/action`, {
      cookie: grid02,
      body: { action: 'arrive' },
    });
    expect(other.status).toBe(404);
    const accept = await k.api('POST', `/api/m/tasks/${id}/action`, {
      cookie: grid01,
      body: { action: 'accept' },
    });
    expect(accept.body.task.isAccepted).toBe(true);
    const arrive = await k.api('POST', `/api/m/tasks/${id}/action`, {
      cookie: grid01,
      body: { action: 'arrive' },
    });
    expect(arrive.status).toBe(200);
    expect(arrive.body.task.state).toBe('on_scene');
    const photo = await k.upload(grid01, await phonePhoto(11));
    const note = await k.api('POST', `/api/m/tasks/${id}/action`, {
      cookie: grid01,
      body: { action: 'note', note: '已劝离摊贩', photos: [photo.body.hash] },
    });
    expect(note.body.task.photos).toHaveLength(1);
    const done = await k.api('POST', `/api/m/tasks/${id}/action`, {
      cookie: grid01,
      body: { action: 'resolve', note: '现场已清理' },
    });
    expect(done.status).toBe(200);
    expect(done.body.task.state).toBe('resolved');
    expect(k.t.app.ctx.live.incidents.get(id)?.state).toBe('resolved');
    // A resolved case is not the worker's to move again (核查 is the centre's).
    const again = await k.api('POST', `/api/m/tasks/${id}/action`, {
      cookie: grid01,
      body: { action: 'arrive' },
    });
    expect(again.status).toBe(409);
    const events = await k.t.app.ctx.sql.all<{ actor: string; type: string; toState: string }>(
      sql`SELECT actor, type, to_state AS "toState" FROM incident_events WHERE incident_id = ${id} ORDER BY id`,
    );
    expect(events.filter((e) => e.actor === 'grid01').map((e) => `${e.type}:${e.toState}`)).toEqual([
      'accept:dispatched',
      'transition:on_scene',
      'note:on_scene',
      'transition:resolved',
    ]);
    expect(
      await count(
        sql`SELECT COUNT(*) AS n FROM audit_log WHERE actor = 'grid01' AND object_id = ${id} AND result = 'ok' AND action != 'incident.create'`,
      ),
    ).toBe(4);
  });

  it('checks in and out, and bounds the position rate while on duty', async () => {
    expect(
      (await k.api('POST', '/api/m/position', { cookie: grid02, body: { ...IN_B, ts: k.clock.now() } }))
        .status,
    ).toBe(409);
    const on = await k.api('POST', '/api/m/duty', { cookie: grid02, body: { onDuty: true, ...IN_B } });
    expect(on.status).toBe(200);
    await waitFor(async () => (await k.api('GET', '/api/m/me', { cookie: grid02 })).body.onDuty === true);
    const first = await k.api('POST', '/api/m/position', {
      cookie: grid02,
      body: { lng: 120.191, lat: 30.251, ts: k.clock.now() },
    });
    expect(first.status).toBe(200);
    const tooSoon = await k.api('POST', '/api/m/position', {
      cookie: grid02,
      body: { lng: 120.192, lat: 30.252, ts: k.clock.now() },
    });
    expect(tooSoon.status).toBe(429);
    expect(tooSoon.body.details.reason).toBe('too_frequent');
    k.clock.advance(POSITION_INTERVAL_MS);
    const later = await k.api('POST', '/api/m/position', {
      cookie: grid02,
      body: { lng: 120.193, lat: 30.253, ts: k.clock.now() },
    });
    expect(later.status).toBe(200);
    const store = k.t.app.ctx.live.worker;
    await waitFor(() => {
      const i = store.indexOf('w-b');
      return i !== undefined && Math.abs(store.lng[i]! - 120.193) < 1e-6;
    });
    // Bad input goes through the ingest schema and is refused with its reason.
    k.clock.advance(POSITION_INTERVAL_MS);
    const bad = await k.api('POST', '/api/m/position', {
      cookie: grid02,
      body: { lng: 999, lat: 30, ts: k.clock.now() },
    });
    expect(bad.status).toBe(400);
    const off = await k.api('POST', '/api/m/duty', { cookie: grid02, body: { onDuty: false } });
    expect(off.status).toBe(200);
    await waitFor(async () => (await k.api('GET', '/api/m/me', { cookie: grid02 })).body.onDuty === false);
    expect(
      await count(
        sql`SELECT COUNT(*) AS n FROM audit_log WHERE actor = 'grid02' AND action LIKE 'worker.check_%'`,
      ),
    ).toBe(2);
  });
});
