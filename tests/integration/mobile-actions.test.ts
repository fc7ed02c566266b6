import { randomUUID } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PHOTO_BYTES } from '@/lib/mobile/contract';
import { MAX_UPLOAD_BYTES } from '@/server/uploads/photo';
import { IN_A, phonePhoto, startMobileKit, type MobileKit } from './mobile-kit';

/**
 * Task actions from the phone carry an idempotency key (the phone made it when the tap was saved, maybe
 * offline): a resend after a lost answer, a queue flushed twice, or two sends racing apply once — one
 * timeline event, one audit row, one photo attachment. A refused action leaves its key unused.
 */
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

/** A `SELECT COUNT(*) AS n …` on the app's database. */
async function count(query: SQL): Promise<number> {
  return (await k.t.app.ctx.sql.get<{ n: number }>(query))!.n;
}

/** A report by grid01, assigned back to grid01 by the dispatcher: a task of theirs. */
async function newTask(detail: string): Promise<string> {
  const created = await k.api('POST', '/api/m/reports', {
    cookie: grid01,
    body: { key: randomUUID(), category: 'environment', detail, ...IN_A, reportedAt: Date.now() },
  });
  expect(created.status).toBe(201);
  const id: string = created.body.id;
  const assign = await k.api('POST', `/api/incidents/${id}/assign`, {
    cookie: dispatcher,
    body: { workerId: 'w-a' },
  });
  expect(assign.status).toBe(200);
  return id;
}

const act = (id: string, body: Record<string, unknown>, cookie = grid01) =>
  k.api('POST', `/api/m/tasks/${id}/action`, { cookie, body });

const events = (id: string, type: string) =>
  count(
    sql`SELECT COUNT(*) AS n FROM incident_events WHERE incident_id = ${id} AND actor = 'grid01' AND type = ${type}`,
  );

describe('task actions from the phone, once per key', () => {
  it('resolves once when the same 办结 (with its photo) is sent twice and twice at once', async () => {
    const id = await newTask('重发办结');
    const photo = await k.upload(grid01, await phonePhoto(41));
    const resolve = { key: randomUUID(), action: 'resolve', note: '已清理', photos: [photo.body.hash] };
    const [a, b] = await Promise.all([act(id, resolve), act(id, resolve)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect([a.body.isDuplicate, b.body.isDuplicate].sort()).toEqual([false, true]);
    const again = await act(id, resolve);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ ok: true, isDuplicate: true, task: { state: 'resolved' } });
    expect(await events(id, 'transition')).toBe(1);
    expect(
      await count(
        sql`SELECT COUNT(*) AS n FROM audit_log WHERE actor = 'grid01' AND object_id = ${id} AND action = 'incident.transition'`,
      ),
    ).toBe(1);
    expect(await count(sql`SELECT COUNT(*) AS n FROM incident_attachments WHERE incident_id = ${id}`)).toBe(
      1,
    );
    expect(await count(sql`SELECT COUNT(*) AS n FROM worker_actions WHERE key = ${resolve.key}`)).toBe(1);
    expect(k.t.app.ctx.live.incidents.get(id)?.state).toBe('resolved');
  });

  it('records a note and an accept once per key, and each new key as its own', async () => {
    const id = await newTask('重发补充');
    const note = { key: randomUUID(), action: 'note', note: '摊贩已劝离' };
    for (let i = 0; i < 3; i++) expect((await act(id, note)).status).toBe(200);
    expect(await events(id, 'note')).toBe(1);
    expect((await act(id, { ...note, key: randomUUID() })).status).toBe(200);
    expect(await events(id, 'note')).toBe(2);
    const accept = { key: randomUUID(), action: 'accept' };
    expect((await act(id, accept)).body.task.isAccepted).toBe(true);
    expect((await act(id, accept)).body.isDuplicate).toBe(true);
    expect(await events(id, 'accept')).toBe(1);
    expect(
      await count(
        sql`SELECT COUNT(*) AS n FROM audit_log WHERE actor = 'grid01' AND object_id = ${id} AND action IN ('incident.worker_note', 'incident.worker_accept')`,
      ),
    ).toBe(3);
    // Done with it: a worker holds one open task at a time.
    expect((await act(id, { key: randomUUID(), action: 'resolve' })).status).toBe(200);
  });

  it('refuses a key used for another action, task or worker, and keeps a refused action’s key unused', async () => {
    const id = await newTask('编号复用');
    const key = randomUUID();
    expect((await act(id, { key, action: 'arrive' })).status).toBe(200);
    const reusedAction = await act(id, { key, action: 'resolve' });
    expect(reusedAction.status).toBe(409);
    expect(reusedAction.body.details.reason).toBe('key_reused');
    // Another worker with someone else's task: answered as missing before any key is looked at.
    expect((await act(id, { key, action: 'arrive' }, grid02)).status).toBe(404);
    expect(k.t.app.ctx.live.incidents.get(id)?.state).toBe('on_scene');

    // The centre takes the task back (退单 to the dispatcher): the phone's queued 办结 is refused, and its key
    // stays unused.
    const back = await k.api('POST', `/api/incidents/${id}/transition`, {
      cookie: dispatcher,
      body: { to: 'returned', note: '改派' },
    });
    expect(back.status).toBe(200);
    const late = { key: randomUUID(), action: 'resolve' };
    expect((await act(id, late)).status).toBe(404);
    expect(await count(sql`SELECT COUNT(*) AS n FROM worker_actions WHERE key = ${late.key}`)).toBe(0);
    expect(k.t.app.ctx.live.incidents.get(id)?.state).toBe('returned');

    // The same key on the worker's next task is not taken as that task's.
    const other = await newTask('另一任务');
    const reusedTask = await act(other, { key, action: 'arrive' });
    expect(reusedTask.status).toBe(409);
    expect(reusedTask.body.details.reason).toBe('key_reused');
    expect(k.t.app.ctx.live.incidents.get(other)?.state).toBe('dispatched');
  });

  it('keeps the phone’s photo limit the server’s', () => {
    expect(MAX_PHOTO_BYTES).toBe(MAX_UPLOAD_BYTES);
  });
});
