import Flatbush from 'flatbush';
import type { IncidentCategory } from '../domain/enums';
import type { MultiPoly } from './geo';
import { multiBBox, pointInMulti } from './geo';
import { fakeMobile, personName } from './names';
import type { Rng } from './rng';
import type { RoadGraph } from './road-graph';
import type { Territory } from './territory';
import type {
  CameraProgram,
  CameraRec,
  DepartmentKind,
  DepartmentRec,
  Poi,
  VehicleKind,
  VehicleRec,
  WorkerRec,
  WorkerRole,
} from './world-types';

/** Which incident categories each kind of department answers for ("中心吹哨、部门报到"). */
export const DEPARTMENT_CATEGORIES: Record<DepartmentKind, IncidentCategory[]> = {
  police_station: ['public_security', 'dispute', 'special_population'],
  justice: ['dispute', 'petition', 'special_population'],
  street_office: ['citizen_request', 'petition', 'environment', 'other'],
  urban_management: ['city_management', 'environment'],
  fire: ['fire_safety', 'emergency'],
  emergency: ['emergency', 'work_safety'],
  traffic_police: ['traffic'],
};

/** Share of the fleet per department kind, and the vehicle kinds each runs (with weights). */
const FLEET: Record<DepartmentKind, { share: number; kinds: [VehicleKind, number][] }> = {
  police_station: {
    share: 0.5,
    kinds: [
      ['patrol_car', 6],
      ['motorbike', 2.5],
      ['ebike', 1.5],
    ],
  },
  justice: { share: 0, kinds: [] },
  street_office: {
    share: 0.1,
    kinds: [
      ['ebike', 2],
      ['patrol_car', 1],
    ],
  },
  urban_management: {
    share: 0.15,
    kinds: [
      ['law_enforcement', 2],
      ['ebike', 1],
    ],
  },
  fire: { share: 0.1, kinds: [['fire_engine', 1]] },
  emergency: { share: 0.05, kinds: [['rescue', 1]] },
  traffic_police: {
    share: 0.1,
    kinds: [
      ['motorbike', 2],
      ['patrol_car', 1],
    ],
  },
};

export const VEHICLE_KIND_LABELS: Record<VehicleKind, string> = {
  patrol_car: '巡逻车',
  motorbike: '摩托',
  ebike: '电动车',
  fire_engine: '消防车',
  rescue: '抢险车',
  law_enforcement: '执法车',
};

const pad = (n: number, w: number) => String(n).padStart(w, '0');

export function generateDepartments(t: Territory, graph: RoadGraph, rng: Rng): DepartmentRec[] {
  const out: DepartmentRec[] = [];
  const baseNear = (x: number, y: number) =>
    graph.node(Math.max(0, graph.nearestNode(...t.proj.toLngLat(x, y))));
  const add = (kind: DepartmentKind, name: string, regionCode: string, x: number, y: number) =>
    out.push({
      id: `dept-${regionCode.slice(0, 9)}-${kind}`,
      name,
      kind,
      regionCode,
      categories: DEPARTMENT_CATEGORIES[kind],
      phone: `028-${rng.int(6000_0000, 8999_9999)}`,
      base: baseNear(x + rng.normal(0, 200), y + rng.normal(0, 200)),
    });
  for (const d of t.districts) {
    const [minX, minY, maxX, maxY] = multiBBox(d.shape);
    add('emergency', `${d.name}应急管理局`, d.code, d.seed[0], d.seed[1]);
    add('traffic_police', `${d.name}交警大队`, d.code, d.seed[0] + 300, d.seed[1] - 300);
    for (const town of t.towns.filter((x) => x.code.startsWith(d.code.slice(0, 6)))) {
      const [x, y] = town.seed;
      const stemT = town.name.replace(/(街道|镇)$/, '');
      add('police_station', `${stemT}派出所`, town.code, x, y);
      add('justice', `${stemT}司法所`, town.code, x, y);
      add('street_office', town.isUrban ? `${town.name}办事处` : `${town.name}人民政府`, town.code, x, y);
      add('urban_management', `${stemT}城管中队`, town.code, x, y);
    }
    // Two fire stations a district, at its west and east thirds so response times are realistic.
    for (const [k, fx] of [
      [1, minX + (maxX - minX) / 3],
      [2, minX + (2 * (maxX - minX)) / 3],
    ] as const) {
      out.push({
        id: `dept-${d.code.slice(0, 6)}-fire-${k}`,
        name: `${d.name}消防救援${k === 1 ? '一' : '二'}站`,
        kind: 'fire',
        regionCode: d.code,
        categories: DEPARTMENT_CATEGORIES.fire,
        phone: '119',
        base: baseNear(fx, (minY + maxY) / 2),
      });
    }
  }
  return out;
}

