/**
 * The incident loop's invariants on both engines (issue 19), through the product's own modules on SqlDb:
 * three server processes (three pools; on SQLite the one connection a process holds) ingest the same
 * reports at once and store each once, and race 100 assignments of one unit: exactly one wins, every
 * attempt leaves one audit row, and the chain verifies under its key.
 */
import { sql } from 'drizzle-orm';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '@/lib/clock';
import type { IncidentReport } from '@/lib/domain/incident';
import { SqlAudit } from '@/server/audit/audit-append';
import { configureSqlAuditChain } from '@/server/audit/audit-key';
import { sqlChainSource, verifyChain } from '@/server/audit/verify-chain';
import type { SqlDb } from '@/server/db/sql-db';
import { dispatchLiveFrom } from '@/server/dispatch/dispatch-module';
import { DispatchService } from '@/server/dispatch/dispatch-service';
import type { Principal } from '@/server/http/router';
import { IncidentIngest } from '@/server/ingest/incident-ingest';
import { IngestStats } from '@/server/ingest/ingest-stats';
import { GridLocator } from '@/server/live/grid-locator';
import { LiveState } from '@/server/live/live-state';
import { createLogger } from '@/server/logger';
import { SQL_BACKENDS, type TestSqlDb } from '../helpers/sql-backends';

const PROCESSES = 3;
const REPORTS = 30;
const ASSIGNS = 100;
const AUDIT_KEY = 'sql-backends-dispatch-test-key-0123456789';
const NOW = 1_800_000_000_000;
const DISPATCHER: Principal = { username: 'dispatcher1', role: 'dispatcher', isDisplay: false };
const logger = createLogger('error');

/** One server process's view: its own pool, live state, ingest and dispatch service. */
interface Process {
  db: SqlDb;
  live: LiveState;
  ingest: IncidentIngest;
  service: DispatchService;
}

const report = (n: number, source: IncidentReport['source'] = 'hotline_12345'): IncidentReport => ({
  id: `R-${n}`,
  category: 'fire_safety',
  title: `消防通道堵塞 ${n}`,
  lng: 120.17 + n * 1e-4,
  lat: 30.25,
  priority: 2,
  source,
  reportedAt: NOW - 60_000,
});

