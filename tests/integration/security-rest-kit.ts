/**
 * The real app on port 0 wired as server/main.ts wires its reads (dispatch module, wall stats, town cards,
 * imports), with a two-town territory imported through the admin API and, in each town, a department, a
 * patrol car, a grid worker, a camera and an incident: what the region-clamp and masking tests read.
 */
import { sql } from 'drizzle-orm';
import { FakeClock } from '@/lib/clock';
import { CAMERA_STATUSES, VEHICLE_STATUSES, WORKER_STATUSES } from '@/lib/domain/enums';
import { createImportRoutes } from '@/server/admin/import-routes';
import { seedDemoAccounts } from '@/server/auth/accounts';
import { LoginLimiter } from '@/server/auth/login-limiter';
import { dispatchAppHooks } from '@/server/dispatch/dispatch-module';
import { INCIDENT_COLUMNS, toIncidentView, type IncidentRow } from '@/server/dispatch/incident-view';
import type { EntityStore } from '@/server/live/entity-store';
import { createTownCardsRoutes } from '@/server/stats/town-cards';
import { createWallRoutes } from '@/server/stats/wall-routes';
import { fetchJson } from '../helpers/http';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { bytesOf, goodTerritory, GRID_A1_1, GRID_B1_1, TOWN_A, TOWN_B } from './import-fixtures';

export const DEMO_PASSWORD = 'pingan-demo';
export { TOWN_A, TOWN_B };

/** Inside grid GRID_A1_1 (town A) and grid GRID_B1_1 (town B); 23 km apart, so both are "in reach". */
export const IN_A: [number, number] = [120.02, 30.15];
export const IN_B: [number, number] = [120.25, 30.15];

/** A phone number and an 18-digit ID number as a caller would dictate them into free text. */
export const PHONE = '13812345678';
export const ID_NUMBER = '330106199001011234';

// Tests assert on response shapes structurally; typing every body would only restate the routes.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = any;

export interface SecurityKit {
  t: TestApp;
  clock: FakeClock;
  api(
    path: string,
    opts?: { cookie?: string; token?: string; method?: string; body?: unknown },
  ): Promise<{ status: number; body: Body }>;
  login(username: string): Promise<string>;
  /** A display token created by the admin through the API, scoped to `regionCode` (or the whole territory). */
  displayToken(name: string, regionCode: string | null): Promise<string>;
  /** Scopes a user account to a region (what `npm run user -- create … --region` stores). */
  scopeUser(username: string, regionCode: string | null): Promise<void>;
  close(): Promise<void>;
}

