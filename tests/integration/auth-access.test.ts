import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as ioClient } from 'socket.io-client';
import { LoginLimiter } from '@/server/auth/login-limiter';
import { LOCK_AFTER_FAILURES } from '@/server/auth/session-routes';
import { SESSION_IDLE_MS } from '@/server/auth/session-store';
import { waitFor } from '../helpers/test-app';
import { startDispatchKit, type DispatchKit } from './dispatch-test-kit';

let kit: DispatchKit;
const cookies: Record<string, string> = {};

beforeAll(async () => {
  kit = await startDispatchKit();
  for (const u of ['admin', 'leader', 'dispatcher', 'duty']) cookies[u] = await kit.login(u);
  await kit.addIncident('a-1');
});
afterAll(() => kit?.close());

const WRITES: [string, unknown][] = [
  ['/api/incidents/a-1/assign', { departmentId: 'd-fire' }],
  ['/api/incidents/a-1/transition', { to: 'accepted' }],
  ['/api/incidents/a-1/supervise', { level: 1 }],
  ['/api/incidents/a-1/follow-up', { satisfaction: 3 }],
];
const READS = [
  '/api/incidents',
  '/api/incidents/a-1',
  '/api/incidents/a-1/recommendations',
  '/api/supervision',
  '/api/departments',
  '/api/vehicles/x',
];

describe('HTTP authorisation', () => {
  it('refuses every dispatch read and write without a session', async () => {
    for (const path of READS) expect((await kit.api('GET', path)).status, path).toBe(401);
    for (const [path, body] of WRITES) expect((await kit.api('POST', path, { body })).status, path).toBe(401);
    expect((await kit.api('GET', '/api/audit/verify')).status).toBe(401);
    // A forged cookie is no session either.
    expect((await kit.api('GET', '/api/incidents', { cookie: 'pingan_session=abc.def' })).status).toBe(401);
  });

  it('refuses wrong roles and writes the denial to the audit log', async () => {
    expect((await kit.api('POST', WRITES[0]![0], { cookie: cookies.duty, body: WRITES[0]![1] })).status).toBe(
      403,
    );
    expect(
      (await kit.api('POST', WRITES[0]![0], { cookie: cookies.admin, body: WRITES[0]![1] })).status,
    ).toBe(403);
    expect(
      (await kit.api('POST', WRITES[0]![0], { cookie: cookies.leader, body: WRITES[0]![1] })).status,
    ).toBe(403);
    expect((await kit.api('GET', '/api/audit/verify', { cookie: cookies.dispatcher })).status).toBe(403);
    expect((await kit.api('GET', '/api/users', { cookie: cookies.leader })).status).toBe(403);
    const denied = () =>
      kit.t.app.ctx.sql.all<{ actor: string }>(
        sql`SELECT actor FROM audit_log WHERE result = 'denied' AND action = 'incident.assign' ORDER BY id`,
      );
    // A denied write is audited just after the refusal is answered (server/auth/guard.ts): on PostgreSQL
    // the last row may still be on its way.
    await waitFor(async () => (await denied()).length >= 3, 5_000, 'three denied writes audited');
    expect((await denied()).map((r) => r.actor)).toEqual(['duty', 'admin', 'leader']);
  });

  it('lets duty read but hides the reporter’s personal data from it', async () => {
    const r = await kit.api('GET', '/api/incidents/a-1', { cookie: cookies.duty });
    expect(r.status).toBe(200);
    expect(r.body.incident).toMatchObject({ reporter: null, phone: null });
    const d = await kit.api('GET', '/api/incidents/a-1', { cookie: cookies.dispatcher });
    expect(d.body.incident.phone).toBe('13800000000');
  });

  it('refuses a cross-site write (Origin check)', async () => {
    const r = await kit.api('POST', '/api/incidents/a-1/transition', {
      cookie: cookies.dispatcher,
      body: { to: 'accepted' },
      headers: { origin: 'https://evil.example' },
    });
    expect(r.status).toBe(403);
  });

  it('display tokens read but never write', async () => {
    const created = await kit.api('POST', '/api/display-tokens', {
      cookie: cookies.admin,
      body: { name: '大厅主屏' },
    });
    expect(created.status).toBe(201);
    const token: string = created.body.token;
    expect((await kit.api('GET', `/api/incidents?token=${token}`)).status).toBe(200);
    expect((await kit.api('GET', '/api/incidents', { headers: { 'x-display-token': token } })).status).toBe(
      200,
    );
    expect(
      (await kit.api('POST', `/api/incidents/a-1/transition?token=${token}`, { body: { to: 'accepted' } }))
        .status,
    ).toBe(403);
    await kit.api('DELETE', `/api/display-tokens/${created.body.id}`, { cookie: cookies.admin });
    expect((await kit.api('GET', `/api/incidents?token=${token}`)).status).toBe(401);
  });

  it('signs out, and ends idle sessions', async () => {
    const c = await kit.login('dispatcher');
    expect((await kit.api('GET', '/api/session', { cookie: c })).body.role).toBe('dispatcher');
    await kit.api('DELETE', '/api/session', { cookie: c });
    expect((await kit.api('GET', '/api/session', { cookie: c })).status).toBe(401);

    const idle = await kit.login('dispatcher');
    kit.clock.advance(SESSION_IDLE_MS - 1000);
    // The page's activity ping (a person pressed a key) renews it; reads alone do not.
    expect((await kit.api('POST', '/api/session/activity', { cookie: idle })).status).toBe(200);
    kit.clock.advance(SESSION_IDLE_MS - 1000);
    expect((await kit.api('GET', '/api/session', { cookie: idle })).status).toBe(200);
    kit.clock.advance(SESSION_IDLE_MS + 1000);
    expect((await kit.api('GET', '/api/session', { cookie: idle })).status).toBe(401);
  });

  it('locks an account for the failing source after repeated failures, even against the right password', async () => {
    const admin = await kit.login('admin'); // the idle test above moved the clock past earlier sessions
    for (let k = 0; k < LOCK_AFTER_FAILURES - 1; k++)
      expect(
        (await kit.api('POST', '/api/session', { body: { username: 'leader', password: 'wrong-password' } }))
          .status,
      ).toBe(401);
    expect(
      (await kit.api('POST', '/api/session', { body: { username: 'leader', password: 'wrong-password' } }))
        .status,
    ).toBe(423);
    expect(
      (await kit.api('POST', '/api/session', { body: { username: 'leader', password: 'pingan-demo' } }))
        .status,
    ).toBe(423);
    expect((await kit.api('POST', '/api/users/leader/unlock', { cookie: admin, body: {} })).status).toBe(200);
    expect(
      (await kit.api('POST', '/api/session', { body: { username: 'leader', password: 'pingan-demo' } }))
        .status,
    ).toBe(200);
    // Failed sign-ins are counted per minute (audit_denials), not written to the audit chain one by one.
    const failures = await kit.t.app.ctx.sql.get(
      sql`SELECT SUM(count) AS n FROM audit_denials WHERE kind LIKE 'login.%' AND actor = 'leader'`,
    );
    expect(failures).toEqual({ n: LOCK_AFTER_FAILURES + 1 });
  });
});