/** Vehicles in batches (province scale: a million of them never sit in one array). */
export function* generateVehicles(
  departments: DepartmentRec[],
  total: number,
  rng: Rng,
  batch = 10_000,
): Generator<VehicleRec[]> {
  const kinds = Object.keys(FLEET) as DepartmentKind[];
  const byKind = new Map(kinds.map((k) => [k, departments.filter((d) => d.kind === k)]));
  const width = Math.max(5, String(total).length);
  let out: VehicleRec[] = [];
  let seq = 0;
  const counts = new Map(
    kinds.map((k) => [k, byKind.get(k)!.length ? Math.floor(total * FLEET[k].share) : 0]),
  );
  // Rounding leftovers go to the police, who run the most units anyway.
  counts.set(
    'police_station',
    total - [...counts.values()].reduce((a, b) => a + b, 0) + counts.get('police_station')!,
  );
  for (const kind of kinds) {
    const depts = byKind.get(kind)!;
    const fleet = FLEET[kind];
    const n = counts.get(kind)!;
    if (depts.length === 0 || n === 0) continue;
    for (let i = 0; i < n && seq < total; i++) {
      const dept = depts[i % depts.length]!;
      const vkind = rng.weighted(fleet.kinds);
      const serial = Math.floor(i / depts.length) + 1;
      seq++;
      out.push({
        id: `veh-${pad(seq, width)}`,
        name: `${dept.name.replace(/(办事处|人民政府)$/, '')}${VEHICLE_KIND_LABELS[vkind]}${pad(serial, 2)}`,
        kind: vkind,
        departmentId: dept.id,
        terminalPhone: `0138${pad(seq, 8)}`,
        base: dept.base,
      });
      if (out.length >= batch) {
        yield out;
        out = [];
      }
    }
  }
  if (out.length) yield out;
}

export function* generateWorkers(
  t: Territory,
  total: number,
  rng: Rng,
  batch = 10_000,
): Generator<WorkerRec[]> {
  const roles: [WorkerRole, number][] = [
    ['full_time', 0.7],
    ['assistant', 0.15],
    ['community_police', 0.08],
    ['auxiliary_police', 0.07],
  ];
  const width = Math.max(5, String(total).length);
  let out: WorkerRec[] = [];
  for (let i = 0; i < total; i++) {
    const grid = t.grids[i % t.grids.length]!;
    // The first worker of every grid is its full-time 专职网格员.
    const role = i < t.grids.length ? 'full_time' : rng.weighted(roles);
    out.push({
      id: `wkr-${pad(i + 1, width)}`,
      name: personName(rng),
      role,
      gridCode: grid.code,
      phone: fakeMobile(rng),
    });
    if (out.length >= batch) {
      yield out;
      out = [];
    }
  }
  if (out.length) yield out;
}

/** Finds the grid containing a point (metres), by bounding box then polygon. */
export function makeGridLocator(t: Territory): (x: number, y: number) => number {
  const index = new Flatbush(Math.max(1, t.gridShapes.length));
  for (const shape of t.gridShapes) {
    const [a, b, c, d] = multiBBox(shape);
    index.add(a, b, c, d);
  }
  if (t.gridShapes.length === 0) index.add(0, 0, 0, 0);
  index.finish();
  return (x, y) => {
    for (const i of index.search(x, y, x, y)) if (pointInMulti(x, y, t.gridShapes[i] as MultiPoly)) return i;
    return -1;
  };
}

const ROAD_WEIGHT = [4, 3, 2, 1]; // expressway, arterial, secondary, local: junction cameras crowd the big roads

/**
 * Cameras: most along roads (雪亮/天网 at junctions and road sections), a share clustered at key places
 * (schools, markets, stations), the rest in residential compounds (慧眼工程, households' own cameras).
 * Ids are GB/T 28181: centre code (district + town ordinal) · industry · type · network · serial.
 */
