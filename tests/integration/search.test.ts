import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SearchResult } from '@/lib/search/search-result';
import { SEARCH_LIMIT_PER_KIND } from '@/lib/search/search-result';
import { createSearch, escapeLike } from '@/server/search/search';
import { CENTER, startDispatchKit, STATUS, type DispatchKit } from './dispatch-test-kit';

let kit: DispatchKit;
let cookie: string;

const search = async (q: string, c = cookie) => {
  const r = await kit.api('GET', `/api/search?q=${encodeURIComponent(q)}`, { cookie: c });
  expect(r.status).toBe(200);
  return r.body.results as SearchResult[];
};
const ids = (rs: SearchResult[], kind?: string) =>
  rs.filter((r) => !kind || r.kind === kind).map((r) => r.id);

beforeAll(async () => {
  kit = await startDispatchKit();
  const db = kit.t.app.ctx.sql;
  const now = kit.clock.now();
  // Two towns of one district (3301020010xx vs 3301020020xx) so region scoping has something to leave out.
  await db.run(
    sql`INSERT INTO departments (id, name, kind, region_code, categories) VALUES
          ('d-ps-1', '清波派出所', 'police_station', '330102001000', '[]'),
          ('d-ps-2', '湖滨派出所', 'police_station', '330102002000', '[]')`,
  );
  const vehicle = (id: string, name: string, kind: string, departmentId: string, plate: string) =>
    db.run(
      sql`INSERT INTO vehicles (id, name, kind, department_id, plate, created_at)
          VALUES (${id}, ${name}, ${kind}, ${departmentId}, ${plate}, ${now})`,
    );
  await vehicle('v-001', '清波巡逻车01', 'patrol_car', 'd-ps-1', '浙A·12345');
  await vehicle('v-002', '湖滨巡逻车02', 'patrol_car', 'd-ps-2', '浙A·67890');
  await vehicle('v-fire', '消防车01', 'fire_engine', 'd-fire', '浙A·11911');
  await vehicle('v-pct', '百分_车', 'patrol_car', 'd-ps-1', '浙A·50%X');
  const worker = (id: string, name: string, gridCode: string, phone: string) =>
    db.run(
      sql`INSERT INTO workers (id, name, grid_code, phone, created_at) VALUES (${id}, ${name}, ${gridCode}, ${phone}, ${now})`,
    );
  await worker('w-1', '王建国', '330102001001001', '13900000001');
  await worker('w-2', '王小明', '330102002001001', '13900000002');
  await db.run(
    sql`INSERT INTO cameras (id, name, lng, lat, grid_code, created_at)
        VALUES ('33010200001320000001', '清波街口', ${CENTER.lng}, ${CENTER.lat}, '330102001001001', ${now})`,
  );
  await kit.addIncident('INC-A1', {
    title: '工地拖欠农民工工资',
    address: '清波街 8 号',
    gridCode: '330102001001001',
  });
  await kit.addIncident('INC-B2', {
    title: '楼道堆物',
    address: '湖滨路 12 号',
    gridCode: '330102002001001',
  });
  await kit.placeUnit(kit.t.app.ctx.live.vehicle, 'v-001', 120.171, 30.251, STATUS.patrol);
  cookie = await kit.login('dispatcher');
});

afterAll(async () => {
  await kit?.close();
});