describe('login rate limit', () => {
  it('answers 429 past the per-address limit', async () => {
    const strict = await startDispatchKit({ limiter: new LoginLimiter(3) });
    try {
      const codes: number[] = [];
      for (let k = 0; k < 5; k++)
        codes.push(
          (await strict.api('POST', '/api/session', { body: { username: 'x', password: 'y' } })).status,
        );
      expect(codes).toEqual([401, 401, 401, 429, 429]);
    } finally {
      await strict.close();
    }
  });
});

describe('Socket.IO handshake', () => {
  const connect = (opts: { cookie?: string; origin?: string; token?: string }) =>
    new Promise<string>((resolve) => {
      const headers: Record<string, string> = {};
      if (opts.cookie) headers.cookie = opts.cookie;
      if (opts.origin) headers.origin = opts.origin;
      const s = ioClient(kit.t.url, {
        transports: ['websocket'],
        extraHeaders: headers,
        auth: opts.token ? { token: opts.token } : {},
        reconnection: false,
      });
      s.on('connect', () => {
        s.close();
        resolve('connected');
      });
      s.on('connect_error', (e) => {
        s.close();
        resolve(e.message);
      });
    });

  it('refuses a socket without a session, with a forged one or from a foreign origin; admits a signed-in one', async () => {
    cookies.duty = await kit.login('duty');
    cookies.admin = await kit.login('admin');
    expect(await connect({})).toBe('unauthorized');
    expect(await connect({ cookie: 'pingan_session=forged.sig' })).toBe('unauthorized');
    expect(await connect({ cookie: cookies.duty, origin: 'https://evil.example' })).not.toBe('connected');
    expect(await connect({ cookie: cookies.duty })).toBe('connected');
    const created = await kit.api('POST', '/api/display-tokens', {
      cookie: cookies.admin,
      body: { name: '分中心屏' },
    });
    expect(await connect({ token: created.body.token })).toBe('connected');
  });

  it('decides each socket event by role', async () => {
    const { canUseSocketEvent } = await import('@/server/auth/permissions');
    const duty = { username: 'duty', role: 'duty' as const, isDisplay: false };
    expect(canUseSocketEvent(duty, 'wall:subscribe')).toBe(true);
    expect(canUseSocketEvent(null, 'wall:subscribe')).toBe(false);
    expect(canUseSocketEvent(duty, 'incident:assign')).toBe(false);
  });
});
