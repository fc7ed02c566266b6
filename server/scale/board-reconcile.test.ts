import { sql, type SQL } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SQL_BACKENDS, type TestSqlDb } from '@/tests/helpers/sql-backends';
import type { SqlDb } from '../db/sql-db';
import { IncidentBoard } from '../live/incident-board';
import { createLogger } from '../logger';
import { startBoardReconcile } from './board-reconcile';

for (const backend of SQL_BACKENDS) {
  describe.skipIf(backend.unavailable !== null)(`board reconciliation on ${backend.name}`, () => {
    let t: TestSqlDb;
    beforeAll(async () => {
      t = await backend.open();
    });
    afterAll(async () => {
      await t?.close();
    });
    const insert = (id: string) =>
      t.db.run(
        sql`INSERT INTO incidents (id, category, title, lng, lat, priority, source, reported_at, received_at, state,
              supervision, updated_at)
            VALUES (${id}, 'dispute', 't', 120, 30, 2, 'grid_worker', 1, 1, 'reported', 0, 10)`,
      );
    const set = (id: string, state: string, kind: string | null, assignee: string | null, at: number) =>
      t.db.run(
        sql`UPDATE incidents SET state = ${state}, assignee_kind = ${kind}, assignee_id = ${assignee},
              updated_at = ${at} WHERE id = ${id}`,
      );

    it('takes the changes a dead process committed but never relayed, and nothing it already has', async () => {
      for (const id of ['A', 'B', 'C']) await insert(id);
      const board = new IncidentBoard();
      let quietCalls = 0;
      const reconcile = startBoardReconcile({
        db: t.another(),
        board,
        quietly: (apply) => {
          quietCalls++;
          apply();
        },
        logger: createLogger('silent'),
        intervalMs: 60_000,
      });
      // A process that started late has none of them on its board yet.
      expect(await reconcile.sweep()).toBe(3);
      expect(board.get('A')).toMatchObject({ id: 'A', state: 'reported', updatedAt: 10, gridCode: null });
      expect(await reconcile.sweep()).toBe(0);
      // Another process assigned A and closed B, then died before relaying either.
      await set('A', 'dispatched', 'vehicle', 'V1', 20);
      await set('B', 'closed', null, null, 20);
      // This process changed C itself more recently than the database says (its own, newer view stays).
      board.upsert({ ...board.get('C')!, updatedAt: 30, state: 'accepted' });
      expect(await reconcile.sweep()).toBe(2);
      expect(board.get('A')).toMatchObject({
        state: 'dispatched',
        assigneeKind: 'vehicle',
        assigneeId: 'V1',
      });
      expect(board.get('B')).toBeUndefined();
      expect(board.get('C')).toMatchObject({ state: 'accepted', updatedAt: 30 });
      expect(quietCalls).toBe(2);
      reconcile.close();
    });

    it('keeps a change that reached the board while the rows were being read', async () => {
      for (const id of ['D', 'E']) await insert(id);
      const board = new IncidentBoard();
      let reads = 0;
      let onSecondRead = () => {};
      const db: SqlDb = {
        ...t.db,
        all: async <T>(q: SQL) => {
          const rows = await t.db.all<T>(q);
          if (++reads === 2) onSecondRead();
          return rows;
        },
      };
      const reconcile = startBoardReconcile({
        db,
        board,
        quietly: (apply) => apply(),
        logger: createLogger('silent'),
        intervalMs: 60_000,
      });
      await reconcile.sweep(); // A and C from above too
      // D accepted and E closed in the database; while this pass reads E back, D's dispatch (newer than the
      // row this pass holds) is relayed to the board.
      await set('D', 'accepted', null, null, 40);
      await set('E', 'closed', null, null, 40);
      reads = 0;
      onSecondRead = () => board.upsert({ ...board.get('D')!, state: 'dispatched', updatedAt: 50 });
      expect(await reconcile.sweep()).toBe(1);
      expect(board.get('D')).toMatchObject({ state: 'dispatched', updatedAt: 50 });
      expect(board.get('E')).toBeUndefined();
      reconcile.close();
    });
  });
}