export async function startSecurityKit(): Promise<SecurityKit> {
  const clock = new FakeClock(Date.now());
  const hooks = dispatchAppHooks({ limiter: new LoginLimiter(10_000) });
  const t = await startTestApp({
    clock,
    auth: hooks.auth,
    routes: (ctx) => [
      ...hooks.routes(ctx),
      ...createWallRoutes({
        sql: ctx.sql,
        live: ctx.live,
        clock: ctx.clock,
        regions: ctx.regions,
      }),
      ...createTownCardsRoutes({
        sql: ctx.sql,
        live: ctx.live,
        clock: ctx.clock,
        regions: ctx.regions,
      }),
      ...createImportRoutes(ctx, hooks.module()!),
    ],
  });
  const db = t.app.ctx.sql;
  await seedDemoAccounts(db, clock, DEMO_PASSWORD);

  const api = (path: string, o: { cookie?: string; token?: string; method?: string; body?: unknown } = {}) =>
    fetchJson(`${t.url}${path}`, {
      method: o.method,
      headers: {
        ...(o.cookie ? { cookie: o.cookie } : {}),
        ...(o.token ? { 'x-display-token': o.token } : {}),
      },
      body: o.body,
    });

  async function login(username: string): Promise<string> {
    const r = await fetch(`${t.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: DEMO_PASSWORD }),
    });
    if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${await r.text()}`);
    return r.headers.get('set-cookie')!.split(';')[0]!;
  }

  const admin = await login('admin');
  const imported = await fetch(`${t.url}/api/admin/import/territory`, {
    method: 'POST',
    headers: {
      cookie: admin,
      'content-type': 'application/octet-stream',
      'x-file-name': encodeURIComponent('辖区.geojson'),
    },
    body: bytesOf(goodTerritory()) as Uint8Array<ArrayBuffer>,
  });
  if (imported.status !== 200)
    throw new Error(`territory import: ${imported.status} ${await imported.text()}`);

  const now = clock.now();
  const live = t.app.ctx.live;
  const place = (store: EntityStore, id: string, [lng, lat]: [number, number], status: number) => {
    const i = store.add({ id, name: `单位 ${id}`, kind: null });
    store.lng[i] = lng;
    store.lat[i] = lat;
    store.status[i] = status;
    store.ts[i] = now;
  };
  const dept = (id: string, name: string, regionCode: string) =>
    db.run(sql`INSERT INTO departments (id, name, kind, region_code, categories)
      VALUES (${id}, ${name}, 'police_station', ${regionCode}, ${'["fire_safety"]'})`);
  await dept('d-a', '北山派出所', TOWN_A);
  await dept('d-b', '西溪派出所', TOWN_B);
  const vehicle = (id: string, name: string, departmentId: string, plate: string) =>
    db.run(sql`INSERT INTO vehicles (id, name, kind, department_id, plate, created_at)
      VALUES (${id}, ${name}, 'patrol_car', ${departmentId}, ${plate}, ${now})`);
  await vehicle('v-a', '北山巡逻车01', 'd-a', '浙A·10001');
  await vehicle('v-b', '西溪巡逻车01', 'd-b', '浙A·20002');
  place(live.vehicle, 'v-a', IN_A, VEHICLE_STATUSES.indexOf('patrol'));
  place(live.vehicle, 'v-b', IN_B, VEHICLE_STATUSES.indexOf('patrol'));
  const worker = (id: string, name: string, gridCode: string, phone: string) =>
    db.run(sql`INSERT INTO workers (id, name, grid_code, phone, created_at)
      VALUES (${id}, ${name}, ${gridCode}, ${phone}, ${now})`);
  await worker('w-a', '王建国', GRID_A1_1, '13900000001');
  await worker('w-b', '李小明', GRID_B1_1, '13900000002');
  place(live.worker, 'w-a', IN_A, WORKER_STATUSES.indexOf('on_duty'));
  place(live.worker, 'w-b', IN_B, WORKER_STATUSES.indexOf('on_duty'));
  const camera = (id: string, name: string, [lng, lat]: [number, number], gridCode: string) =>
    db.run(sql`INSERT INTO cameras (id, name, lng, lat, grid_code, created_at)
      VALUES (${id}, ${name}, ${lng}, ${lat}, ${gridCode}, ${now})`);
  await camera('33010600001320000001', '曙光路口', IN_A, GRID_A1_1);
  await camera('33010600001320000002', '古荡路口', IN_B, GRID_B1_1);
  place(live.camera, '33010600001320000001', IN_A, CAMERA_STATUSES.indexOf('online'));
  place(live.camera, '33010600001320000002', IN_B, CAMERA_STATUSES.indexOf('online'));

  const incident = async (id: string, gridCode: string, [lng, lat]: [number, number], text: string) => {
    const title = `来电${PHONE}反映身份证${ID_NUMBER}被冒用 ${text}`;
    const detail = `报警人电话 ${PHONE}，身份证号 ${ID_NUMBER}。`;
    const address = `${text}路 ${PHONE} 转 ${ID_NUMBER}`;
    await db.run(sql`INSERT INTO incidents (id, source_ref, category, title, detail, lng, lat, priority, source, reported_at,
        received_at, address, reporter, phone, grid_code, state, assignee_kind, assignee_id, supervision, satisfaction,
        updated_at, closed_at)
      VALUES (${id}, ${id}, 'fire_safety', ${title}, ${detail}, ${lng}, ${lat}, 2, 'hotline_12345', ${now},
        ${now}, ${address}, '张三', ${PHONE}, ${gridCode}, 'reported', NULL, NULL, 0, NULL,
        ${now}, NULL)`);
    const stored = await db.get<IncidentRow>(
      sql`SELECT ${sql.raw(INCIDENT_COLUMNS)} FROM incidents WHERE id = ${id}`,
    );
    live.incidents.upsert(toIncidentView(stored!));
  };
  await incident('INC-A', GRID_A1_1, IN_A, '北山');
  await incident('INC-B', GRID_B1_1, IN_B, '西溪');

  return {
    t,
    clock,
    api,
    login,
    async displayToken(name, regionCode) {
      const r = await api('/api/display-tokens', {
        method: 'POST',
        cookie: admin,
        body: { name, ...(regionCode ? { regionCode } : {}) },
      });
      if (r.status !== 201) throw new Error(`display token: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.token as string;
    },
    async scopeUser(username, regionCode) {
      await db.run(sql`UPDATE users SET region_code = ${regionCode} WHERE username = ${username}`);
    },
    close: () => t.close(),
  };
}
