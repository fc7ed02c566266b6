import { sqliteSqlDb } from '../db/sql-db';
import { describe, expect, it } from 'vitest';
import { CAMERA_STATUSES, VEHICLE_STATUSES } from '@/lib/domain/enums';
import { RoadGraph } from '@/lib/world/road-graph';
import { STALE_AFTER_MS } from '@/lib/realtime/contract';
import { EntityStore } from '../live/entity-store';
import { openDatabase } from '../db/open-database';
import { DEFAULT_DISPATCH_FIT, parseDispatchFit } from '@/lib/domain/dispatch-fit';
import {
  availableVehicle,
  camerasNear,
  createUnitDescribers,
  loadDepartmentFinder,
  departmentsFor,
  NOT_FIT_TOP_N,
  onDutyWorker,
  rankUnits,
  rankUnitsDescribed,
} from './recommend';
import { haversineM, straightLineEstimator } from './travel-time';

const NOW = Date.UTC(2026, 10, 23, 2, 0, 0);
const INCIDENT = { lng: 120.17, lat: 30.25 };
const PATROL = VEHICLE_STATUSES.indexOf('patrol');

/**
 * A river runs east–west just north of the incident. Car A is 670 m north across it, and must drive east
 * to the bridge and back (~3.5 km of slow local roads); car B is 960 m east on the arterial straight to the
 * incident; car C sits on a road cut off from the network, so it can only be estimated in a straight line.
 */
const graph = RoadGraph.fromJSON({
  v: 1,
  nodes: [120.17, 30.25, 120.18, 30.25, 120.17, 30.256, 120.19, 30.256, 120.17, 30.243, 120.171, 30.243],
  // a, b, class (0 expressway, 1 arterial, 3 local), road
  edges: [0, 1, 1, 0, 2, 3, 3, 1, 3, 1, 3, 1, 4, 5, 3, 2],
  roadNames: ['解放路', '江北路', '断头路'],
});

function vehicles(): EntityStore {
  const s = new EntityStore('vehicle');
  const put = (id: string, lng: number, lat: number, status = PATROL, ts = NOW - 1000) => {
    const i = s.add({ id, name: id, kind: 'car' });
    s.lng[i] = lng;
    s.lat[i] = lat;
    s.status[i] = status;
    s.ts[i] = ts;
  };
  put('A', 120.17, 30.256);
  put('B', 120.18, 30.25);
  put('C', 120.17, 30.243);
  put('busy', 120.1701, 30.2501);
  put('responding', 120.1702, 30.2501, VEHICLE_STATUSES.indexOf('responding'));
  put('stale', 120.1703, 30.2501, PATROL, NOW - STALE_AFTER_MS.vehicle - 1);
  put('far', 121.5, 31.2);
  return s;
}

const opts = (estimator = graph) => ({
  isAvailable: availableVehicle(new Set(['busy'])),
  now: NOW,
  staleAfterMs: STALE_AFTER_MS.vehicle,
  estimator,
});

