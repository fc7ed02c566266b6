/**
 * The grid worker's binding on both engines (issue 19): which worker an account is, its grid and community,
 * and the refusals for an account bound to nobody or to a disabled worker, the same on SQLite and PostgreSQL.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '@/server/http/router';
import { createWorkerContexts } from '@/server/mobile/worker-context';
import { SQL_BACKENDS, type TestSqlDb } from '../helpers/sql-backends';

const NOW = 1_800_000_000_000;
const worker = (username: string, regionCode: string | null = null): Principal => ({
  username,
  role: 'worker',
  isDisplay: false,
  regionCode,
});

for (const backend of SQL_BACKENDS) {
  describe.skipIf(backend.unavailable !== null)(`the worker binding on ${backend.name}`, () => {
    let t: TestSqlDb;

    beforeAll(async () => {
      t = await backend.open();
      const { db } = t;
      await db.run(
        sql`INSERT INTO grids (code, name, community_code, center_lng, center_lat, geometry)
            VALUES ('330102001001001', '清波一网格', '330102001001', 120.16, 30.24, '{}')`,
      );
      for (const [id, disabledAt] of [
        ['w-1', null],
        ['w-off', NOW],
      ] as const)
        await db.run(
          sql`INSERT INTO workers (id, name, grid_code, disabled_at, is_unassigned, created_at)
              VALUES (${id}, '王建国', '330102001001001', ${disabledAt}, ${false}, ${NOW})`,
        );
      for (const [username, workerId] of [
        ['grid01', 'w-1'],
        ['grid02', 'w-off'],
        ['grid03', null],
        ['grid04', 'w-gone'],
      ] as const)
        await db.run(
          sql`INSERT INTO users (username, role, password_hash, worker_id, failed_logins, created_at)
              VALUES (${username}, 'worker', 'x', ${workerId}, 0, ${NOW})`,
        );
    });
    afterAll(async () => {
      await t?.close();
    });

    it('reads the bound worker, its grid and the community its reports must lie in', async () => {
      const workerOf = createWorkerContexts(t.db);
      expect(await workerOf(worker('grid01'))).toEqual({
        workerId: 'w-1',
        name: '王建国',
        gridCode: '330102001001001',
        gridName: '清波一网格',
        center: [120.16, 30.24],
        scopePrefix: '330102001001',
      });
      expect((await workerOf(worker('grid01', '330102001000'))).scopePrefix).toBe('330102001');
    });

    it('refuses an account bound to nobody, to a missing worker or to a disabled one', async () => {
      const workerOf = createWorkerContexts(t.db);
      for (const [username, reason] of [
        ['grid02', 'worker_disabled'],
        ['grid03', 'worker_not_bound'],
        ['grid04', 'worker_not_bound'],
      ] as const)
        await expect(workerOf(worker(username))).rejects.toMatchObject({ status: 403, details: { reason } });
    });
  });
}
