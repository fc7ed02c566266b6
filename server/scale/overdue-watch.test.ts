/**
 * The overdue watch on both engines (issue 19): each red lamp recorded once, at its deadline, only while
 * leading; a deposed leader refused once a newer term has written; and two processes that both believe they
 * lead at once (a stale and a new fencing token, or two unfenced) write exactly one timeline step and one
 * audit row per incident and milestone between them. PostgreSQL: two pools, as two processes hold.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '@/lib/clock';
import type { IncidentView } from '@/lib/domain/incident';
import { DEFAULT_TIME_LIMITS } from '@/lib/domain/time-limits';
import { SQL_BACKENDS, type TestSqlDb } from '@/tests/helpers/sql-backends';
import { configureSqlAuditChain } from '../audit/audit-key';
import { sqlChainSource, verifyChain } from '../audit/verify-chain';
import type { SqlDb } from '../db/sql-db';
import { createLogger } from '../logger';
import { LEADER_FENCE_META_KEY } from './fence';
import type { Leadership } from './leader';
import { OVERDUE_AUDIT_ACTION, OVERDUE_EVENT_TYPE, startOverdueWatch } from './overdue-watch';

const logger = createLogger('silent');
const AUDIT_KEY = 'overdue-watch-test-key-0123456789abcdef';
const ACCEPT_MS = DEFAULT_TIME_LIMITS.byPriority[2].accept!;
const NOW = 1_800_000_000_000;
const clock: Clock = { now: () => NOW } as Clock;
/** Incidents per race: enough that two unguarded writers would collide on some. */
const RACED = 40;

/** A leadership the test sets by hand: leading with a given token (null: unfenced), or not. */
function fakeLeader(token: number | null, isLeading = true) {
  const state = { token, isLeading, steppedDownAt: undefined as number | undefined };
  const leader: Leadership = {
    process: { id: 'test', host: 'h', pid: 1 },
    isLeader: () => state.isLeading,
    fencingToken: () => (state.isLeading ? state.token : null),
    onChange: () => () => {},
    stepDown: (stored) => {
      state.steppedDownAt = stored;
      state.isLeading = false;
    },
    start: () => {},
    close: async () => {},
  };
  return { leader, state };
}

const view = (id: string, receivedAt: number): IncidentView => ({
  id,
  category: 'dispute',
  title: 't',
  priority: 2,
  source: 'grid_worker',
  state: 'reported',
  lng: 120,
  lat: 30,
  address: null,
  gridCode: null,
  reportedAt: receivedAt,
  receivedAt,
  updatedAt: receivedAt,
  assigneeKind: null,
  assigneeId: null,
  supervision: 0,
});

async function addIncidents(db: SqlDb, views: IncidentView[]): Promise<void> {
  for (const v of views)
    await db.run(
      sql`INSERT INTO incidents (id, category, title, lng, lat, priority, source, reported_at, received_at, state,
            supervision, updated_at)
          VALUES (${v.id}, ${v.category}, ${v.title}, ${v.lng}, ${v.lat}, ${v.priority}, ${v.source},
            ${v.reportedAt}, ${v.receivedAt}, ${v.state}, ${v.supervision}, ${v.updatedAt})`,
    );
}

