import { sql } from 'drizzle-orm';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '@/lib/clock';
import { CALLBACK_MAX_ATTEMPTS, CALLBACK_MAX_DELAY_MS } from '@/lib/hotline/callback';
import { seedDemoAccounts } from '@/server/auth/accounts';
import { LoginLimiter } from '@/server/auth/login-limiter';
import { dispatchAppHooks } from '@/server/dispatch/dispatch-module';
import { createHotlineModule, type HotlineModule } from '@/server/hotline/hotline-module';
import { signCallback, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '@/server/hotline/callback-outbox';
import { startTestApp, type TestApp } from '../helpers/test-app';

const TOKEN = 'hotline-token-0123456789';
const PASSWORD = 'pingan-demo';

/** The 12345 platform's callback endpoint: a real local HTTP server that records what it is sent. */
const platform = {
  server: http.createServer(),
  received: [] as { body: string; signature: string; timestamp: string }[],
  status: 200,
};

let t: TestApp;
let clock: FakeClock;
let hotline: HotlineModule;

const order = (orderNo: string, over: Record<string, unknown> = {}) => ({
  orderNo,
  appealType: '投诉',
  content: '清泰街夜市占道经营，噪音扰民至凌晨',
  callerName: '李女士',
  callerNumber: '13912345678',
  address: '上城区清泰街 100 号',
  location: { lng: 120.175, lat: 30.247, crs: 'gcj02' },
  acceptedAt: new Date(clock.now() - 60_000).toISOString(),
  urgency: '紧急',
  ...over,
});

async function api(
  method: string,
  path: string,
  o: { cookie?: string; body?: unknown; token?: string } = {},
) {
  const headers: Record<string, string> = {};
  if (o.cookie) headers.cookie = o.cookie;
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  if (o.body !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(`${t.url}${path}`, {
    method,
    headers,
    body: o.body === undefined ? undefined : JSON.stringify(o.body),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response shapes are asserted structurally
  return { status: r.status, body: (await r.json()) as any };
}

async function login(username: string) {
  const r = await fetch(`${t.url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  expect(r.status).toBe(200);
  return r.headers.get('set-cookie')!.split(';')[0]!;
}

/** Callbacks received so far, parsed. */
const callbacks = () => platform.received.map((r) => JSON.parse(r.body) as Record<string, unknown>);

beforeAll(async () => {
  platform.server.on('request', (req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      if (platform.status === 200)
        platform.received.push({
          body,
          signature: String(req.headers[SIGNATURE_HEADER]),
          timestamp: String(req.headers[TIMESTAMP_HEADER]),
        });
      res.writeHead(platform.status).end(platform.status === 200 ? '{"code":0}' : 'busy');
    });
  });
  await new Promise<void>((r) => platform.server.listen(0, '127.0.0.1', r));
  const port = (platform.server.address() as AddressInfo).port;
  clock = new FakeClock(Date.now());
  const hooks = dispatchAppHooks({ limiter: new LoginLimiter(10_000) });
  t = await startTestApp({
    clock,
    auth: hooks.auth,
    routes: (ctx) => {
      const routes = hooks.routes(ctx);
      hotline = createHotlineModule(ctx, hooks.module()!);
      return [...routes, ...hotline.routes];
    },
    env: { HOTLINE_TOKEN: TOKEN, HOTLINE_CALLBACK_URL: `http://127.0.0.1:${port}/callback` },
  });
  await seedDemoAccounts(t.app.ctx.sql, clock, PASSWORD);
  // The tests drive the outbox tick by tick; its own 1 s timer would race them (a pass under way makes the
  // test's pass return 0: seen once in a full run on a loaded machine).
  hotline.outbox.close();
});

afterAll(async () => {
  hotline?.close();
  await t?.close();
  await new Promise((r) => platform.server.close(r));
});

describe('12345 adapter', () => {
  it('refuses a push without its own token (the ingest token is not it)', async () => {
    const r = await api('POST', '/api/ingest/hotline', {
      body: order('GD-X'),
      token: 'wrong-token-0123456789',
    });
    expect(r.status).toBe(401);
  });

  it('takes a work order as an incident once; a replay is a duplicate; a bad order says why', async () => {
    const first = await api('POST', '/api/ingest/hotline', { body: order('GD20261203001'), token: TOKEN });
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ accepted: 1, duplicates: 0 });
    const incidentId = first.body.orders[0].incidentId as string;

    const again = await api('POST', '/api/ingest/hotline', {
      body: [order('GD20261203001'), order('GD-BAD', { appealType: '表扬' })],
      token: TOKEN,
    });
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(again.body.orders[0]).toMatchObject({ incidentId, isDuplicate: true });
    expect(again.body.rejected).toEqual([
      { index: 1, reason: 'appealType:custom', message: '诉求类型 must be 咨询/求助/投诉/举报/建议' },
    ]);
    const rows = await t.app.ctx.sql.all<{ id: string; appealType: string; lng: number; phone: string }>(
      sql`SELECT id, appeal_type AS "appealType", lng, phone FROM incidents WHERE source = 'hotline_12345'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: incidentId, appealType: 'complaint', phone: '13912345678' });
    // GCJ-02 in, WGS-84 stored: the offset in Hangzhou is ~0.005° of longitude.
    expect(Math.abs(rows[0]!.lng - 120.175)).toBeGreaterThan(0.003);

    const health = await api('GET', '/api/health');
    expect(health.body.ingest.rejected).toMatchObject({
      'http:hotline/duplicate': 1,
      'http:hotline/appealType:custom': 1,
    });
  });

  it('answers arbitrary bodies with a reason, never a crash, and creates nothing from them', async () => {
    const incidentCount = () => t.app.ctx.sql.get(sql`SELECT COUNT(*) AS n FROM incidents`);
    const before = await incidentCount();
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.json(), fc.string()), async (text) => {
        const r = await fetch(`${t.url}/api/ingest/hotline`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: text,
        });
        expect([400, 413]).toContain(r.status);
        const body = (await r.json()) as { rejected: { reason: string }[] };
        expect(body.rejected.length).toBeGreaterThan(0);
      }),
      { numRuns: 150 },
    );
    expect(await incidentCount()).toEqual(before);
  });

  it('masks the caller number for the duty officer and shows it to the dispatcher', async () => {
    const duty = await login('duty');
    const dispatcher = await login('dispatcher');
    const forDuty = await api('GET', '/api/incidents/GD20261203001/hotline', { cookie: duty });
    expect(forDuty.status).toBe(200);
    expect(forDuty.body).toMatchObject({
      appealType: 'complaint',
      callerNumber: '139****5678',
      callerName: null,
    });
    const incident = await api('GET', '/api/incidents/GD20261203001', { cookie: duty });
    expect(incident.body.incident.phone).toBeNull();
    const forDispatcher = await api('GET', '/api/incidents/GD20261203001/hotline', { cookie: dispatcher });
    expect(forDispatcher.body).toMatchObject({ callerNumber: '13912345678', orderNo: 'GD20261203001' });
    // A duty officer reads, never replies.
    const denied = await api('POST', '/api/incidents/GD20261203001/reply', {
      cookie: duty,
      body: { text: 'x' },
    });
    expect(denied.status).toBe(403);
  });

  it('calls the platform back, signed, on 受理 and on the reply to the citizen', async () => {
    const dispatcher = await login('dispatcher');
    const accepted = await api('POST', '/api/incidents/GD20261203001/transition', {
      cookie: dispatcher,
      body: { to: 'accepted' },
    });
    expect(accepted.status).toBe(200);
    const reply = await api('POST', '/api/incidents/GD20261203001/reply', {
      cookie: dispatcher,
      body: { text: '已联系城管中队，今晚起夜间巡查', appealType: 'complaint' },
    });
    expect(reply.status).toBe(200);
    expect(reply.body.reply).toMatchObject({ text: '已联系城管中队，今晚起夜间巡查', by: 'dispatcher' });
    expect(await hotline.outbox.tick()).toBe(2);
    expect(callbacks().map((c) => c.stage)).toEqual(['accept', 'reply']);
    expect(callbacks()[1]).toMatchObject({
      orderNo: 'GD20261203001',
      stageLabel: '回复',
      reply: { text: '已联系城管中队，今晚起夜间巡查' },
    });
    for (const r of platform.received) expect(r.signature).toBe(signCallback(TOKEN, r.timestamp, r.body));
    // Delivered ones are not sent again.
    expect(await hotline.outbox.tick()).toBe(0);
    expect(platform.received).toHaveLength(2);
  });

  it('retries a failing callback with backoff, then lists it as a dead letter an admin can retry', async () => {
    let dispatcher = await login('dispatcher');
    platform.status = 503;
    const r = await api('POST', '/api/incidents/GD20261203001/reply', {
      cookie: dispatcher,
      body: { text: '补充答复：已处理完毕' },
    });
    expect(r.status).toBe(200);
    expect(await hotline.outbox.tick()).toBe(0);
    let row = (await t.app.ctx.sql.get<{ state: string; attempts: number; nextAt: number }>(
      sql`SELECT state, attempts, next_at AS "nextAt" FROM hotline_callbacks ORDER BY id DESC LIMIT 1`,
    ))!;
    expect(row).toMatchObject({ state: 'pending', attempts: 1 });
    expect(row.nextAt).toBeGreaterThan(clock.now());
    // Not due yet: nothing is sent.
    await hotline.outbox.tick();
    expect(await t.app.ctx.sql.get(sql`SELECT MAX(attempts) AS a FROM hotline_callbacks`)).toEqual({ a: 1 });
    for (let k = 1; k < CALLBACK_MAX_ATTEMPTS; k++) {
      clock.advance(CALLBACK_MAX_DELAY_MS);
      await hotline.outbox.tick();
    }
    row = (await t.app.ctx.sql.get<typeof row>(
      sql`SELECT state, attempts FROM hotline_callbacks ORDER BY id DESC LIMIT 1`,
    ))!;
    expect(row).toMatchObject({ state: 'dead', attempts: CALLBACK_MAX_ATTEMPTS });

    // Hours passed on the fake clock: the sessions went idle.
    dispatcher = await login('dispatcher');
    const admin = await login('admin');
    expect((await api('GET', '/api/admin/hotline/dead-letters', { cookie: dispatcher })).status).toBe(403);
    const dead = await api('GET', '/api/admin/hotline/dead-letters', { cookie: admin });
    expect(dead.status).toBe(200);
    expect(dead.body.total).toBe(1);
    expect(dead.body.items[0]).toMatchObject({
      orderNo: 'GD20261203001',
      lastError: expect.stringContaining('503'),
    });

    platform.status = 200;
    const retry = await api('POST', `/api/admin/hotline/dead-letters/${dead.body.items[0].id}/retry`, {
      cookie: admin,
    });
    expect(retry.status).toBe(200);
    expect(await hotline.outbox.tick()).toBe(1);
    expect(callbacks().at(-1)).toMatchObject({ stage: 'reply', reply: { text: '补充答复：已处理完毕' } });
    expect((await api('GET', '/api/admin/hotline/dead-letters', { cookie: admin })).body.total).toBe(0);
    const audit = await t.app.ctx.sql.get(
      sql`SELECT COUNT(*) AS n FROM audit_log WHERE action = 'hotline.retry' AND result = 'ok'`,
    );
    expect(audit).toEqual({ n: 1 });
  });
});
