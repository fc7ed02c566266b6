import { sql } from 'drizzle-orm';
import { FakeClock } from '@/lib/clock';
import { VEHICLE_STATUSES, WORKER_STATUSES, CAMERA_STATUSES } from '@/lib/domain/enums';
import { seedDemoAccounts } from '@/server/auth/accounts';
import { LoginLimiter } from '@/server/auth/login-limiter';
import { dispatchAppHooks, type DispatchModule } from '@/server/dispatch/dispatch-module';
import { INCIDENT_COLUMNS, toIncidentView, type IncidentRow } from '@/server/dispatch/incident-view';
import type { EntityStore } from '@/server/live/entity-store';
import type { Bus } from '@/server/bus/bus';
import { fetchJson } from '../helpers/http';
import { startTestApp, type TestApp } from '../helpers/test-app';

export const DEMO_PASSWORD = 'pingan-demo';
/** Centre of the test world (a street in Hangzhou's Shangcheng district). */
export const CENTER = { lng: 120.17, lat: 30.25 };

// Tests assert on response shapes structurally; typing every body would only restate the routes.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = any;

export interface DispatchKit {
  t: TestApp;
  clock: FakeClock;
  mod: DispatchModule;
  api(
    method: string,
    path: string,
    opts?: { cookie?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<{ status: number; body: Body }>;
  login(username: string, password?: string): Promise<string>;
  addIncident(id: string, over?: Partial<IncidentRow>): Promise<IncidentRow>;
  placeUnit(store: EntityStore, id: string, lng: number, lat: number, status: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * The real app on port 0 (a real SQLite file, or PostgreSQL under PINGAN_TEST_DB=postgres; real HTTP) with the
 * dispatch module wired in. Everything it seeds goes through the app's own `ctx.sql`, so it runs on either engine.
 */
export async function startDispatchKit(
  opts: {
    limiter?: LoginLimiter;
    env?: Record<string, string>;
    dummyHash?: () => Promise<string>;
    /** The bus the app runs on (a RedisBus against a real redis-server); in-process when absent. */
    bus?: Bus;
  } = {},
): Promise<DispatchKit> {
  const clock = new FakeClock(Date.now());
  // A generous login limiter unless a test wants the real one: tests log in many times from one address.
  const hooks = dispatchAppHooks({
    limiter: opts.limiter ?? new LoginLimiter(10_000),
    dummyHash: opts.dummyHash,
  });
  const t = await startTestApp({
    clock,
    auth: hooks.auth,
    routes: hooks.routes,
    env: opts.env,
    bus: opts.bus,
  });
  const mod = hooks.module()!;
  const db = t.app.ctx.sql;
  await seedDemoAccounts(db, clock, DEMO_PASSWORD);
  const categories = JSON.stringify(['fire_safety', 'emergency']);
  await db.run(
    sql`INSERT INTO departments (id, name, kind, region_code, categories)
        VALUES ('d-fire', '上城区消防救援大队', 'fire', '330102000000', ${categories})`,
  );

  const api = (
    method: string,
    path: string,
    o: { cookie?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) =>
    fetchJson(`${t.url}${path}`, {
      method,
      headers: { ...o.headers, ...(o.cookie ? { cookie: o.cookie } : {}) },
      body: o.body,
    });

  return {
    t,
    clock,
    mod,
    api,
    async login(username, password = DEMO_PASSWORD) {
      const r = await fetch(`${t.url}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password }),
      });
      if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${await r.text()}`);
      return r.headers.get('set-cookie')!.split(';')[0]!;
    },
    async addIncident(id, over = {}) {
      const now = clock.now();
      const row: IncidentRow = {
        id,
        sourceRef: id,
        category: 'fire_safety',
        title: `测试事件 ${id}`,
        detail: null,
        lng: CENTER.lng,
        lat: CENTER.lat,
        priority: 2,
        source: 'hotline_12345',
        reportedAt: now,
        receivedAt: now,
        address: '测试路 1 号',
        reporter: '张三',
        phone: '13800000000',
        gridCode: '330102001001001',
        state: 'reported',
        assigneeKind: null,
        assigneeId: null,
        supervision: 0,
        satisfaction: null,
        updatedAt: now,
        closedAt: null,
        appealType: null,
        replyText: null,
        replyAt: null,
        replyBy: null,
        cameraId: null,
        snapshotSha256: null,
        ...over,
      };
      await db.run(
        sql`INSERT INTO incidents (id, source_ref, category, title, detail, lng, lat, priority, source, reported_at, received_at,
              address, reporter, phone, grid_code, state, assignee_kind, assignee_id, supervision, satisfaction, updated_at, closed_at)
            VALUES (${row.id}, ${row.sourceRef}, ${row.category}, ${row.title}, ${row.detail}, ${row.lng}, ${row.lat}, ${row.priority}, ${row.source},
              ${row.reportedAt}, ${row.receivedAt}, ${row.address}, ${row.reporter}, ${row.phone}, ${row.gridCode}, ${row.state},
              ${row.assigneeKind}, ${row.assigneeId}, ${row.supervision}, ${row.satisfaction}, ${row.updatedAt}, ${row.closedAt})`,
      );
      const stored = (await db.get<IncidentRow>(
        sql`SELECT ${sql.raw(INCIDENT_COLUMNS)} FROM incidents WHERE id = ${id}`,
      ))!;
      t.app.ctx.live.incidents.upsert(toIncidentView(stored));
      return stored;
    },
    async placeUnit(store, id, lng, lat, status) {
      const table = store.kind === 'vehicle' ? 'vehicles' : store.kind === 'worker' ? 'workers' : 'cameras';
      await db.run(
        sql`INSERT INTO ${sql.raw(table)} (id, name, created_at) VALUES (${id}, ${`单位 ${id}`}, ${clock.now()})
            ON CONFLICT (id) DO NOTHING`,
      );
      const i = store.add({ id, name: `单位 ${id}`, kind: null });
      store.lng[i] = lng;
      store.lat[i] = lat;
      store.status[i] = status;
      store.ts[i] = clock.now();
    },
    close: () => t.close(),
  };
}

export const STATUS = {
  patrol: VEHICLE_STATUSES.indexOf('patrol'),
  responding: VEHICLE_STATUSES.indexOf('responding'),
  offline: VEHICLE_STATUSES.indexOf('offline'),
  onDuty: WORKER_STATUSES.indexOf('on_duty'),
  online: CAMERA_STATUSES.indexOf('online'),
};
