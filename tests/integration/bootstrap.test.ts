import { sql } from 'drizzle-orm';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '@/lib/clock';
import { DEFAULT_TIME_LIMITS, setActiveTimeLimits } from '@/lib/domain/time-limits';
import { TIME_LIMITS_META_KEY, readTimeLimits } from '@/server/admin/time-limit-settings';
import { TOKEN_TOUCH_EVERY_MS } from '@/server/auth/auth';
import { LoginLimiter } from '@/server/auth/login-limiter';
import { ConfigError, loadConfig } from '@/server/config';
import { dispatchAppHooks } from '@/server/dispatch/dispatch-module';
import { createMapRoutes } from '@/server/http/routes/map';
import { INCIDENT_COLUMNS, toIncidentView, type IncidentRow } from '@/server/dispatch/incident-view';
import { startTestApp, waitFor, type TestApp } from '../helpers/test-app';

/**
 * A deployment's first hour: a production start (no DEMO, SESSION_SECRET set) on a fresh database has no
 * account; `npm run user -- create` makes the first admin, who signs in and runs the admin API. Every
 * admin route refuses other roles, writes its audit row with before/after, and a time-limit change moves
 * an incident's lamp without a restart.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
const SECRET = 'a-production-session-secret-of-40-chars!';
const AUDIT_KEY = 'a-production-audit-key-kept-off-the-database';
const ADMIN_PASSWORD = 'first-admin-pass';
const MIN = 60_000;

// Tests assert on response shapes structurally; typing every body would only restate the routes.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = any;

let t: TestApp;
let clock: FakeClock;
let dbPath: string;

/** `npm run user -- …` as an operator runs it (tsx, its own process, the same database). */
function userCli(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number; out: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'scripts/user.ts', ...args],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          // The app's own database: its PostgreSQL one under PINGAN_TEST_DB=postgres ('' leaves SQLite's file).
          DATABASE_URL: t.app.ctx.config.DATABASE_URL ?? '',
          DATABASE_PATH: dbPath,
          PINGAN_PASSWORD: '',
          AUDIT_KEY,
          ...env,
        },
      },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
    );
  });
}

