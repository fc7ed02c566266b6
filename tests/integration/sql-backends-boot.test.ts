/**
 * What the app reads at start and writes on its tick, on both engines (issue 19): the devices, open
 * incidents and territory the walls' first snapshot shows, and the registrar's writes of devices first
 * seen in telemetry — idempotent, safe when two processes register the same new devices at once, and
 * not held back by one row the database refuses.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '@/lib/clock';
import { CAMERA_STATUSES } from '@/lib/domain/enums';
import { flag, type SqlDb } from '@/server/db/sql-db';
import { dbHealth } from '@/server/db/db-health';
import { writeRegistrations } from '@/server/ingest/registrar';
import { LiveState, type PendingRegistration } from '@/server/live/live-state';
import { loadOpenIncidents } from '@/server/live/open-incidents';
import { createLogger } from '@/server/logger';
import { DEFAULT_WORLD_NAME, loadTerritoryView } from '@/server/world/territory-view';
import { SQL_BACKENDS, type TestSqlDb } from '../helpers/sql-backends';

const NOW = 1_800_000_000_000;
/** Enough for several INSERTs per transaction, so two processes' transactions overlap. */
const RACE_VEHICLES = 2_000;
const logger = createLogger('silent');
const CAM = (n: number) => `3301060000131${String(n).padStart(7, '0')}`;
const square = (lng: number, lat: number) =>
  JSON.stringify({
    type: 'Polygon',
    coordinates: [
      [
        [lng, lat],
        [lng + 0.01, lat],
        [lng + 0.01, lat + 0.01],
        [lng, lat + 0.01],
        [lng, lat],
      ],
    ],
  });

const vehicleReg = (id: string, name: string | null = `车 ${id}`): PendingRegistration => ({
  kind: 'vehicle',
  id,
  name,
  entityKind: 'patrol_car',
});
const workerReg = (id: string): PendingRegistration => ({ kind: 'worker', id, name: null, entityKind: null });
const cameraReg = (n: number): PendingRegistration => ({
  kind: 'camera',
  id: CAM(n),
  name: `点位 ${n}`,
  entityKind: null,
  lng: 120.1 + n / 1000,
  lat: 30.2,
  streamUrl: `/streams/${n}.m3u8`,
});

async function count(db: SqlDb, table: 'vehicles' | 'workers' | 'cameras'): Promise<number> {
  const row = await db.get<{ n: number }>(sql`SELECT count(*) AS n FROM ${sql.raw(table)}`);
  return Number(row!.n);
}

function queued(regs: PendingRegistration[]): LiveState {
  const live = new LiveState(new FakeClock(NOW));
  for (const r of regs) live.queueRegistration(r);
  return live;
}

