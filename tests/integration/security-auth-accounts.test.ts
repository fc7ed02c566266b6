import { sql } from 'drizzle-orm';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDispatchKit, type DispatchKit } from './dispatch-test-kit';

/**
 * Issue 16 item 12: a user changes their own password (audited, their other sessions end); admins disable,
 * enable and reset; one password policy wherever a password is set (API and CLI); /metrics behind a bearer
 * token, or loopback-only and never through a proxy.
 */
const NEW_PASSWORD = 'Lantern-river-42';
const WEAK: [string, string][] = [
  ['short', 'short-pw'],
  ['the demo password', 'pingan-demo'],
  ['a well-known password', '1234567890'],
  ['a well-known password', 'password123'],
  ['a well-known password', 'qwertyuiop'],
];

let kit: DispatchKit;
let admin: string;
beforeAll(async () => {
  kit = await startDispatchKit();
  admin = await kit.login('admin');
});
afterAll(() => kit?.close());

describe('own password', () => {
  it('changes it, audits it, ends the other sessions and keeps this one', async () => {
    const here = await kit.login('dispatcher');
    const elsewhere = await kit.login('dispatcher');
    expect(
      (
        await kit.api('POST', '/api/session/password', {
          cookie: here,
          body: { current: 'nope-nope-nope', next: NEW_PASSWORD },
        })
      ).status,
    ).toBe(403);
    for (const [why, weak] of [...WEAK, ['the username', 'Dispatcher'] as const]) {
      const r = await kit.api('POST', '/api/session/password', {
        cookie: here,
        body: { current: 'pingan-demo', next: weak },
      });
      expect(r.status, why).toBe(400);
    }
    const ok = await kit.api('POST', '/api/session/password', {
      cookie: here,
      body: { current: 'pingan-demo', next: NEW_PASSWORD },
    });
    expect(ok.status).toBe(200);
    expect((await kit.api('GET', '/api/session', { cookie: here })).status).toBe(200);
    expect((await kit.api('GET', '/api/session', { cookie: elsewhere })).status).toBe(401);
    expect(
      (await kit.api('POST', '/api/session', { body: { username: 'dispatcher', password: 'pingan-demo' } }))
        .status,
    ).toBe(401);
    expect((await kit.login('dispatcher', NEW_PASSWORD)).length).toBeGreaterThan(0);
    const rows = await kit.t.app.ctx.sql.all<{ actor: string; result: string; after: string | null }>(
      sql`SELECT actor, result, after FROM audit_log WHERE action = 'session.password_change' ORDER BY id`,
    );
    expect(rows.filter((r) => r.result === 'ok').map((r) => r.actor)).toEqual(['dispatcher']);
    expect(JSON.stringify(rows)).not.toContain(NEW_PASSWORD);
  });

  it('refuses a display token and a signed-out caller', async () => {
    const body = { current: 'pingan-demo', next: NEW_PASSWORD };
    expect((await kit.api('POST', '/api/session/password', { body })).status).toBe(401);
  });
});

describe('password policy', () => {
  it('applies to accounts an admin creates and resets', async () => {
    for (const [why, weak] of WEAK) {
      const created = await kit.api('POST', '/api/users', {
        cookie: admin,
        body: { username: 'newbie', role: 'duty', password: weak },
      });
      expect(created.status, why).toBe(400);
      const reset = await kit.api('POST', '/api/users/leader/password', {
        cookie: admin,
        body: { password: weak },
      });
      expect(reset.status, why).toBe(400);
    }
    const sameAsName = await kit.api('POST', '/api/users', {
      cookie: admin,
      body: { username: 'operator01', role: 'duty', password: 'Operator01' },
    });
    expect(sameAsName.status).toBe(400);
    const good = await kit.api('POST', '/api/users', {
      cookie: admin,
      body: { username: 'operator02', role: 'duty', password: NEW_PASSWORD },
    });
    expect(good.status).toBe(201);
    const resetToName = await kit.api('POST', '/api/users/operator02/password', {
      cookie: admin,
      body: { password: 'operator02' },
    });
    expect(resetToName.status).toBe(400);
  });
});

describe('admin disable, enable and reset', () => {
  it('a disabled user is signed out and cannot sign in until enabled', async () => {
    const duty = await kit.login('duty');
    expect((await kit.api('POST', '/api/users/duty/disable', { cookie: admin, body: {} })).status).toBe(200);
    expect((await kit.api('GET', '/api/session', { cookie: duty })).status).toBe(401);
    expect(
      (await kit.api('POST', '/api/session', { body: { username: 'duty', password: 'pingan-demo' } })).status,
    ).toBe(403);
    expect((await kit.api('POST', '/api/users/duty/enable', { cookie: admin, body: {} })).status).toBe(200);
    await kit.login('duty');
    expect(
      (await kit.api('POST', '/api/users/duty/password', { cookie: admin, body: { password: NEW_PASSWORD } }))
        .status,
    ).toBe(200);
    await kit.login('duty', NEW_PASSWORD);
  });
});

describe('/metrics', () => {
  it('without METRICS_TOKEN: loopback only, and not a request relayed by a proxy', async () => {
    expect((await kit.api('GET', '/metrics')).status).toBe(200);
    expect((await kit.api('GET', '/metrics', { headers: { 'x-forwarded-for': '203.0.113.9' } })).status).toBe(
      403,
    );
  });

  it('with METRICS_TOKEN: the bearer token from anyone, loopback included', async () => {
    const token = 'metrics-token-0123456789';
    const k = await startDispatchKit({ env: { METRICS_TOKEN: token } });
    try {
      expect((await k.api('GET', '/metrics')).status).toBe(401);
      expect(
        (await k.api('GET', '/metrics', { headers: { authorization: 'Bearer wrong-token-000000' } })).status,
      ).toBe(401);
      const ok = await k.api('GET', '/metrics', { headers: { authorization: `Bearer ${token}` } });
      expect(ok.status).toBe(200);
      expect(String(ok.body)).toContain('pingan_');
    } finally {
      await k.close();
    }
  });
});

// Last: the child process takes seconds, after which a kept-alive connection to the server may be closed.
describe('password policy on the command line', () => {
  it('applies to the command line', async () => {
    const root = path.resolve(import.meta.dirname, '../..');
    const { DATABASE_URL } = kit.t.app.ctx.config;
    const pgUrl = DATABASE_URL ? { DATABASE_URL } : {};
    const run = (password: string) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'scripts/user.ts', 'create', 'cliuser', 'duty'], {
        cwd: root,
        // The app's own database: its PostgreSQL one when it runs on one (DATABASE_URL wins in the CLI too).
        env: { ...process.env, DATABASE_PATH: kit.t.dbPath, ...pgUrl, PINGAN_PASSWORD: password },
        encoding: 'utf8',
        timeout: 60_000,
      });
    const weak = run('pingan-demo');
    expect(weak.status, weak.stderr).toBe(2);
    expect(weak.stderr).toMatch(/演示|demo/i);
    const good = run(NEW_PASSWORD);
    expect(good.status, good.stderr).toBe(0);
    const made = await kit.t.app.ctx.sql.get<{ role: string }>(
      sql`SELECT role FROM users WHERE username = 'cliuser'`,
    );
    expect(made).toEqual({ role: 'duty' });
  }, 120_000);
});