async function api(method: string, p: string, o: { cookie?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = {};
  if (o.cookie) headers.cookie = o.cookie;
  if (o.body !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(`${t.url}${p}`, {
    method,
    headers,
    body: o.body === undefined ? undefined : JSON.stringify(o.body),
  });
  const text = await r.text();
  let body: Body = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: r.status, body, cookie: r.headers.get('set-cookie')?.split(';')[0] };
}

async function login(username: string, password: string): Promise<string> {
  const r = await api('POST', '/api/session', { body: { username, password } });
  if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.cookie!;
}

function auditRows(action: string, objectId?: string) {
  return t.app.ctx.sql.all<{
    actor: string;
    objectId: string;
    beforeJson: string | null;
    afterJson: string | null;
    result: string;
  }>(
    sql`SELECT actor, action, object_id AS "objectId", before AS "beforeJson", after AS "afterJson", result
        FROM audit_log WHERE action = ${action} AND result = 'ok'
        ${objectId === undefined ? sql`` : sql`AND object_id = ${objectId}`} ORDER BY id`,
  );
}

beforeAll(async () => {
  dbPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-boot-')), 'pingan.db');
  clock = new FakeClock(Date.parse('2026-12-02T08:00:00Z'));
  const hooks = dispatchAppHooks({ limiter: new LoginLimiter(10_000) });
  t = await startTestApp({
    dbPath,
    clock,
    auth: hooks.auth,
    routes: (ctx) => [...hooks.routes(ctx), ...createMapRoutes({ db: ctx.sql, config: ctx.config })],
    env: { NODE_ENV: 'production', SESSION_SECRET: SECRET, AUDIT_KEY },
  });
}, 30_000);
afterAll(async () => {
  await t?.close();
  setActiveTimeLimits(DEFAULT_TIME_LIMITS);
});

describe('first start in production', () => {
  it('refuses to start without SESSION_SECRET or AUDIT_KEY outside demo mode', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DATABASE_PATH: dbPath, AUDIT_KEY })).toThrow(
      /SESSION_SECRET/,
    );
    expect(() => loadConfig({ NODE_ENV: 'production', SESSION_SECRET: SECRET })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production', SESSION_SECRET: SECRET })).toThrow(/AUDIT_KEY/);
    expect(loadConfig({ NODE_ENV: 'production', SESSION_SECRET: SECRET, AUDIT_KEY }).DEMO).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', DEMO: '1' }).AUDIT_KEY).toBeUndefined();
  });

  it('has no account, and npm run user creates the first admin, who signs in', async () => {
    expect(await t.app.ctx.sql.get(sql`SELECT COUNT(*) AS n FROM users`)).toEqual({ n: 0 });
    expect(
      (await api('POST', '/api/session', { body: { username: 'admin', password: ADMIN_PASSWORD } })).status,
    ).toBe(401);

    // No password and no terminal: a clear error, nothing created.
    const noPassword = await userCli(['create', 'admin', 'admin']);
    expect(noPassword.code).toBe(2);
    expect(noPassword.out).toContain('PINGAN_PASSWORD');
    const weak = await userCli(['create', 'admin', 'admin'], { PINGAN_PASSWORD: 'short' });
    expect(weak.code).toBe(2);
    expect(weak.out).toContain('密码至少 10 位');
    expect((await userCli(['create', 'x', 'boss'], { PINGAN_PASSWORD: ADMIN_PASSWORD })).code).toBe(2);

    const created = await userCli(['create', 'admin', 'admin'], { PINGAN_PASSWORD: ADMIN_PASSWORD });
    expect(created.out).toContain('created admin admin');
    expect(created.code).toBe(0);
    const again = await userCli(['create', 'admin', 'admin'], { PINGAN_PASSWORD: ADMIN_PASSWORD });
    expect(again.code).toBe(2);
    expect(again.out).toContain('exists');
    expect(await auditRows('user.create', 'admin')).toMatchObject([{ actor: 'cli', result: 'ok' }]);

    const cookie = await login('admin', ADMIN_PASSWORD);
    const me = await api('GET', '/api/session', { cookie });
    expect(me.body).toMatchObject({ username: 'admin', role: 'admin', isDisplay: false, regionCode: null });
    expect((await userCli(['list'])).out).toMatch(/admin\tadmin\t-\tenabled/);
  }, 120_000);
});

