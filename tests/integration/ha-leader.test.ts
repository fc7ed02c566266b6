import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '@/lib/clock';
import { DEFAULT_TIME_LIMITS, type TimeLimitConfig } from '@/lib/domain/time-limits';
import { seedDemoAccounts } from '@/server/auth/accounts';
import { writeTimeLimits } from '@/server/admin/time-limit-settings';
import type { SqlDb } from '@/server/db/sql-db';
import { OVERDUE_AUDIT_ACTION, OVERDUE_EVENT_TYPE } from '@/server/scale/overdue-watch';
import { LEADER_RENEW_MS, LEADER_TTL_MS } from '@/server/scale/leader';
import { TestRedis } from '../helpers/redis-server';
import type { ServerProcess } from '../helpers/server-process';
import { waitFor } from '../helpers/test-app';
import { CENTER, DEMO_PASSWORD } from './dispatch-test-kit';
import { HA_BACKENDS, healthOf, login, startProcesses, type HaStore, type HealthWho } from './ha-kit';

/** 一般 (priority 2) must be accepted within this: short, so lamps turn red while the test watches. */
const ACCEPT_MS = 8_000;
/** Red before the processes start: the first leader records these. */
const EARLY = 4;
/** Logged just before the leader is killed: they turn red while it is dead or just replaced. */
const LATE = 4;
/** Issue 19: a new leader "within seconds" (a lease plus a renewal by design). Asserted generously. */
const FAILOVER_BOUND_MS = 20_000;

const LIMITS: TimeLimitConfig = {
  ...DEFAULT_TIME_LIMITS,
  byPriority: { ...DEFAULT_TIME_LIMITS.byPriority, 2: { accept: ACCEPT_MS, onScene: null, resolve: null } },
};

async function seed(db: SqlDb): Promise<void> {
  await seedDemoAccounts(db, systemClock, DEMO_PASSWORD);
  await writeTimeLimits(db, LIMITS, Date.now());
  const at = Date.now() - 10 * ACCEPT_MS;
  for (let k = 0; k < EARLY; k++) {
    const id = `LD-EARLY-${k}`;
    await db.run(
      sql`INSERT INTO incidents (id, source_ref, category, title, lng, lat, priority, source, reported_at,
            received_at, state, supervision, updated_at)
          VALUES (${id}, ${id}, 'dispute', '超时测试', ${CENTER.lng}, ${CENTER.lat}, 2, 'hotline_12345', ${at},
            ${at}, 'reported', 0, ${at})`,
    );
  }
}

async function healths(procs: ServerProcess[]): Promise<(HealthWho | null)[]> {
  return Promise.all(procs.map((p) => healthOf(p.url)));
}

/**
 * Issue 19: the overdue watch runs on the leader only. Kill -9 the leader: another process leads within
 * seconds, the lamps that turn red meanwhile are still recorded, and every lamp exactly once (one timeline
 * step, one audit row), including those the old leader recorded before it died.
 */
