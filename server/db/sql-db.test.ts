/**
 * The SqlDb contract on both engines: the same SQL gives the same answers, transactions commit or roll
 * back whole, a unique index's refusal is recognised, and on SQLite nothing slips into another flow's
 * open transaction.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SQL_BACKENDS, type TestSqlDb } from '@/tests/helpers/sql-backends';
import { flag, forUpdate, isUniqueViolation } from './sql-db';

const vehicle = (id: string, isUnassigned: boolean) =>
  sql`INSERT INTO vehicles (id, name, is_unassigned, created_at) VALUES (${id}, ${`车 ${id}`}, ${isUnassigned}, ${1_800_000_000_000})`;

for (const backend of SQL_BACKENDS) {
  describe.skipIf(backend.unavailable !== null)(`SqlDb on ${backend.name}`, () => {
    let t: TestSqlDb;
    beforeAll(async () => {
      t = await backend.open();
    });
    afterAll(async () => {
      await t?.close();
    });

    it('binds text, numbers, flags and nulls alike, and reads them back', async () => {
      const { db } = t;
      await db.run(vehicle('v-1', true));
      await db.run(vehicle('v-2', false));
      const rows = await db.all<{
        id: string;
        name: string;
        is_unassigned: number | boolean;
        plate: string | null;
        created_at: number;
      }>(
        sql`SELECT id, name, is_unassigned, plate, created_at FROM vehicles WHERE id IN (${'v-1'}, ${'v-2'}) ORDER BY id`,
      );
      expect(rows.map((r) => [r.id, r.name, flag(r.is_unassigned), r.plate, r.created_at])).toEqual([
        ['v-1', '车 v-1', true, null, 1_800_000_000_000],
        ['v-2', '车 v-2', false, null, 1_800_000_000_000],
      ]);
      expect(await db.get(sql`SELECT id FROM vehicles WHERE id = ${'none'}`)).toBeUndefined();
      const r = await db.run(sql`UPDATE vehicles SET plate = ${'浙A·12345'} WHERE id LIKE ${'v-%'}`);
      expect(r.changes).toBe(2);
    });

    it('commits a transaction whole, or rolls it back whole and rethrows', async () => {
      const { db } = t;
      const id = await db.transaction(async (tx) => {
        await tx.run(vehicle('v-tx-1', false));
        return (await tx.get<{ id: string }>(
          sql`SELECT id FROM vehicles WHERE id = ${'v-tx-1'}${forUpdate(tx)}`,
        ))!.id;
      });
      expect(id).toBe('v-tx-1');
      const failure = db.transaction(async (tx) => {
        await tx.run(vehicle('v-tx-2', false));
        await tx.run(vehicle('v-tx-1', false)); // the primary key refuses it
      });
      const e = await failure.catch((err: unknown) => err);
      expect(isUniqueViolation(e)).toBe(true);
      expect(await db.get(sql`SELECT id FROM vehicles WHERE id = ${'v-tx-2'}`)).toBeUndefined();
    });

    it('serialises writers from two connections: no lost update of a counter', async () => {
      const a = t.db;
      const b = t.another();
      await a.run(sql`INSERT INTO meta (key, value, updated_at) VALUES (${'counter'}, ${'0'}, ${0})`);
      const bump = (db: typeof a) =>
        db.transaction(async (tx) => {
          const row = await tx.get<{ value: string }>(
            sql`SELECT value FROM meta WHERE key = ${'counter'}${forUpdate(tx)}`,
          );
          await tx.run(
            sql`UPDATE meta SET value = ${String(Number(row!.value) + 1)} WHERE key = ${'counter'}`,
          );
        });
      const PER_CONNECTION = 25;
      await Promise.all(
        [a, b].map(async (db) => {
          for (let i = 0; i < PER_CONNECTION; i++) await bump(db);
        }),
      );
      const row = await a.get<{ value: string }>(sql`SELECT value FROM meta WHERE key = ${'counter'}`);
      expect(Number(row!.value)).toBe(2 * PER_CONNECTION);
    });

    it('keeps a query issued during an open transaction out of it (it waits, or runs alone)', async () => {
      const { db } = t;
      let inside!: () => void;
      const entered = new Promise<void>((resolve) => (inside = resolve));
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const tx = db
        .transaction(async (q) => {
          await q.run(vehicle('v-rolled-back', false));
          inside();
          await held;
          throw new Error('roll back');
        })
        .catch(() => 'rolled back');
      await entered;
      const outside = db.run(vehicle('v-outside', false));
      release();
      expect(await tx).toBe('rolled back');
      await outside;
      const ids = await db.all<{ id: string }>(
        sql`SELECT id FROM vehicles WHERE id IN (${'v-rolled-back'}, ${'v-outside'})`,
      );
      expect(ids.map((r) => r.id)).toEqual(['v-outside']);
    });

    it('nests a transaction inside one as a savepoint: the inner rolls back alone', async () => {
      const { db } = t;
      await db.transaction(async (tx) => {
        await tx.run(vehicle('v-outer', false));
        const inner = await tx
          .transaction(async (sp) => {
            await sp.run(vehicle('v-inner', false));
            await sp.run(vehicle('v-outer', false)); // refused: the savepoint rolls back, the transaction goes on
          })
          .catch((e: unknown) => isUniqueViolation(e));
        expect(inner).toBe(true);
        await tx.transaction((sp) => sp.run(vehicle('v-inner-2', false)));
      });
      const ids = await db.all<{ id: string }>(
        sql`SELECT id FROM vehicles WHERE id IN (${'v-outer'}, ${'v-inner'}, ${'v-inner-2'}) ORDER BY id`,
      );
      expect(ids.map((r) => r.id)).toEqual(['v-inner-2', 'v-outer']);
    });

    it.runIf(backend.name === 'postgres')(
      'survives an idle connection killed under it (the next query gets a new one)',
      async () => {
        const other = t.another();
        await other.get(sql`SELECT 1 AS one`); // one idle connection in that pool
        const pids = await t.db.all<{ pid: number }>(
          sql`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'idle'`,
        );
        expect(pids.length).toBeGreaterThan(0);
        for (const { pid } of pids) await t.db.get(sql`SELECT pg_terminate_backend(${pid})`);
        await new Promise((r) => setTimeout(r, 100)); // the pools see their connections end
        expect(await other.get<{ one: number }>(sql`SELECT 1 AS one`)).toEqual({ one: 1 });
      },
    );
  });
}
