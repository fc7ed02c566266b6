/**
 * Sessions and denial counts on both engines (issue 19): the same SessionStore and DenialCounter code on
 * SQLite and PostgreSQL, including the SQL that differs least visibly (an upsert that adds to a count, a
 * session join over a flag-free schema).
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '@/lib/clock';
import { DenialCounter } from '@/server/audit/denial-counter';
import { SESSION_IDLE_MS, SessionStore } from '@/server/auth/session-store';
import { createLogger } from '@/server/logger';
import { SQL_BACKENDS, type TestSqlDb } from '../helpers/sql-backends';

const NOW = 1_800_000_000_000;
const logger = createLogger('silent');

for (const backend of SQL_BACKENDS) {
  describe.skipIf(backend.unavailable !== null)(`sessions and denials on ${backend.name}`, () => {
    let t: TestSqlDb;
    const clock = new FakeClock(NOW);
    const ids: Record<string, number> = {};

    beforeAll(async () => {
      t = await backend.open();
      for (const [username, role] of [
        ['dispatcher1', 'dispatcher'],
        ['duty1', 'duty'],
      ] as const) {
        const row = await t.db.get<{ id: number }>(
          sql`INSERT INTO users (username, display_name, role, password_hash, failed_logins, created_at)
              VALUES (${username}, ${'调度员'}, ${role}, ${'x'}, 0, ${NOW}) RETURNING id`,
        );
        ids[username] = row!.id;
      }
    });
    afterAll(async () => {
      await t?.close();
    });

    it('finds a session, refreshes it only on activity, and ends it when idle (but not a duty wall)', async () => {
      const sessions = new SessionStore(t.db, clock);
      const d = await sessions.create(ids.dispatcher1!, '10.0.0.1');
      const w = await sessions.create(ids.duty1!, '10.0.0.2');
      expect(await sessions.lookup(d)).toMatchObject({ username: 'dispatcher1', role: 'dispatcher' });
      clock.advance(SESSION_IDLE_MS - 1_000);
      expect(await sessions.lookup(d, true)).not.toBeNull(); // activity: refreshed
      clock.advance(SESSION_IDLE_MS - 1_000);
      expect(await sessions.lookup(d)).not.toBeNull(); // still within the refreshed window
      clock.advance(2_000);
      expect(await sessions.lookup(d)).toBeNull(); // idle: a look did not refresh it
      expect(await sessions.lookup(w)).toMatchObject({ role: 'duty' }); // exempt from the idle limit
      expect(await sessions.lookup('no-such-session')).toBeNull();
    });

    it('revokes one session, the others of a user, and refuses a disabled account', async () => {
      const sessions = new SessionStore(t.db, clock);
      const a = await sessions.create(ids.dispatcher1!, null);
      const b = await sessions.create(ids.dispatcher1!, null);
      const c = await sessions.create(ids.dispatcher1!, null);
      await sessions.revoke(a);
      await sessions.revokeOtherSessions(ids.dispatcher1!, b);
      expect([await sessions.lookup(a), await sessions.lookup(c)]).toEqual([null, null]);
      expect(await sessions.lookup(b)).not.toBeNull();
      await t.db.run(sql`UPDATE users SET disabled_at = ${clock.now()} WHERE id = ${ids.dispatcher1!}`);
      expect(await sessions.lookup(b)).toBeNull();
    });

    it('adds up denials per minute and bounds the rows a spray of sources adds', async () => {
      const MAX = 5;
      const counter = new DenialCounter(t.db, clock, logger, MAX);
      clock.advance(60_000);
      const minute = Math.floor(clock.now() / 60_000) * 60_000;
      for (let k = 0; k < 3; k++) await counter.count('read.denied', '10.9.9.9', 'duty1');
      for (let k = 0; k < MAX * 3; k++) await counter.count('login.unknown_user', `10.1.0.${k}`, '');
      const rows = await counter.list(minute, 100);
      expect(rows.find((r) => r.kind === 'read.denied')).toMatchObject({ source: '10.9.9.9', count: 3 });
      const sprayed = rows.filter((r) => r.kind === 'login.unknown_user');
      expect(sprayed.length).toBeLessThanOrEqual(MAX);
      expect(sprayed.reduce((n, r) => n + Number(r.count), 0)).toBe(MAX * 3);
      expect(sprayed.find((r) => r.source === '*')?.count).toBeGreaterThan(0);
    });
  });
}