for (const backend of SQL_BACKENDS) {
  describe.skipIf(backend.unavailable !== null)(`overdue watch on ${backend.name}`, () => {
    let t: TestSqlDb;
    /** A second process's database: its own pool on PostgreSQL, the process's one connection on SQLite. */
    let other: SqlDb;
    beforeAll(async () => {
      t = await backend.open();
      other = t.another();
      await configureSqlAuditChain(t.db, { auditKey: AUDIT_KEY, logger });
      await configureSqlAuditChain(other, { auditKey: AUDIT_KEY, logger });
    });
    afterAll(async () => {
      await t?.close();
    });

    /** Timeline steps and audit rows per incident (and milestone), of incidents whose id starts so. */
    async function counts(prefix: string) {
      const steps = await t.db.all<{ id: string; milestone: string; at: number; note: string; n: number }>(
        sql`SELECT incident_id AS "id", data ->> 'milestone' AS "milestone", MIN(at) AS "at", MIN(note) AS "note",
              COUNT(*) AS "n"
            FROM incident_events WHERE type = ${OVERDUE_EVENT_TYPE} AND incident_id LIKE ${`${prefix}%`}
            GROUP BY incident_id, data ->> 'milestone' ORDER BY incident_id`,
      );
      const audits = await t.db.all<{ id: string; actor: string; n: number }>(
        sql`SELECT object_id AS "id", MIN(actor) AS "actor", COUNT(*) AS "n" FROM audit_log
            WHERE action = ${OVERDUE_AUDIT_ACTION} AND object_id LIKE ${`${prefix}%`}
            GROUP BY object_id ORDER BY object_id`,
      );
      return {
        steps: steps.map((s) => ({ ...s, at: Number(s.at), n: Number(s.n) })),
        audits: audits.map((a) => ({ ...a, n: Number(a.n) })),
      };
    }

    it('records each red lamp once, at its deadline, and only while leading', async () => {
      const board = [
        view('LATE-1', NOW - ACCEPT_MS - 1),
        view('LATE-2', NOW - 2 * ACCEPT_MS),
        view('FRESH', NOW - 1000),
      ];
      await addIncidents(t.db, board);
      const follower = fakeLeader(3, false);
      const idle = startOverdueWatch({
        db: t.db,
        incidents: () => board,
        leader: follower.leader,
        clock,
        logger,
      });
      expect(await idle.sweep()).toBe(0);
      idle.close();

      const a = fakeLeader(3);
      const watch = startOverdueWatch({ db: t.db, incidents: () => board, leader: a.leader, clock, logger });
      expect(await watch.sweep()).toBe(2);
      expect(await watch.sweep()).toBe(0);
      expect((await counts('LATE-')).steps).toEqual([
        { id: 'LATE-1', milestone: 'accept', at: NOW - 1, note: '受理超时', n: 1 },
        { id: 'LATE-2', milestone: 'accept', at: NOW - ACCEPT_MS, note: '受理超时', n: 1 },
      ]);
      expect((await counts('LATE-')).audits).toEqual([
        { id: 'LATE-1', actor: 'system', n: 1 },
        { id: 'LATE-2', actor: 'system', n: 1 },
      ]);
      // A second leader after the first (a newer term, its memory empty), from another process, finds them
      // recorded in the database.
      const b = fakeLeader(4);
      const next = startOverdueWatch({ db: other, incidents: () => board, leader: b.leader, clock, logger });
      expect(await next.sweep()).toBe(0);
      expect((await counts('LATE-')).audits).toHaveLength(2);
      watch.close();
      next.close();
    });

    it('refuses a deposed leader once a newer term has written, and it steps down', async () => {
      // Term 4 wrote above (the fence in the database says so); term 3 wakes up with a new red lamp to record.
      const fence = await t.db.get<{ value: string }>(
        sql`SELECT value FROM meta WHERE key = ${LEADER_FENCE_META_KEY}`,
      );
      expect(fence?.value).toBe('4');
      const late3 = view('LATE-3', NOW - ACCEPT_MS - 5);
      await addIncidents(t.db, [late3]);
      const stale = fakeLeader(3);
      const watch = startOverdueWatch({
        db: t.db,
        incidents: () => [late3],
        leader: stale.leader,
        clock,
        logger,
      });
      expect(await watch.sweep()).toBe(0);
      expect(stale.state.steppedDownAt).toBe(4);
      expect(stale.leader.isLeader()).toBe(false);
      expect((await counts('LATE-3')).steps).toEqual([]);
      watch.close();
    });

    /**
     * Two processes sweep the same red lamps at the same moment, `rounds` times over fresh incidents, and
     * between them write one step and one audit row per incident and milestone.
     */
    async function race(prefix: string, tokensOf: (round: number) => (number | null)[], rounds: number) {
      for (let r = 0; r < rounds; r++) {
        const tokens = tokensOf(r);
        const board = Array.from({ length: RACED }, (_, k) =>
          view(`${prefix}-${r}-${String(k).padStart(2, '0')}`, NOW - ACCEPT_MS - 1 - k),
        );
        await addIncidents(t.db, board);
        const leaders = tokens.map((token) => fakeLeader(token));
        const watches = leaders.map((l, k) =>
          startOverdueWatch({
            db: k === 0 ? t.db : other,
            // Each process in its own order (the second's board reversed), so they collide throughout.
            incidents: () => (k === 0 ? board : [...board].reverse()),
            leader: l.leader,
            clock,
            logger,
          }),
        );
        const written = await Promise.all(watches.map((w) => w.sweep()));
        for (const w of watches) w.close();
        expect(written[0]! + written[1]!).toBe(RACED);
        const c = await counts(`${prefix}-${r}-`);
        expect(c.steps).toHaveLength(RACED);
        for (const s of c.steps) expect(s, s.id).toMatchObject({ milestone: 'accept', n: 1 });
        expect(c.audits.map((a) => a.id)).toEqual(c.steps.map((s) => s.id));
        for (const a of c.audits) expect(a, a.id).toMatchObject({ actor: 'system', n: 1 });
      }
    }

    it('a stale and a new leader at once: exactly one step and one audit row per lamp', async () => {
      // The fence stands at 4; each round a leader and its successor, both newer than what is stored, so
      // whichever commits first, the other either finds the lamps recorded or is refused.
      await race('TWO', (r) => [5 + 2 * r, 6 + 2 * r], 5);
      const fence = await t.db.get<{ value: string }>(
        sql`SELECT value FROM meta WHERE key = ${LEADER_FENCE_META_KEY}`,
      );
      expect(fence?.value).toBe('14');
    });

    it('two processes both leading unfenced (misconfigured solo processes): still exactly once', async () => {
      await race('SOLO', () => [null, null], 5);
    });

    it('leaves the audit chain whole under its key', async () => {
      const v = await verifyChain(sqlChainSource(t.db), { auditKey: AUDIT_KEY });
      expect(v.ok).toBe(true);
    });
  });
}