describe('recommendations', () => {
  it('ranks by travel time over the road network, not by distance', () => {
    const ranked = rankUnits(vehicles(), INCIDENT, opts());
    expect(ranked.map((r) => r.id)).toEqual(['B', 'C', 'A']);
    expect(ranked.map((r) => r.method)).toEqual(['road', 'straight_line', 'road']);
    // B: 963 m of arterial at 40 km/h ≈ 87 s.
    expect(ranked[0]!.travelTimeS).toBeGreaterThan(80);
    expect(ranked[0]!.travelTimeS).toBeLessThan(95);
    expect(ranked[2]!.travelTimeS).toBeGreaterThan(500);
  });

  it('falls back to straight line × detour without a road graph (A is then nearest)', () => {
    const ranked = rankUnits(vehicles(), INCIDENT, opts(straightLineEstimator as unknown as RoadGraph));
    expect(ranked.map((r) => r.id)).toEqual(['A', 'C', 'B']);
    expect(ranked.every((r) => r.method === 'straight_line')).toBe(true);
    expect(haversineM(120.17, 30.25, 120.18, 30.25)).toBeCloseTo(963, -1);
  });

  it('leaves out busy, responding, stale and far-away units', () => {
    const ids = rankUnits(vehicles(), INCIDENT, opts()).map((r) => r.id);
    for (const id of ['busy', 'responding', 'stale', 'far']) expect(ids).not.toContain(id);
  });

  it('lists cameras within the radius with their status, stale when silent', () => {
    const cams = new EntityStore('camera');
    const put = (id: string, dLat: number, status: number, ts: number) => {
      const i = cams.add({ id, name: id, kind: null });
      cams.lng[i] = INCIDENT.lng;
      cams.lat[i] = INCIDENT.lat + dLat;
      cams.status[i] = status;
      cams.ts[i] = ts;
    };
    put('near-online', 0.001, CAMERA_STATUSES.indexOf('online'), NOW - 1000);
    put('near-fault', 0.002, CAMERA_STATUSES.indexOf('fault'), NOW - 1000);
    put('near-silent', 0.003, CAMERA_STATUSES.indexOf('online'), NOW - STALE_AFTER_MS.camera - 1);
    put('far', 0.05, CAMERA_STATUSES.indexOf('online'), NOW);
    expect(camerasNear(cams, INCIDENT, NOW).map((c) => `${c.id}:${c.status}`)).toEqual([
      'near-online:online',
      'near-fault:fault',
      'near-silent:stale',
    ]);
  });

  it('proposes the departments for the category, most local first', async () => {
    const db = openDatabase(':memory:');
    const ins = db.$client.prepare(
      'INSERT INTO departments (id, name, kind, region_code, categories) VALUES (?, ?, ?, ?, ?)',
    );
    ins.run('town-fire', '街道消防站', 'fire', '330102001000', '["fire_safety"]');
    ins.run('everywhere', '应急管理局', 'emergency', null, '["fire_safety"]');
    ins.run('district-fire', '区消防大队', 'fire', '330102000000', '["fire_safety","emergency"]');
    ins.run('other-district', '他区消防', 'fire', '330105000000', '["fire_safety"]');
    ins.run('police', '派出所', 'police_station', '330102001000', '["public_security"]');
    expect(
      (await departmentsFor(sqliteSqlDb(db.$client), 'fire_safety', '330102001001001')).map((d) => d.id),
    ).toEqual(['town-fire', 'district-fire', 'everywhere']);
    db.$client.close();
  });

  it('the batch finder ranks exactly as departmentsFor, for every grid and category', async () => {
    const db = openDatabase(':memory:');
    const ins = db.$client.prepare(
      'INSERT INTO departments (id, name, kind, region_code, categories) VALUES (?, ?, ?, ?, ?)',
    );
    ins.run('town-fire', '街道消防站', 'fire', '330102001000', '["fire_safety"]');
    ins.run('town2-fire', '街道消防站', 'fire', '330102002000', '["fire_safety"]');
    ins.run('everywhere', '应急管理局', 'emergency', null, '["fire_safety","emergency"]');
    ins.run('district-fire', '区消防大队', 'fire', '330102000000', '["fire_safety","emergency"]');
    ins.run('other-district', '他区消防', 'fire', '330105000000', '["fire_safety"]');
    ins.run('city', '市城管局', 'city_management', '330100000000', '["city_management"]');
    ins.run('community', '社区工作站', 'street_office', '330102001001', '["dispute","other"]');
    ins.run('police', '派出所', 'police_station', '330102001000', '["public_security","dispute"]');
    ins.run('justice', '司法所', 'justice', '330102001000', '["dispute"]');
    const find = await loadDepartmentFinder(sqliteSqlDb(db.$client));
    const grids = [
      '330102001001001',
      '330102001002001',
      '330102002001001',
      '330105001001001',
      '440101001001001',
      null,
    ];
    const categories = [
      'fire_safety',
      'emergency',
      'dispute',
      'city_management',
      'public_security',
      'other',
      'nonsense',
    ];
    let nonEmpty = 0;
    for (const grid of grids)
      for (const category of categories) {
        const expected = await departmentsFor(sqliteSqlDb(db.$client), category, grid);
        if (expected.length) nonEmpty++;
        expect(find(category, grid), `${category} in ${grid}`).toEqual(expected);
      }
    // The comparison covers real answers, not only empty lists.
    expect(nonEmpty).toBeGreaterThan(15);
    db.$client.close();
  });

  it('proposes a dispute to 司法所, then 派出所, not to fire or 应急 (whose categories do not name it)', async () => {
    const db = openDatabase(':memory:');
    const ins = db.$client.prepare(
      'INSERT INTO departments (id, name, kind, region_code, categories) VALUES (?, ?, ?, ?, ?)',
    );
    ins.run('police', '清波派出所', 'police_station', '330102001000', '["public_security","dispute"]');
    ins.run('justice', '清波司法所', 'justice', '330102001000', '["dispute"]');
    ins.run('fire', '区消防大队', 'fire', '330102000000', '["fire_safety","emergency"]');
    ins.run('traffic', '区交警大队', 'traffic_police', '330102000000', '["traffic"]');
    const depts = await departmentsFor(sqliteSqlDb(db.$client), 'dispute', '330102001001001');
    expect(depts.map((d) => `${d.id}:${d.fit?.reason}`)).toEqual([
      'justice:对口: 司法所',
      'police:对口: 派出所',
    ]);
    // The console words the reason in its own language from this, not from the Chinese text.
    expect(depts[0]!.fit?.why).toEqual({ code: 'department_kind', params: { kind: 'justice' } });
    db.$client.close();
  });
});