describe.each(HA_BACKENDS)('leader failover for the time-limit lamps on $name', (backend) => {
  let redis: TestRedis | undefined;
  let procs: ServerProcess[] = [];
  let store: HaStore | undefined;
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop('SIGKILL')));
    await redis?.stop();
    await store?.close();
  });

  it.skipIf(backend.unavailable !== null)(
    'a new leader within seconds, and each red lamp recorded exactly once',
    async () => {
      store = await backend.open();
      const db = store.db;
      await seed(db);
      redis = await TestRedis.start();
      procs = await startProcesses(3, store, redis.url);

      // Exactly one of the three leads, and says so on /api/health.
      const first = await waitFor(
        async () => {
          const hs = await healths(procs);
          const leaders = hs.filter((h) => h?.leader);
          return leaders.length === 1 ? { at: hs.indexOf(leaders[0]!), health: leaders[0]! } : null;
        },
        20_000,
        'one leader',
      );
      expect(first.health.fencingToken).toBeGreaterThan(0);
      const ids = new Set((await healths(procs)).map((h) => h?.process.id));
      expect(ids.size).toBe(3);

      const events = (idPrefix: string) =>
        db.all<{ id: string; milestone: string; n: number }>(
          sql`SELECT incident_id AS id, data ->> 'milestone' AS milestone, COUNT(*) AS n
            FROM incident_events WHERE type = ${OVERDUE_EVENT_TYPE} AND incident_id LIKE ${`${idPrefix}%`}
            GROUP BY incident_id, milestone`,
        );
      await waitFor(
        async () => (await events('LD-EARLY-')).length === EARLY,
        20_000,
        'the first leader to record early lamps',
      );

      // New cases, logged at a follower, due ACCEPT_MS from now; then the leader dies.
      const follower = procs.find((_, i) => i !== first.at)!;
      const dispatcher = await login(follower.url, 'dispatcher');
      for (let k = 0; k < LATE; k++) {
        const r = await fetch(`${follower.url}/api/incidents`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie: dispatcher },
          body: JSON.stringify({
            id: `LD-LATE-${k}`,
            category: 'dispute',
            priority: 2,
            title: '超时切换测试',
            lng: CENTER.lng,
            lat: CENTER.lat,
          }),
        });
        expect(r.status, await r.text()).toBeLessThan(300);
      }
      const killedAt = Date.now();
      await procs[first.at]!.stop('SIGKILL');
      const survivors = procs.filter((_, i) => i !== first.at);

      const next = await waitFor(
        async () => (await healths(survivors)).find((h) => h?.leader) ?? null,
        FAILOVER_BOUND_MS + 5_000,
        'a new leader',
      );
      const failoverMs = Date.now() - killedAt;
      expect(next.process.id).not.toBe(first.health.process.id);
      expect(next.fencingToken!).toBeGreaterThan(first.health.fencingToken!);

      const late = await waitFor(
        async () => {
          const rows = await events('LD-LATE-');
          return rows.length === LATE ? rows : null;
        },
        30_000,
        'the new leader to record the lamps that turned red',
      );
      // A few more sweeps: a duplicate, if the new leader re-recorded the old one's lamps, would show now.
      await new Promise((r) => setTimeout(r, 3 * 2_000));

      const all = [...(await events('LD-EARLY-')), ...(await events('LD-LATE-'))];
      expect(all).toHaveLength(EARLY + LATE);
      for (const e of all) expect(e, e.id).toMatchObject({ milestone: 'accept', n: 1 });
      const audits = await db.all<{ id: string; actor: string; n: number }>(
        sql`SELECT object_id AS id, actor, COUNT(*) AS n FROM audit_log WHERE action = ${OVERDUE_AUDIT_ACTION}
          GROUP BY object_id, actor`,
      );
      expect(audits.map((a) => a.id).sort()).toEqual(all.map((e) => e.id).sort());
      for (const a of audits) expect(a, a.id).toMatchObject({ actor: 'system', n: 1 });
      // Exactly one leader remains, the chain verifies, and the console shows the step on the timeline.
      expect((await healths(survivors)).filter((h) => h?.leader)).toHaveLength(1);
      // The same on /metrics (local, unproxied requests may read it): 1 on the leader, 0 on the follower.
      const gauges = await Promise.all(
        survivors.map(
          async (p) => /^pingan_leader (\d)$/m.exec(await (await fetch(`${p.url}/metrics`)).text())?.[1],
        ),
      );
      expect(gauges.sort()).toEqual(['0', '1']);
      const admin = await login(survivors[0]!.url, 'admin');
      const verify = await fetch(`${survivors[0]!.url}/api/audit/verify`, { headers: { cookie: admin } });
      expect(await verify.json()).toMatchObject({ ok: true });
      const detail = await fetch(`${survivors[0]!.url}/api/incidents/${late[0]!.id}`, {
        headers: { cookie: dispatcher },
      });
      const body = (await detail.json()) as {
        timeline: { type: string; actor: string; note: string | null }[];
      };
      expect(body.timeline.filter((t) => t.type === OVERDUE_EVENT_TYPE)).toEqual([
        expect.objectContaining({ actor: 'system', note: '受理超时' }),
      ]);

      console.info(
        `leader failover (${backend.name}): kill -9 of the leader (token ${first.health.fencingToken}); ` +
          `${next.process.id} leads (token ${next.fencingToken}) ${failoverMs} ms later ` +
          `(lease ${LEADER_TTL_MS} ms, renewal ${LEADER_RENEW_MS} ms); ${EARLY} lamps recorded before and ` +
          `${LATE} after the kill, each exactly once`,
      );
      expect(failoverMs).toBeLessThan(FAILOVER_BOUND_MS);
    },
    180_000,
  );
});
