import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '@/server/auth/accounts';
import { IN_A, PASSWORD, phonePhoto, startMobileKit, type MobileKit } from './mobile-kit';

/**
 * A department's 反馈 with photos (real app, real database, real HTTP, real image pipeline): the
 * department uploads through the same checks as the worker's phone, attaches the photo to its feedback, and
 * the photo shows in its case, in the dispatcher's attachment list, and to nobody the case was not handed to.
 */
let k: MobileKit;
let dispatcher: string;
let fire: string;
let police: string;
let incidentId: string;

async function uploadAs(cookie: string, data: Buffer | Uint8Array) {
  const r = await fetch(`${k.t.url}/api/dept/uploads`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'image/jpeg' },
    body: new Uint8Array(data),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- asserted structurally
  return { status: r.status, body: (await r.json()) as any };
}

beforeAll(async () => {
  k = await startMobileKit();
  const db = k.t.app.ctx.sql;
  const addDept = (id: string, name: string, kind: string, category: string) =>
    db.run(sql`INSERT INTO departments (id, name, kind, region_code, categories)
      VALUES (${id}, ${name}, ${kind}, '330102000000', ${JSON.stringify([category])})`);
  await addDept('d-fire', '上城区消防救援大队', 'fire', 'fire_safety');
  await addDept('d-police', '湖滨派出所', 'police_station', 'public_security');
  for (const [username, departmentId] of [
    ['dept-fire', 'd-fire'],
    ['dept-police', 'd-police'],
  ] as const)
    await createUser(db, k.clock, {
      username,
      role: 'department',
      password: PASSWORD,
      departmentId,
    });
  dispatcher = await k.login('dispatcher');
  fire = await k.login('dept-fire');
  police = await k.login('dept-police');
  const logged = await k.api('POST', '/api/incidents', {
    cookie: dispatcher,
    body: { category: 'fire_safety', title: '楼道堆放杂物堵塞消防通道', priority: 2, ...IN_A },
  });
  expect(logged.status).toBeLessThan(300);
  incidentId = logged.body.id;
  const handed = await k.api('POST', `/api/incidents/${incidentId}/assign`, {
    cookie: dispatcher,
    body: { departmentId: 'd-fire' },
  });
  expect(handed.status).toBe(200);
  expect(
    (await k.api('POST', `/api/dept/incidents/${incidentId}/ack`, { cookie: fire, body: {} })).status,
  ).toBe(200);
}, 60_000);

afterAll(async () => {
  await k?.close();
});

describe('department feedback with photos', () => {
  it('a fake image is refused by its bytes on the department’s upload too', async () => {
    const r = await uploadAs(fire, Buffer.from('<html>not a picture</html>'));
    expect(r.status).toBe(415);
    expect(r.body.details.reason).toBe('not_an_image');
  });

  it('反馈 carries an uploaded photo: the case, the dispatcher and the photo route show it', async () => {
    const up = await uploadAs(fire, await phonePhoto(40));
    expect(up.status).toBe(201);
    const hash: string = up.body.hash;

    const fb = await k.api('POST', `/api/dept/incidents/${incidentId}/feedback`, {
      cookie: fire,
      body: { note: '已清理通道，附现场照片', photos: [hash] },
    });
    expect(fb.status).toBe(200);

    const detail = await k.api('GET', `/api/dept/incidents/${incidentId}`, { cookie: fire });
    expect(detail.body.attachments).toEqual([
      expect.objectContaining({ hash, addedBy: 'dept-fire', thumbUrl: `/api/uploads/${hash}?thumb=1` }),
    ]);
    expect(detail.body.timeline.at(-1)).toMatchObject({ type: 'feedback', note: '已清理通道，附现场照片' });

    const desk = await k.api('GET', `/api/incidents/${incidentId}/attachments`, { cookie: dispatcher });
    expect(desk.body.attachments.map((a: { hash: string }) => a.hash)).toEqual([hash]);
    expect(desk.body.hasSnapshot).toBe(false);
    const thumb = await fetch(`${k.t.url}/api/uploads/${hash}?thumb=1`, { headers: { cookie: dispatcher } });
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/jpeg');
    const own = await fetch(`${k.t.url}/api/uploads/${hash}`, { headers: { cookie: fire } });
    expect(own.status).toBe(200);

    // The department the case was never handed to: the photo does not exist for it.
    const other = await fetch(`${k.t.url}/api/uploads/${hash}`, { headers: { cookie: police } });
    expect(other.status).toBe(404);
    const audit = await k.t.app.ctx.sql.all(
      sql`SELECT actor, result FROM audit_log WHERE action = 'incident.attach_photos' AND object_id = ${incidentId}`,
    );
    expect(audit).toEqual([{ actor: 'dept-fire', result: 'ok' }]);
  });

  it('a photo alone is feedback enough; an unknown photo is refused and writes nothing', async () => {
    const up = await uploadAs(fire, await phonePhoto(200));
    const fb = await k.api('POST', `/api/dept/incidents/${incidentId}/feedback`, {
      cookie: fire,
      body: { photos: [up.body.hash] },
    });
    expect(fb.status).toBe(200);
    const events = async () =>
      (await k.t.app.ctx.sql.get<{ n: number }>(
        sql`SELECT COUNT(*) AS n FROM incident_events WHERE incident_id = ${incidentId}`,
      ))!.n;
    const before = await events();
    const bad = await k.api('POST', `/api/dept/incidents/${incidentId}/feedback`, {
      cookie: fire,
      body: { note: '再补一张', photos: ['0'.repeat(64)] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.details.reason).toBe('unknown_photo');
    expect(await events()).toBe(before);
    const detail = await k.api('GET', `/api/dept/incidents/${incidentId}`, { cookie: fire });
    expect(detail.body.attachments).toHaveLength(2);
    expect(detail.body.timeline.at(-1).note).toBe('现场照片 1 张');

    // 签收 carries no photos: refused, not silently dropped.
    const onAck = await k.api('POST', `/api/dept/incidents/${incidentId}/return`, {
      cookie: fire,
      body: { note: '不属本部门', photos: [up.body.hash] },
    });
    expect(onAck.status).toBe(400);
    expect(onAck.body.details.reason).toBe('photos_not_allowed');
  });
});