/**
 * A wage dispute (工地拖欠农民工工资) in the middle of a town: the nearest units are a traffic-police car, a fire
 * engine and an emergency truck, the ones that fit (a 派出所 car, a 街道办 e-bike) are further away.
 */
describe('recommendations fit the incident (对口)', () => {
  function world() {
    const db = openDatabase(':memory:');
    const sqlite = db.$client;
    const dept = sqlite.prepare(
      `INSERT INTO departments (id, name, kind, region_code, categories) VALUES (?, ?, ?, '330102001000', '[]')`,
    );
    dept.run('d-traffic', '区交警大队', 'traffic_police');
    dept.run('d-fire', '区消防一站', 'fire');
    dept.run('d-emergency', '区应急管理局', 'emergency');
    dept.run('d-police', '清波派出所', 'police_station');
    dept.run('d-street', '清波街道办事处', 'street_office');
    const store = new EntityStore('vehicle');
    const row = sqlite.prepare(
      'INSERT INTO vehicles (id, name, kind, department_id, plate, created_at) VALUES (?, ?, ?, ?, ?, 0)',
    );
    const put = (id: string, kind: string, deptId: string | null, dLng: number) => {
      row.run(id, `${id}车`, kind, deptId, `浙A·${id.toUpperCase()}`);
      const i = store.add({ id, name: `${id}车`, kind });
      store.lng[i] = INCIDENT.lng + dLng;
      store.lat[i] = INCIDENT.lat;
      store.status[i] = PATROL;
      store.ts[i] = NOW - 1000;
    };
    put('traffic', 'patrol_car', 'd-traffic', 0.001); // ~100 m
    put('fire', 'fire_engine', 'd-fire', 0.002);
    put('rescue', 'rescue', 'd-emergency', 0.003);
    put('police-far', 'patrol_car', 'd-police', 0.02); // ~1.9 km
    put('police-near', 'motorbike', 'd-police', 0.01); // ~960 m
    put('street', 'ebike', 'd-street', 0.015);
    return { sqlite, store, close: () => sqlite.close() };
  }

  const rank = async (category: 'dispute' | 'emergency' | 'traffic', config = DEFAULT_DISPATCH_FIT) => {
    const w = world();
    const describe = createUnitDescribers(sqliteSqlDb(w.sqlite)).vehicles(config, category, w.store);
    const out = await rankUnitsDescribed(w.store, INCIDENT, {
      isAvailable: availableVehicle(new Set()),
      now: NOW,
      staleAfterMs: STALE_AFTER_MS.vehicle,
      estimator: straightLineEstimator as unknown as RoadGraph,
      describe,
    });
    w.close();
    return out;
  };

  it('never ranks a fire engine or a traffic car first for a wage dispute; travel time ranks the fitting ones', async () => {
    const ranked = await rank('dispute');
    expect(ranked.map((r) => r.id)).toEqual(['police-near', 'street', 'police-far', 'traffic', 'fire']);
    expect(ranked.map((r) => r.fit?.isFit)).toEqual([true, true, true, false, false]);
    expect(ranked[0]!.fit?.reason).toBe('对口: 派出所');
    expect(ranked[0]!.fit?.why?.code).toBeDefined();
    expect(ranked[3]!.fit?.reason).toBe('不对口: 交警');
    // Fitting units in travel-time order, then at most NOT_FIT_TOP_N others, quickest first.
    const fitting = ranked.filter((r) => r.fit?.isFit);
    for (let k = 1; k < fitting.length; k++)
      expect(fitting[k]!.travelTimeS).toBeGreaterThanOrEqual(fitting[k - 1]!.travelTimeS);
    expect(ranked.filter((r) => !r.fit?.isFit)).toHaveLength(NOT_FIT_TOP_N);
    expect(ranked[0]).toMatchObject({ plate: '浙A·POLICE-NEAR', owner: '清波派出所' });
  });

  it('sends a gas leak to fire, 应急 and 派出所 first, and traffic to traffic police', async () => {
    expect((await rank('emergency')).slice(0, 3).map((r) => r.id)).toEqual(['fire', 'rescue', 'police-near']);
    expect((await rank('traffic'))[0]).toMatchObject({
      id: 'traffic',
      fit: { isFit: true, reason: '对口: 交警' },
    });
  });

  it('follows a deployment override', async () => {
    const { config } = parseDispatchFit(JSON.stringify({ dispute: { departmentKinds: ['traffic_police'] } }));
    expect((await rank('dispute', config))[0]!.id).toBe('traffic');
  });

  it('puts the grid worker of the incident first, then others by travel time, for a dispute', async () => {
    const db = openDatabase(':memory:');
    const row = db.$client.prepare(
      'INSERT INTO workers (id, name, grid_code, created_at) VALUES (?, ?, ?, 0)',
    );
    const store = new EntityStore('worker');
    const put = (id: string, grid: string, dLng: number) => {
      row.run(id, id, grid);
      const i = store.add({ id, name: id, kind: null });
      store.lng[i] = INCIDENT.lng + dLng;
      store.lat[i] = INCIDENT.lat;
      store.status[i] = 0; // on_duty
      store.ts[i] = NOW - 1000;
    };
    put('other-near', '330102001001002', 0.001);
    put('own-far', '330102001001001', 0.01);
    put('other-mid', '330102001001003', 0.005);
    const describe = createUnitDescribers(sqliteSqlDb(db.$client)).workers(
      DEFAULT_DISPATCH_FIT,
      'dispute',
      '330102001001001',
    );
    const ranked = await rankUnitsDescribed(store, INCIDENT, {
      isAvailable: onDutyWorker(new Set()),
      now: NOW,
      staleAfterMs: STALE_AFTER_MS.worker,
      describe,
    });
    expect(ranked.map((r) => `${r.id}:${r.fit?.reason}`)).toEqual([
      'own-far:对口: 本网格',
      'other-near:对口: 网格员',
      'other-mid:对口: 网格员',
    ]);
    db.$client.close();
  });
});
