import { sql, type SQL } from 'drizzle-orm';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@/server/logger';
import { hashPassword } from '@/server/auth/password';
import { startDispatchKit, type DispatchKit } from './dispatch-test-kit';

/**
 * Issue 16 item 9: what anyone can cause without signing in (failed logins, above all for usernames that do
 * not exist) and denied reads are counted per (minute, kind, source, actor) in audit_denials, not written as
 * one permanent audit row each. A signed-in principal's denied write stays a full audit row: it names who.
 */
let kit: DispatchKit;
const count = async (query: SQL) => (await kit.t.app.ctx.sql.get<{ n: number }>(query))!.n;
/** How long a refusal's count or audit row may take to land after the refusal was answered. */
const SETTLE_MS = 5_000;

/**
 * A refused request is answered before its count or audit row is stored (server/auth/guard.ts), so on
 * PostgreSQL the row can land a moment after the response. Polls until the count reaches `expected` (or
 * SETTLE_MS pass) and returns it: the caller asserts the exact value, so too many still fails, and once the
 * expected rows are in, nothing else the same requests wrote is still on its way.
 */
async function settledCount(query: SQL, expected: number): Promise<number> {
  const until = Date.now() + SETTLE_MS;
  for (;;) {
    const n = await count(query);
    if (n >= expected || Date.now() > until) return n;
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  // Unknown names are checked against a dummy hash, as in production, but a cheap one (scrypt N = 2^10):
  // what is under test is what a failure writes, and a thousand full-cost checks take minutes on a shared CI core.
  const cheap = hashPassword(randomBytes(16).toString('hex'), 2 ** 10);
  kit = await startDispatchKit({ dummyHash: () => cheap });
  await kit.addIncident('d-1');
});
afterAll(() => kit?.close());

describe('audit growth', () => {
  it('1,000 failed logins with random unknown usernames add no audit row and a bounded number of counts', async () => {
    const before = await count(sql`SELECT COUNT(*) AS n FROM audit_log`);
    const TOTAL = 1000;
    const CONCURRENCY = 16;
    let next = 0;
    const statuses = new Map<number, number>();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < TOTAL) {
          next++;
          const r = await kit.api('POST', '/api/session', {
            body: { username: `u-${randomBytes(6).toString('hex')}`, password: 'whatever-it-is' },
          });
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        }
      }),
    );
    expect(statuses.get(401)).toBe(TOTAL);
    expect((await count(sql`SELECT COUNT(*) AS n FROM audit_log`)) - before).toBe(0);
    expect(await count(sql`SELECT COUNT(*) AS n FROM audit_denials`)).toBeLessThanOrEqual(3);
    expect(
      await count(sql`SELECT SUM(count) AS n FROM audit_denials WHERE kind = 'login.unknown_user'`),
    ).toBe(TOTAL);
    // The usernames tried are not kept: a user who typed a password into the name field leaves no trace of it.
    expect(await count(sql`SELECT COUNT(*) AS n FROM audit_denials WHERE actor LIKE 'u-%'`)).toBe(0);
  }, 240_000);

  it('denied reads are counted, a signed-in user’s denied write stays an audit row', async () => {
    const duty = await kit.login('duty');
    const before = await count(sql`SELECT COUNT(*) AS n FROM audit_log`);
    for (let k = 0; k < 50; k++)
      expect((await kit.api('GET', '/api/audit/verify', { cookie: duty })).status).toBe(403);
    for (let k = 0; k < 50; k++) expect((await kit.api('GET', '/api/incidents')).status).toBe(401);
    expect(
      await settledCount(
        sql`SELECT SUM(count) AS n FROM audit_denials WHERE kind = 'read.denied' AND actor = 'duty'`,
        50,
      ),
    ).toBe(50);
    expect(
      await settledCount(
        sql`SELECT SUM(count) AS n FROM audit_denials WHERE kind = 'read.denied' AND actor = ''`,
        50,
      ),
    ).toBe(50);
    // Checked once the counts are in: a row the refusals wrote by mistake would have landed with them.
    expect((await count(sql`SELECT COUNT(*) AS n FROM audit_log`)) - before).toBe(0);

    const r = await kit.api('POST', '/api/incidents/d-1/transition', {
      cookie: duty,
      body: { to: 'accepted' },
    });
    expect(r.status).toBe(403);
    expect(
      await settledCount(
        sql`SELECT COUNT(*) AS n FROM audit_log WHERE actor = 'duty' AND action = 'incident.transition' AND result = 'denied'`,
        1,
      ),
    ).toBe(1);
  });

  it('shows the counts to an admin, newest first', async () => {
    const admin = await kit.login('admin');
    const r = await kit.api('GET', '/api/audit/denials', { cookie: admin });
    expect(r.status).toBe(200);
    const kinds = new Set((r.body.rows as { kind: string }[]).map((row) => row.kind));
    expect(kinds).toContain('login.unknown_user');
    expect(kinds).toContain('read.denied');
    expect(
      (await kit.api('GET', '/api/audit/denials', { cookie: await kit.login('dispatcher') })).status,
    ).toBe(403);
  });

  it('bounds the rows a minute can add under a spray of sources', async () => {
    const { DenialCounter, MAX_DENIAL_ROWS_PER_MINUTE } = await import('@/server/audit/denial-counter');
    const counter = new DenialCounter(kit.t.app.ctx.sql, kit.clock, createLogger('silent'));
    kit.clock.advance(60_000); // a fresh minute
    const minute = Math.floor(kit.clock.now() / 60_000) * 60_000;
    for (let k = 0; k < MAX_DENIAL_ROWS_PER_MINUTE * 3; k++)
      await counter.count('login.unknown_user', `10.1.${k >> 8}.${k & 255}`, '');
    const rows = await count(sql`SELECT COUNT(*) AS n FROM audit_denials WHERE minute = ${minute}`);
    expect(rows).toBeLessThanOrEqual(MAX_DENIAL_ROWS_PER_MINUTE + 1);
    expect(await count(sql`SELECT SUM(count) AS n FROM audit_denials WHERE minute = ${minute}`)).toBe(
      MAX_DENIAL_ROWS_PER_MINUTE * 3,
    );
  });
});