describe('GET /api/search', () => {
  it('needs a signed-in caller', async () => {
    const r = await kit.api('GET', '/api/search?q=王');
    expect(r.status).toBe(401);
  });

  it('finds an incident by id and by address, with its place', async () => {
    const byId = await search('inc-a1');
    expect(ids(byId, 'incident')).toEqual(['INC-A1']);
    const hit = byId.find((r) => r.id === 'INC-A1')!;
    expect(hit.name).toBe('工地拖欠农民工工资');
    expect(hit.lng).toBeCloseTo(CENTER.lng);
    expect(ids(await search('湖滨路'), 'incident')).toEqual(['INC-B2']);
  });

  it('finds a vehicle by plate (case-insensitive), with its department and live position', async () => {
    const rs = await search('浙a·12345');
    expect(ids(rs, 'vehicle')).toEqual(['v-001']);
    const v = rs.find((r) => r.kind === 'vehicle')!;
    expect(v.name).toBe('清波巡逻车01');
    expect(v.detail).toContain('浙A·12345');
    expect(v.detail).toContain('清波派出所');
    expect(v.lng).toBeCloseTo(120.171);
  });

  it('finds workers by name, cameras and departments by name', async () => {
    expect(ids(await search('王'), 'worker').sort()).toEqual(['w-1', 'w-2']);
    expect(ids(await search('清波街口'), 'camera')).toEqual(['33010200001320000001']);
    expect(ids(await search('派出所'), 'department').sort()).toEqual(['d-ps-1', 'd-ps-2']);
  });

  it('treats % and _ as plain characters, not wildcards', async () => {
    expect(escapeLike('50%_\\')).toBe('50\\%\\_\\\\');
    // Unescaped, "%" would match every vehicle and "_" any one character.
    expect(ids(await search('%'), 'vehicle')).toEqual(['v-pct']);
    expect(ids(await search('50%'), 'vehicle')).toEqual(['v-pct']);
    expect(ids(await search('_'), 'vehicle')).toEqual(['v-pct']);
    expect(ids(await search("'; DROP TABLE vehicles; --"))).toEqual([]);
    expect(ids(await search('v-00'), 'vehicle').sort()).toEqual(['v-001', 'v-002']);
  });

  it('answers nothing for an empty query and bounds every kind', async () => {
    expect(await search('   ')).toEqual([]);
    for (let i = 0; i < SEARCH_LIMIT_PER_KIND + 15; i++)
      await kit.t.app.ctx.sql.run(
        sql`INSERT INTO workers (id, name, grid_code, created_at) VALUES (${`bulk-${i}`}, ${`批量网格员${i}`}, '330102001001001', 1)`,
      );
    expect(ids(await search('批量网格员'), 'worker')).toHaveLength(SEARCH_LIMIT_PER_KIND);
  });

  it('keeps a region-scoped principal inside its region', async () => {
    const s = createSearch({ sql: kit.t.app.ctx.sql });
    const town1 = { regionCode: '330102001000' };
    expect(ids(await s('王', town1), 'worker')).toEqual(['w-1']);
    expect(ids(await s('INC-', town1), 'incident')).toEqual(['INC-A1']);
    // Its own town's car and the district fire engine (whose department covers the town), not the other town's.
    expect(ids(await s('浙A', town1), 'vehicle').sort()).toEqual(['v-001', 'v-fire', 'v-pct']);
    expect(ids(await s('派出所', town1), 'department')).toEqual(['d-ps-1']);
    expect(ids(await s('王', { regionCode: null }), 'worker').sort()).toEqual(['w-1', 'w-2']);
  });

  it('scopes the route by the region of the signed-in account', async () => {
    await kit.t.app.ctx.sql.run(sql`UPDATE users SET region_code = '330102001000' WHERE username = 'leader'`);
    const leader = await kit.login('leader');
    expect(ids(await search('王', leader), 'worker')).toEqual(['w-1']);
    expect(ids(await search('INC-', leader), 'incident')).toEqual(['INC-A1']);
    expect(ids(await search('巡逻车', leader), 'vehicle')).toEqual(['v-001']);
  });

  it('masks grid workers for a role not entitled to personal names, and does not match them by name', async () => {
    const duty = await kit.login('duty');
    expect(ids(await search('王建国', duty), 'worker')).toEqual([]);
    const byId = (await search('w-1', duty)).find((r) => r.id === 'w-1')!;
    expect(byId.name).toBe('王**');
    expect(byId.detail ?? '').not.toContain('139');
  });
});