for (const backend of SQL_BACKENDS) {
  describe.skipIf(backend.unavailable !== null)(`the app's start and registrar on ${backend.name}`, () => {
    let t: TestSqlDb;
    beforeAll(async () => {
      t = await backend.open();
    });
    afterAll(async () => {
      await t?.close();
    });

    it('loads every device in pages, disabled ones flagged and cameras where the registry places them', async () => {
      const { db } = t;
      for (let k = 1; k <= 5; k++)
        await db.run(
          sql`INSERT INTO vehicles (id, name, kind, created_at, disabled_at) VALUES (${`V-${k}`}, ${`车 ${k}`}, ${'patrol_car'}, ${NOW}, ${k === 3 ? NOW : null})`,
        );
      await db.run(
        sql`INSERT INTO workers (id, name, role, created_at) VALUES (${'W-1'}, ${'张三'}, ${'grid'}, ${NOW})`,
      );
      await db.run(
        sql`INSERT INTO workers (id, name, created_at, disabled_at) VALUES (${'W-2'}, ${'李四'}, ${NOW}, ${NOW})`,
      );
      await db.run(
        sql`INSERT INTO cameras (id, name, program, lng, lat, stream_url, created_at) VALUES (${CAM(1)}, ${'路口'}, ${'雪亮'}, ${120.1}, ${30.2}, ${'/s/1.m3u8'}, ${NOW})`,
      );
      await db.run(sql`INSERT INTO cameras (id, name, created_at) VALUES (${CAM(2)}, ${'无坐标'}, ${NOW})`);
      await db.run(
        sql`INSERT INTO cameras (id, name, lng, lat, created_at, disabled_at) VALUES (${CAM(3)}, ${'停用'}, ${120.3}, ${30.3}, ${NOW}, ${NOW})`,
      );

      const live = new LiveState(new FakeClock(NOW));
      // Pages of 2: five vehicles take three pages, the last one short.
      await live.loadFromDb(db, 2);
      const v = live.vehicle;
      expect(v.count).toBe(5);
      expect([1, 2, 3, 4, 5].map((k) => v.getById(`V-${k}`)?.name)).toEqual([
        '车 1',
        '车 2',
        '车 3',
        '车 4',
        '车 5',
      ]);
      expect(v.metaOf(v.indexOf('V-1')!)).toMatchObject({ kind: 'patrol_car' });
      expect([1, 2, 3, 4, 5].map((k) => v.isDisabled[v.indexOf(`V-${k}`)!])).toEqual([0, 0, 1, 0, 0]);
      const w = live.worker;
      expect(w.count).toBe(2);
      expect(w.metaOf(w.indexOf('W-1')!)).toMatchObject({ name: '张三', kind: 'grid' });
      expect([w.isDisabled[w.indexOf('W-1')!], w.isDisabled[w.indexOf('W-2')!]]).toEqual([0, 1]);
      const c = live.camera;
      expect(c.count).toBe(3);
      const placed = c.indexOf(CAM(1))!;
      expect([c.lng[placed], c.lat[placed], c.status[placed]]).toEqual([
        120.1,
        30.2,
        CAMERA_STATUSES.indexOf('offline'),
      ]);
      expect(c.metaOf(placed)).toMatchObject({ name: '路口', kind: '雪亮' });
      expect(Number.isNaN(c.lng[c.indexOf(CAM(2))!])).toBe(true);
      const off = c.indexOf(CAM(3))!;
      expect(c.isDisabled[off]).toBe(1);
      expect(Number.isNaN(c.lng[off])).toBe(true);
      expect([...live.cameraStreamUrl]).toEqual([[CAM(1), '/s/1.m3u8']]);
    });

    it('puts the open incidents back on the board, with every field the walls are sent', async () => {
      const { db } = t;
      const incident = (id: string, state: string, reportedAt: number) =>
        db.run(sql`INSERT INTO incidents (id, category, title, lng, lat, priority, source, reported_at, received_at,
                     updated_at, state, address, grid_code, assignee_kind, assignee_id, supervision)
                   VALUES (${id}, ${'fire_safety'}, ${`事件 ${id}`}, ${120.1}, ${30.2}, ${2}, ${'hotline_12345'},
                     ${reportedAt}, ${reportedAt + 1}, ${reportedAt + 2}, ${state}, ${'某路 1 号'}, ${'330106001001001'},
                     ${'vehicle'}, ${'V-1'}, ${2})`);
      await incident('I-open', 'dispatched', NOW - 60_000);
      await incident('I-closed', 'closed', NOW - 50_000);
      await incident('I-cancelled', 'cancelled', NOW - 40_000);
      const live = new LiveState(new FakeClock(NOW));
      await loadOpenIncidents(db, live);
      expect([...live.incidents.values()]).toEqual([
        {
          id: 'I-open',
          category: 'fire_safety',
          title: '事件 I-open',
          priority: 2,
          source: 'hotline_12345',
          state: 'dispatched',
          lng: 120.1,
          lat: 30.2,
          address: '某路 1 号',
          gridCode: '330106001001001',
          reportedAt: NOW - 60_000,
          receivedAt: NOW - 59_999,
          updatedAt: NOW - 59_998,
          assigneeKind: 'vehicle',
          assigneeId: 'V-1',
          supervision: 2,
        },
      ]);
    });

    it('reads the territory: grids that place positions, the top region as the walls’ name', async () => {
      const { db } = t;
      expect((await loadTerritoryView(db)).name).toBe(DEFAULT_WORLD_NAME);
      await db.run(
        sql`INSERT INTO regions (code, parent_code, level, name) VALUES (${'330106001000'}, ${'330106000000'}, ${'town'}, ${'北山街道'})`,
      );
      await db.run(
        sql`INSERT INTO regions (code, parent_code, level, name) VALUES (${'330106000000'}, ${null}, ${'district'}, ${'西湖区'})`,
      );
      await db.run(
        sql`INSERT INTO grids (code, community_code, name, geometry, center_lng, center_lat) VALUES (${'330106001001001'}, ${'330106001001'}, ${'一网格'}, ${square(120.1, 30.2)}, ${120.105}, ${30.205})`,
      );
      const view = await loadTerritoryView(db);
      expect(view.name).toBe('西湖区');
      expect(view.grids.locate(120.105, 30.205)).toBe('330106001001001');
      expect(view.grids.locate(121, 31)).toBeNull();
    });

    it('answers the health check', async () => {
      expect(await dbHealth(t.db)).toBe('up');
    });

    it('registers new devices as unassigned, once, and leaves devices already known as they are', async () => {
      const { db } = t;
      const before = { vehicles: await count(db, 'vehicles'), workers: await count(db, 'workers') };
      // Known already (the registries wrote it meanwhile): its name must not be overwritten.
      const regs = [vehicleReg('NEW-V1'), vehicleReg('V-1', '改名'), workerReg('NEW-W1'), cameraReg(10)];
      const live = queued(regs);
      expect(await writeRegistrations(db, live, logger)).toBe(4);
      expect(live.peekRegistrations(10)).toEqual([]);
      const v = await db.get<{
        name: string;
        kind: string;
        isUnassigned: number | boolean;
        createdAt: number;
      }>(
        sql`SELECT name, kind, is_unassigned AS "isUnassigned", created_at AS "createdAt" FROM vehicles WHERE id = ${'NEW-V1'}`,
      );
      expect({ ...v, isUnassigned: flag(v!.isUnassigned) }).toEqual({
        name: '车 NEW-V1',
        kind: 'patrol_car',
        isUnassigned: true,
        createdAt: NOW,
      });
      expect(await db.get(sql`SELECT name FROM vehicles WHERE id = ${'V-1'}`)).toEqual({ name: '车 1' });
      const w = await db.get<{ u: number | boolean }>(
        sql`SELECT is_unassigned AS u FROM workers WHERE id = ${'NEW-W1'}`,
      );
      expect(flag(w!.u)).toBe(true);
      expect(
        await db.get(
          sql`SELECT name, lng, lat, stream_url AS "streamUrl" FROM cameras WHERE id = ${CAM(10)}`,
        ),
      ).toEqual({ name: '点位 10', lng: 120.11, lat: 30.2, streamUrl: '/streams/10.m3u8' });

      // The same again (another process wrote them, or a retry after a commit whose answer was lost).
      const again = queued(regs);
      expect(await writeRegistrations(db, again, logger)).toBe(4);
      expect(await count(db, 'vehicles')).toBe(before.vehicles + 1);
      expect(await count(db, 'workers')).toBe(before.workers + 1);
      expect([live.registrationsDropped, again.registrationsDropped]).toEqual([0, 0]);
      expect(await db.get(sql`SELECT name FROM vehicles WHERE id = ${'V-1'}`)).toEqual({ name: '车 1' });
    });

    it('two processes registering the same new devices at once both succeed, each device stored once', async () => {
      const a = t.db;
      const b = t.another();
      const regs = [
        ...Array.from({ length: RACE_VEHICLES }, (_, k) => vehicleReg(`RACE-V${k}`)),
        ...Array.from({ length: 40 }, (_, k) => workerReg(`RACE-W${k}`)),
        ...Array.from({ length: 40 }, (_, k) => cameraReg(100 + k)),
      ];
      const before = {
        vehicles: await count(a, 'vehicles'),
        workers: await count(a, 'workers'),
        cameras: await count(a, 'cameras'),
      };
      // Each process heard the reports in its own order.
      const [liveA, liveB] = [queued(regs), queued([...regs].reverse())];
      for (let round = 0; round < 3; round++) {
        const results = await Promise.allSettled([
          writeRegistrations(a, liveA, logger),
          writeRegistrations(b, liveB, logger),
        ]);
        expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
      }
      expect(await count(a, 'vehicles')).toBe(before.vehicles + RACE_VEHICLES);
      expect(await count(a, 'workers')).toBe(before.workers + 40);
      expect(await count(a, 'cameras')).toBe(before.cameras + 40);
      expect(liveA.peekRegistrations(1)).toEqual([]);
      expect(liveB.peekRegistrations(1)).toEqual([]);
      expect([liveA.registrationsDropped, liveB.registrationsDropped]).toEqual([0, 0]);
    });

    it('a row the database refuses is dropped alone; the devices around it are registered', async () => {
      const { db } = t;
      // PostgreSQL refuses a NUL character in text; SQLite stores it.
      const live = queued([vehicleReg('NUL-1'), vehicleReg('NUL-2', 'bad\u0000name'), workerReg('NUL-3')]);
      expect(await writeRegistrations(db, live, logger)).toBe(3);
      expect(live.peekRegistrations(10)).toEqual([]);
      const stored = await db.all<{ id: string }>(
        sql`SELECT id FROM vehicles WHERE id IN (${'NUL-1'}, ${'NUL-2'}) UNION SELECT id FROM workers WHERE id = ${'NUL-3'} ORDER BY id`,
      );
      if (backend.name === 'postgres') {
        expect(stored.map((r) => r.id)).toEqual(['NUL-1', 'NUL-3']);
        expect(live.registrationsDropped).toBe(1);
      } else {
        expect(stored.map((r) => r.id)).toEqual(['NUL-1', 'NUL-2', 'NUL-3']);
        expect(live.registrationsDropped).toBe(0);
      }
    });
  });
}