export function* generateCameras(
  t: Territory,
  graph: RoadGraph,
  pois: Poi[],
  total: number,
  rng: Rng,
  batch = 20_000,
): Generator<CameraRec[]> {
  const locate = makeGridLocator(t);
  // GB/T 28181 centre codes have 8 digits: the county's 6 and a 2-digit unit, here the town's ordinal.
  const townOrdinal = new Map<string, number>();
  const perDistrict = new Map<string, number>();
  for (const town of t.towns) {
    const district = town.code.slice(0, 6);
    const n = (perDistrict.get(district) ?? 0) + 1;
    perDistrict.set(district, n);
    townOrdinal.set(town.code.slice(0, 9), n);
  }
  const serials = new Map<string, number>();
  const cumulative: number[] = [];
  let sum = 0;
  for (let e = 0; e < graph.edgeCount; e++)
    cumulative.push((sum += graph.edgeLengthM[e]! * ROAD_WEIGHT[graph.edgeClass[e]!]!));
  const pickEdge = () => {
    const r = rng.next() * sum;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < r) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const poiShare = pois.length ? 0.2 : 0;
  let out: CameraRec[] = [];
  for (let i = 0; i < total; i++) {
    const roll = rng.next();
    let x: number;
    let y: number;
    let name: string;
    let industry: string;
    let program: CameraProgram;
    if (roll < poiShare) {
      const poi = rng.pick(pois);
      [x, y] = t.proj.toMeters(poi.lng, poi.lat);
      x += rng.normal(0, 25);
      y += rng.normal(0, 25);
      name = `${poi.name}${rng.pick(['东门', '南门', '西门', '北门', '广场', '出入口', '周界'])}`;
      industry = '01';
      program = 'xueliang';
    } else if (roll < 0.82 && graph.edgeCount > 0) {
      const e = pickEdge();
      const a = graph.node(graph.edgeA[e]!);
      const b = graph.node(graph.edgeB[e]!);
      const atJunction = rng.chance(0.45);
      const f = atJunction ? (rng.chance(0.5) ? 0.02 : 0.98) : rng.range(0.15, 0.85);
      [x, y] = t.proj.toMeters(a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f);
      // On a pole at the kerb, a few metres off the centre line.
      x += rng.normal(0, 6);
      y += rng.normal(0, 6);
      const road = graph.roadName(e);
      name = atJunction
        ? `${road}路口${rng.pick(['东', '南', '西', '北'])}向`
        : `${road}${rng.int(1, 400)}号`;
      industry = '00';
      program = rng.chance(0.3) ? 'tianwang' : 'xueliang';
    } else {
      const g = rng.int(0, t.grids.length - 1);
      const [minX, minY, maxX, maxY] = multiBBox(t.gridShapes[g]!);
      x = rng.range(minX, maxX);
      y = rng.range(minY, maxY);
      name = `${t.grids[g]!.name.replace(/第.+网格$/, '')}${rng.int(1, 30)}栋${rng.pick(['单元门', '楼道', '车棚', '院坝'])}`;
      industry = '03';
      program = 'huiyan';
    }
    const gi = locate(x, y);
    const gridCode = gi >= 0 ? t.grids[gi]!.code : null;
    const townCode = (gridCode ?? t.towns[0]!.code).slice(0, 9);
    const centre = `${townCode.slice(0, 6)}${pad(townOrdinal.get(townCode) ?? 1, 2)}`;
    const serial = (serials.get(centre) ?? 0) + 1;
    if (serial > 999_999) throw new Error(`more than 999,999 cameras under centre ${centre}: add towns`);
    serials.set(centre, serial);
    const type = rng.chance(0.7) ? '132' : '131';
    const network = program === 'huiyan' ? '8' : '0'; // 8: 社会资源接入网; 0: 监控报警专网
    const [lng, lat] = t.proj.toLngLat(x, y);
    out.push({
      id: `${centre}${industry}${type}${network}${pad(serial, 6)}`,
      name: name.slice(0, 64),
      lng,
      lat,
      gridCode,
      program,
    });
    if (out.length >= batch) {
      yield out;
      out = [];
    }
  }
  if (out.length) yield out;
}
