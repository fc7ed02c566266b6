/**
 * The 12345 callback outbox on both engines (issue 19): three server processes (three pools; on SQLite the
 * one connection a process holds) scan and deliver at once, and every callback is queued once and POSTed
 * once; a sender whose claim ran out cannot overwrite the outcome of the process that took it over; on
 * PostgreSQL an event whose transaction commits after a later one is still reported.
 */
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '@/lib/clock';
import type { SqlDb } from '@/server/db/sql-db';
import { EVENT_COMMIT_SETTLE_MS, HotlineOutbox } from '@/server/hotline/callback-outbox';
import { createLogger } from '@/server/logger';
import { SQL_BACKENDS, type TestSqlDb } from '../helpers/sql-backends';

const PROCESSES = 3;
/** More than the processes send in one pass together (3 × 20), so passes race over a shrinking queue. */
const EVENTS = 90;
const NOW = 1_800_000_000_000;
const logger = createLogger('silent');
const URL = 'http://127.0.0.1:9/callback';

const pause = () => new Promise((r) => setTimeout(r, 1));

async function addHotlineIncident(db: SqlDb, id: string) {
  await db.run(
    sql`INSERT INTO incidents (id, source_ref, category, title, lng, lat, priority, source, reported_at, received_at, state, supervision, updated_at)
        VALUES (${id}, ${id}, 'citizen_request', '噪音扰民', 120.17, 30.25, 3, 'hotline_12345', ${NOW}, ${NOW}, 'reported', 0, ${NOW})`,
  );
}

function addEvent(db: Pick<SqlDb, 'get'>, incidentId: string, at: number, toState = 'accepted') {
  return db.get<{ id: number }>(
    sql`INSERT INTO incident_events (incident_id, at, actor, type, from_state, to_state)
        VALUES (${incidentId}, ${at}, 'dispatcher', 'transition', 'reported', ${toState}) RETURNING id`,
  );
}

/** A platform that answers after a pause (so the processes' sends overlap), recording what it got. */
function recordingFetch(sent: number[]): typeof fetch {
  return (async (_url: string, init: { body: string }) => {
    await pause();
    sent.push((JSON.parse(init.body) as { eventId: number }).eventId);
    return new Response('{"code":0}');
  }) as unknown as typeof fetch;
}

const callbackStates = (db: SqlDb) =>
  db.all<{ state: string; n: number }>(
    sql`SELECT state, COUNT(*) AS n FROM hotline_callbacks GROUP BY state ORDER BY state`,
  );

for (const backend of SQL_BACKENDS) {
  describe.skipIf(backend.unavailable !== null)(`the 12345 callback outbox on ${backend.name}`, () => {
    let t: TestSqlDb;
    let clock: FakeClock;
    const dbs: SqlDb[] = [];

    beforeEach(async () => {
      t = await backend.open();
      clock = new FakeClock(NOW);
      dbs.length = 0;
      for (let k = 0; k < PROCESSES; k++) dbs.push(k === 0 ? t.db : t.another());
    });
    afterEach(async () => {
      await t?.close();
    });

    const outboxes = (fetchImpl: typeof fetch) =>
      dbs.map(
        (db) => new HotlineOutbox({ db, clock, logger, url: URL, secret: 'secret-0123456789', fetchImpl }),
      );

    it('queues each change once and sends each callback once while three processes scan and send at once', async () => {
      const sent: number[] = [];
      const procs = outboxes(recordingFetch(sent));
      await addHotlineIncident(t.db, 'GD1');
      await procs[0]!.scan(); // the cursor: reporting starts here
      const ids: number[] = [];
      for (let k = 0; k < EVENTS; k++) ids.push((await addEvent(t.db, 'GD1', NOW))!.id);

      const queued = await Promise.all(procs.map((o) => o.scan()));
      expect(queued.reduce((a, b) => a + b, 0)).toBe(EVENTS);

      let delivered = 0;
      for (let pass = 0; pass < 10; pass++) {
        const n = (await Promise.all(procs.map((o) => o.deliver()))).reduce((a, b) => a + b, 0);
        if (n === 0) break;
        delivered += n;
      }
      expect(delivered).toBe(EVENTS);
      expect(sent).toHaveLength(EVENTS);
      expect([...sent].sort((a, b) => a - b)).toEqual(ids);
      expect(await callbackStates(t.db)).toEqual([{ state: 'done', n: EVENTS }]);
    });

    it('does not let a sender whose claim ran out overwrite the outcome of the process that took it over', async () => {
      let release!: () => void;
      const stuck = new Promise<void>((r) => (release = r));
      const slow = (async () => {
        await stuck;
        throw new Error('connect ETIMEDOUT');
      }) as unknown as typeof fetch;
      const sent: number[] = [];
      const [a] = outboxes(slow);
      const [, b] = outboxes(recordingFetch(sent));
      await addHotlineIncident(t.db, 'GD2');
      await a!.scan();
      const event = (await addEvent(t.db, 'GD2', NOW))!;
      await a!.scan();

      const first = a!.deliver(); // claims the callback, then hangs in its POST
      await pause();
      expect(await b!.deliver()).toBe(0); // claimed by the other: not due here
      clock.advance(60_000); // the claim ran out (the process would have died)
      expect(await b!.deliver()).toBe(1);
      release();
      expect(await first).toBe(0);

      expect(sent).toEqual([event.id]);
      const row = await t.db.get<{ state: string; attempts: number; lastError: string | null }>(
        sql`SELECT state, attempts, last_error AS "lastError" FROM hotline_callbacks`,
      );
      expect(row).toEqual({ state: 'done', attempts: 1, lastError: null });
    });

    it.skipIf(backend.name !== 'postgres')(
      'reports an event whose transaction commits after one with a higher id',
      async () => {
        const [a] = outboxes(recordingFetch([]));
        await addHotlineIncident(t.db, 'GD3');
        await a!.scan();
        let commit!: () => void;
        const held = new Promise<void>((r) => (commit = r));
        let lateId = 0;
        let hasInserted!: () => void;
        const inserted = new Promise<void>((r) => (hasInserted = r));
        // Another process draws an id, then takes its time to commit.
        const late = dbs[1]!.transaction(async (tx) => {
          lateId = (await addEvent(tx, 'GD3', NOW, 'dispatched'))!.id;
          hasInserted();
          await held;
        });
        await inserted;
        const early = (await addEvent(t.db, 'GD3', NOW, 'accepted'))!.id;
        expect(early).toBeGreaterThan(lateId);
        expect(await a!.scan()).toBe(1);
        commit();
        await late;
        expect(await a!.scan()).toBe(1);
        clock.advance(EVENT_COMMIT_SETTLE_MS);
        expect(await a!.scan()).toBe(0);
        const events = await t.db.all<{ eventId: number }>(
          sql`SELECT event_id AS "eventId" FROM hotline_callbacks ORDER BY event_id`,
        );
        expect(events.map((e) => e.eventId)).toEqual([lateId, early]);
      },
    );
  });
}