describe('accounts', () => {
  let admin: string;
  beforeAll(async () => {
    admin = await login('admin', ADMIN_PASSWORD);
  });

  it('creates a scoped user whose session carries the region; refuses bad input in Chinese', async () => {
    const bad = await api('POST', '/api/users', {
      cookie: admin,
      body: { username: 'ops', role: 'dispatcher', password: 'secret-ops-1', regionCode: '3301' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('区域代码');
    const r = await api('POST', '/api/users', {
      cookie: admin,
      body: {
        username: 'ops',
        role: 'dispatcher',
        password: 'secret-ops-1',
        displayName: '调度一',
        regionCode: '330102000000',
      },
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ username: 'ops', regionCode: '330102000000', disabledAt: null });
    expect(
      (await api('POST', '/api/users', { cookie: admin, body: { ...r.body, password: 'secret-ops-1' } }))
        .status,
    ).toBe(409);
    const ops = await login('ops', 'secret-ops-1');
    expect((await api('GET', '/api/session', { cookie: ops })).body.regionCode).toBe('330102000000');
    const [row] = await auditRows('user.create', 'ops');
    expect(JSON.parse(row!.afterJson!)).toMatchObject({ username: 'ops', role: 'dispatcher' });
    expect(row!.afterJson).not.toContain('secret-ops-1');
  });

  it('refuses every admin route to other roles, and audits the denial', async () => {
    const ops = await login('ops', 'secret-ops-1');
    const attempts: [string, string, unknown?][] = [
      ['GET', '/api/users'],
      ['POST', '/api/users', { username: 'x1', role: 'admin', password: 'secret-x-123' }],
      ['PUT', '/api/users/ops', { role: 'admin' }],
      ['POST', '/api/users/admin/disable', {}],
      ['POST', '/api/users/admin/password', { password: 'hijacked-pass' }],
      ['GET', '/api/display-tokens'],
      ['POST', '/api/display-tokens', { name: 'x' }],
      ['GET', '/api/admin/departments'],
      ['POST', '/api/admin/departments', { id: 'x', name: 'x', kind: 'fire', categories: [] }],
      ['GET', '/api/admin/time-limits'],
      ['PUT', '/api/admin/time-limits', { yellowRatio: 0.5 }],
    ];
    for (const [method, p, body] of attempts) {
      expect((await api(method, p, { cookie: ops, body })).status, `${method} ${p}`).toBe(403);
      expect((await api(method, p, { body })).status, `${method} ${p} anonymous`).toBe(401);
    }
    // A denied write names who tried: an audit row. A denied read is counted per minute (audit_denials).
    // Both are written after the refusal is answered, in their own transactions: waited for, then counted.
    const writes = attempts.filter(([method]) => method !== 'GET').length;
    const reads = attempts.length - writes;
    const counted = () =>
      t.app.ctx.sql.get<{ denied: number; reads: number | null }>(
        sql`SELECT (SELECT COUNT(*) FROM audit_log WHERE actor = 'ops' AND result = 'denied') AS denied,
                   (SELECT SUM(count) FROM audit_denials WHERE actor = 'ops' AND kind = 'read.denied') AS reads`,
      );
    await waitFor(
      async () => {
        const n = (await counted())!;
        return n.denied >= writes && (n.reads ?? 0) >= reads;
      },
      5_000,
      'denials stored',
    );
    expect(await counted()).toEqual({ denied: writes, reads });
    expect((await api('GET', '/api/session', { cookie: admin })).body.role).toBe('admin');
  });

  it('disabling signs the user out at once and refuses sign-in; enabling restores it', async () => {
    const ops = await login('ops', 'secret-ops-1');
    const r = await api('POST', '/api/users/ops/disable', { cookie: admin, body: {} });
    expect(r.status).toBe(200);
    expect(r.body.disabledAt).toBe(clock.now());
    expect((await api('GET', '/api/session', { cookie: ops })).status).toBe(401);
    const refused = await api('POST', '/api/session', {
      body: { username: 'ops', password: 'secret-ops-1' },
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toContain('停用');
    // A wrong password on a disabled account reads like any wrong password.
    expect(
      (await api('POST', '/api/session', { body: { username: 'ops', password: 'wrong-pass-1' } })).status,
    ).toBe(401);
    const [row] = await auditRows('user.disable', 'ops');
    expect(JSON.parse(row!.beforeJson!).disabledAt).toBeNull();
    expect(JSON.parse(row!.afterJson!).disabledAt).toBe(clock.now());

    expect((await api('POST', '/api/users/ops/enable', { cookie: admin, body: {} })).status).toBe(200);
    await login('ops', 'secret-ops-1');
    expect(await auditRows('user.enable', 'ops')).toHaveLength(1);
  });

  it('resets a password (old sessions end), changes role and scope, and never loses the last admin', async () => {
    const ops = await login('ops', 'secret-ops-1');
    const short = await api('POST', '/api/users/ops/password', {
      cookie: admin,
      body: { password: 'short' },
    });
    expect(short.status).toBe(400);
    expect(short.body.error).toContain('10');
    expect(
      (await api('POST', '/api/users/ops/password', { cookie: admin, body: { password: 'new-ops-pass' } }))
        .status,
    ).toBe(200);
    expect((await api('GET', '/api/session', { cookie: ops })).status).toBe(401);
    expect(
      (await api('POST', '/api/session', { body: { username: 'ops', password: 'secret-ops-1' } })).status,
    ).toBe(401);
    await login('ops', 'new-ops-pass');
    expect((await auditRows('user.reset_password', 'ops'))[0]!.afterJson).not.toContain('new-ops-pass');

    const changed = await api('PUT', '/api/users/ops', {
      cookie: admin,
      body: { role: 'leader', regionCode: null },
    });
    expect(changed.body).toMatchObject({ role: 'leader', regionCode: null, displayName: '调度一' });
    const [upd] = await auditRows('user.update', 'ops');
    expect(JSON.parse(upd!.beforeJson!)).toMatchObject({ role: 'dispatcher', regionCode: '330102000000' });
    expect(JSON.parse(upd!.afterJson!)).toMatchObject({ role: 'leader', regionCode: null });

    const selfLockout = await api('POST', '/api/users/admin/disable', { cookie: admin, body: {} });
    expect(selfLockout.status).toBe(409);
    expect((await api('PUT', '/api/users/admin', { cookie: admin, body: { role: 'duty' } })).status).toBe(
      409,
    );
    expect((await api('POST', '/api/users/nobody/disable', { cookie: admin, body: {} })).status).toBe(404);
  });
});

describe('display tokens', () => {
  it('authenticates a wall read-only with its region, records last use once a minute, and stops when revoked', async () => {
    const admin = await login('admin', ADMIN_PASSWORD);
    const r = await api('POST', '/api/display-tokens', {
      cookie: admin,
      body: { name: '指挥大厅主屏', regionCode: '330102000000' },
    });
    expect(r.status).toBe(201);
    expect(r.body.url).toBe(`/wall/330102000000?token=${encodeURIComponent(r.body.token)}`);
    expect(r.body.lastUsedAt).toBeNull();
    const token: string = r.body.token;
    const lastUsed = async () =>
      (await t.app.ctx.sql.get<{ v: number | null }>(
        sql`SELECT last_used_at AS v FROM display_tokens WHERE id = ${r.body.id}`,
      ))!.v;

    const me = await api('GET', `/api/session?token=${encodeURIComponent(token)}`);
    expect(me.body).toMatchObject({ role: 'duty', isDisplay: true, regionCode: '330102000000' });
    const first = clock.now();
    expect(await lastUsed()).toBe(first);
    clock.advance(TOKEN_TOUCH_EVERY_MS - 1);
    await api('GET', `/api/session?token=${encodeURIComponent(token)}`);
    expect(await lastUsed()).toBe(first);
    clock.advance(1);
    await api('GET', `/api/session?token=${encodeURIComponent(token)}`);
    expect(await lastUsed()).toBe(clock.now());
    const listed = await api('GET', '/api/display-tokens', { cookie: admin });
    expect(listed.body.tokens.find((x: Body) => x.id === r.body.id)).toMatchObject({
      lastUsedAt: clock.now(),
    });
    expect(JSON.stringify(listed.body)).not.toContain(token);

    expect((await api('DELETE', `/api/display-tokens/${r.body.id}`, { cookie: admin })).status).toBe(200);
    expect((await api('GET', `/api/session?token=${encodeURIComponent(token)}`)).status).toBe(401);
    expect((await api('DELETE', `/api/display-tokens/${r.body.id}`, { cookie: admin })).status).toBe(404);
    expect((await auditRows('display_token.create', String(r.body.id)))[0]!.afterJson).not.toContain(token);
    expect(
      JSON.parse((await auditRows('display_token.revoke', String(r.body.id)))[0]!.afterJson!).revokedAt,
    ).toBe(clock.now());
  });
});

describe('departments', () => {
  it('creates and edits a department with inline-ready errors, audited before and after', async () => {
    const admin = await login('admin', ADMIN_PASSWORD);
    const body = {
      id: 'd-justice-1',
      name: '清波司法所',
      kind: 'justice',
      regionCode: '330102001000',
      phone: '0571-8888 0000',
      categories: ['dispute', 'petition'],
    };
    const bad = await api('POST', '/api/admin/departments', {
      cookie: admin,
      body: { ...body, kind: 'army' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('请选择类型');
    expect((await api('POST', '/api/admin/departments', { cookie: admin, body })).status).toBe(201);
    expect((await api('POST', '/api/admin/departments', { cookie: admin, body })).status).toBe(409);
    const edited = await api('PUT', '/api/admin/departments/d-justice-1', {
      cookie: admin,
      body: { ...body, name: '清波街道司法所', categories: ['dispute'] },
    });
    expect(edited.body).toMatchObject({ id: 'd-justice-1', name: '清波街道司法所', categories: ['dispute'] });
    const list = await api('GET', '/api/admin/departments', { cookie: admin });
    expect(list.body.departments).toEqual([edited.body]);
    const [row] = await auditRows('department.update', 'd-justice-1');
    expect(JSON.parse(row!.beforeJson!).name).toBe('清波司法所');
    expect(JSON.parse(row!.afterJson!).name).toBe('清波街道司法所');
    expect((await api('PUT', '/api/admin/departments/nope', { cookie: admin, body })).status).toBe(404);
  });
});

describe('time limits', () => {
  async function addIncident(id: string, priority: number, receivedAt: number) {
    await t.app.ctx.sql.run(
      sql`INSERT INTO incidents (id, category, title, lng, lat, priority, source, reported_at, received_at, grid_code, state, supervision, updated_at)
          VALUES (${id}, 'dispute', ${`测试 ${id}`}, 120.17, 30.25, ${priority}, 'hotline_12345', ${receivedAt}, ${receivedAt},
                  '330102001001001', 'reported', 0, ${receivedAt})`,
    );
    const row = await t.app.ctx.sql.get<IncidentRow>(
      sql`SELECT ${sql.raw(INCIDENT_COLUMNS)} FROM incidents WHERE id = ${id}`,
    );
    t.app.ctx.live.incidents.upsert(toIncidentView(row!));
  }

  it('a change moves the lamp of an open incident at once, is audited, and is stored for the next start', async () => {
    const admin = await login('admin', ADMIN_PASSWORD);
    // 特急, received 4 minutes ago, not accepted: past the default 3-minute accept limit.
    await addIncident('tl-1', 1, clock.now() - 4 * MIN);
    const lamp = async () =>
      (await api('GET', '/api/incidents/tl-1', { cookie: admin })).body.timeLimits.lamp;
    expect(await lamp()).toBe('red');

    const current = await api('GET', '/api/admin/time-limits', { cookie: admin });
    expect(current.body).toMatchObject({
      yellowRatio: 0.8,
      updatedAt: null,
      minutes: { '1': { accept: 3 } },
    });

    const disordered = await api('PUT', '/api/admin/time-limits', {
      cookie: admin,
      body: {
        ...current.body,
        minutes: { ...current.body.minutes, '1': { accept: 30, onScene: 15, resolve: 120 } },
      },
    });
    expect(disordered.status).toBe(400);
    expect(disordered.body.error).toContain('受理 ≤ 到场 ≤ 办结');
    expect(
      (await api('PUT', '/api/admin/time-limits', { cookie: admin, body: { yellowRatio: 1.5 } })).status,
    ).toBe(400);

    const saved = await api('PUT', '/api/admin/time-limits', {
      cookie: admin,
      body: { yellowRatio: 0.5, minutes: { '1': { accept: 5, onScene: 15, resolve: 120 } } },
    });
    expect(saved.status).toBe(200);
    // 4 of 5 minutes used, over the 50 % yellow ratio.
    expect(await lamp()).toBe('yellow');
    expect((await api('GET', '/api/time-limits', { cookie: admin })).body.byPriority['1'].accept).toBe(
      5 * MIN,
    );
    const world = await api('GET', '/api/map/world.json');
    expect(world.body.timeLimits).toMatchObject({
      yellowRatio: 0.5,
      byPriority: { '1': { accept: 5 * MIN } },
    });

    const [row] = await auditRows('time_limits.update');
    expect(JSON.parse(row!.beforeJson!)).toMatchObject({
      yellowRatio: 0.8,
      'p1.accept': 3,
      'p4.onScene': null,
    });
    expect(JSON.parse(row!.afterJson!)).toMatchObject({ yellowRatio: 0.5, 'p1.accept': 5, 'p2.accept': 10 });
    expect((await readTimeLimits(t.app.ctx.sql)).config.byPriority[1].accept).toBe(5 * MIN);
    expect(
      await t.app.ctx.sql.get(sql`SELECT key FROM meta WHERE key = ${TIME_LIMITS_META_KEY}`),
    ).toBeTruthy();
  });
});
