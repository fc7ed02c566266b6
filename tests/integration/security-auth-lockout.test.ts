import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as limiter from '@/server/auth/login-limiter';
import { LOCK_AFTER_FAILURES } from '@/server/auth/session-routes';
import { startDispatchKit, type DispatchKit } from './dispatch-test-kit';

/**
 * Issue 16 item 4: failures lock an account only for the source they come from, with exponential backoff,
 * and the source is the socket's address unless the peer is a configured proxy (TRUSTED_PROXIES), whose
 * X-Forwarded-For then names the client.
 */
const A = '203.0.113.5';
const B = '198.51.100.7';
const MINUTE = 60_000;

async function tryLogin(kit: DispatchKit, username: string, password: string, from?: string) {
  return kit.api('POST', '/api/session', {
    body: { username, password },
    headers: from ? { 'x-forwarded-for': from } : {},
  });
}

describe('behind a trusted proxy', () => {
  let kit: DispatchKit;
  beforeAll(async () => {
    kit = await startDispatchKit({ env: { TRUSTED_PROXIES: '127.0.0.1/32, ::1' } });
  });
  afterAll(() => kit?.close());

  it('failures from one address do not stop the right password from another', async () => {
    const codes: number[] = [];
    for (let k = 0; k < LOCK_AFTER_FAILURES + 1; k++)
      codes.push((await tryLogin(kit, 'dispatcher', 'wrong-password', A)).status);
    expect(codes.slice(0, LOCK_AFTER_FAILURES - 1).every((c) => c === 401)).toBe(true);
    expect(codes.at(-1)).toBe(423);
    expect((await tryLogin(kit, 'dispatcher', 'pingan-demo', A)).status).toBe(423);
    expect((await tryLogin(kit, 'dispatcher', 'pingan-demo', B)).status).toBe(200);
    // The client the proxy named is the one recorded.
    const row = (await kit.t.app.ctx.sql.get<{ client_address: string }>(
      sql`SELECT client_address FROM audit_log WHERE action = 'session.login' AND result = 'ok' ORDER BY id DESC LIMIT 1`,
    ))!;
    expect(row.client_address).toBe(B);
  });

  it('backs off exponentially for the locked source', async () => {
    const base = limiter.LOCK_BASE_MS;
    expect(base).toBeGreaterThan(0);
    const C = '192.0.2.44';
    for (let k = 0; k < LOCK_AFTER_FAILURES; k++) await tryLogin(kit, 'leader', 'wrong-password', C);
    expect((await tryLogin(kit, 'leader', 'pingan-demo', C)).status).toBe(423);
    kit.clock.advance(base + 1000);
    // One more failure after the first lock ends locks it again, for twice as long.
    expect((await tryLogin(kit, 'leader', 'wrong-password', C)).status).toBe(423);
    kit.clock.advance(base + 1000);
    expect((await tryLogin(kit, 'leader', 'pingan-demo', C)).status).toBe(423);
    kit.clock.advance(base);
    expect((await tryLogin(kit, 'leader', 'pingan-demo', C)).status).toBe(200);
    // The lock never exceeds its ceiling, however long the attack.
    expect(limiter.LOCK_MAX_MS).toBeLessThanOrEqual(60 * MINUTE);
  });

  it('keeps its memory bounded under a spray of sources', () => {
    const lockout = new limiter.LoginLockout(100);
    for (let k = 0; k < 10_000; k++) lockout.fail('dispatcher', `10.0.${k >> 8}.${k & 255}`, 0);
    expect(lockout.size).toBeLessThanOrEqual(100);
  });
});

describe('without a trusted proxy', () => {
  let kit: DispatchKit;
  beforeAll(async () => {
    kit = await startDispatchKit({ env: { TRUSTED_PROXIES: '10.0.0.0/8' } });
  });
  afterAll(() => kit?.close());

  it('ignores X-Forwarded-For from an untrusted peer: the socket address is the client', async () => {
    for (let k = 0; k < LOCK_AFTER_FAILURES; k++) await tryLogin(kit, 'dispatcher', 'wrong-password', A);
    // "From B" is a lie the peer cannot tell: it is the same source, still locked.
    expect((await tryLogin(kit, 'dispatcher', 'pingan-demo', B)).status).toBe(423);
    expect((await tryLogin(kit, 'dispatcher', 'pingan-demo')).status).toBe(423);
    // Another account from the same source is not affected.
    expect((await tryLogin(kit, 'leader', 'pingan-demo', A)).status).toBe(200);
    const sources = await kit.t.app.ctx.sql.all<{ a: string }>(
      sql`SELECT DISTINCT client_address AS a FROM audit_log WHERE action = 'session.login'`,
    );
    expect(sources.map((s) => s.a)).toEqual(['127.0.0.1']);
  });
});