for (const backend of SQL_BACKENDS) {
  describe.skipIf(backend.unavailable !== null)(`the incident loop on ${backend.name}`, () => {
    let t: TestSqlDb;
    const procs: Process[] = [];

    beforeAll(async () => {
      t = await backend.open();
      const clock = new FakeClock(NOW);
      for (let k = 0; k < PROCESSES; k++) {
        const db = k === 0 ? t.db : t.another();
        // Each process configures the chain at its start, as main.ts does.
        await configureSqlAuditChain(db, { auditKey: AUDIT_KEY, logger });
        const live = new LiveState(clock);
        const noGrids = new GridLocator([]);
        procs.push({
          db,
          live,
          ingest: new IncidentIngest(db, live, new IngestStats(new Registry(), logger), () => noGrids),
          service: new DispatchService(db, dispatchLiveFrom(live), new SqlAudit(db, clock), clock, logger),
        });
      }
    });
    afterAll(async () => {
      await t?.close();
    });

    it('stores each report once when three processes are handed the same ones at once', async () => {
      const reports = Array.from({ length: REPORTS }, (_, n) => report(n));
      // Each process in its own order, so they collide on different reports.
      const orders = [reports, [...reports].reverse(), [...reports.slice(15), ...reports.slice(0, 15)]];
      const results = await Promise.all(procs.map((p, k) => p.ingest.handleItems(orders[k]!, 'test')));
      expect(results.reduce((n, r) => n + r.accepted, 0)).toBe(REPORTS);
      expect(results.reduce((n, r) => n + r.duplicates, 0)).toBe(REPORTS * (PROCESSES - 1));
      // Every process answers the same stored id for the same report.
      const idsOf = (k: number) => new Map(results[k]!.incidents.map((o) => [orders[k]![o.index]!.id, o.id]));
      expect(idsOf(1)).toEqual(idsOf(0));
      expect(idsOf(2)).toEqual(idsOf(0));
      const rows = await t.db.get<{ n: number }>(sql`SELECT count(*) AS n FROM incidents`);
      const events = await t.db.get<{ n: number }>(
        sql`SELECT count(*) AS n FROM incident_events WHERE type = 'reported'`,
      );
      expect([Number(rows!.n), Number(events!.n)]).toEqual([REPORTS, REPORTS]);
    });

    it('keeps two sources that share a number apart, from two processes at once', async () => {
      const [a, b] = await Promise.all([
        procs[0]!.ingest.handleItems([report(900, 'hotline_12345')], 'test'),
        procs[1]!.ingest.handleItems([report(900, 'police_110')], 'test'),
      ]);
      const ids = [a!.incidents[0]!.id, b!.incidents[0]!.id].sort();
      expect(ids).toHaveLength(2);
      expect(ids[0]).not.toBe(ids[1]);
      expect(ids).toContain('R-900');
    });

    it('lets exactly one of 100 parallel assignments of one vehicle win, across three processes', async () => {
      await t.db.run(
        sql`INSERT INTO vehicles (id, name, is_unassigned, created_at) VALUES ('v-race', '巡逻车 01', ${false}, ${NOW})`,
      );
      const cases = Array.from({ length: ASSIGNS }, (_, n) => report(1000 + n));
      await procs[0]!.ingest.handleItems(cases, 'test');
      const accepted = await Promise.all(
        cases.map((c, n) =>
          procs[n % PROCESSES]!.service.execute(
            c.id,
            { type: 'transition', to: 'accepted', note: '已受理' },
            DISPATCHER,
            '127.0.0.1',
          ),
        ),
      );
      expect(accepted.every((o) => o.ok)).toBe(true);
      const auditBefore = Number(
        (await t.db.get<{ n: number }>(sql`SELECT count(*) AS n FROM audit_log`))!.n,
      );

      const outcomes = await Promise.all(
        cases.map((c, n) =>
          procs[n % PROCESSES]!.service.execute(
            c.id,
            { type: 'assign', assignee: { kind: 'vehicle', id: 'v-race' }, note: '就近派车' },
            DISPATCHER,
            '127.0.0.1',
          ),
        ),
      );
      const won = outcomes.filter((o) => o.ok);
      expect(won).toHaveLength(1);
      const refused = outcomes.filter((o) => !o.ok);
      expect(refused.map((o) => (o.ok ? 0 : o.status))).toEqual(Array(ASSIGNS - 1).fill(409));
      expect(new Set(refused.map((o) => (o.ok ? '' : o.reason)))).toEqual(new Set(['unit_busy']));

      const engaged = await t.db.all<{ id: string }>(
        sql`SELECT id FROM incidents WHERE assignee_id = 'v-race' AND state IN ('dispatched', 'on_scene')`,
      );
      expect(engaged).toHaveLength(1);
      // One audit row per attempt: the winner's 'ok', each refusal's 'error'.
      const audit = await t.db.all<{ result: string; n: number }>(
        sql`SELECT result, count(*) AS n FROM audit_log WHERE id > ${auditBefore} GROUP BY result ORDER BY result`,
      );
      expect(audit.map((r) => [r.result, Number(r.n)])).toEqual([
        ['error', ASSIGNS - 1],
        ['ok', 1],
      ]);
      // The winner's process told its live board; the engaged unit shows as responding there.
      const winner = won[0]!;
      expect(winner.ok && winner.view.assigneeId).toBe('v-race');
    });

    it('leaves one audit chain that verifies under its key', async () => {
      const v = await verifyChain(sqlChainSource(t.db), { auditKey: AUDIT_KEY });
      expect(v.ok).toBe(true);
      expect(v.rows).toBeGreaterThanOrEqual(2 * ASSIGNS);
    });
  });
}
