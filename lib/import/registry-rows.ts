import { CRS_VALUES, type Crs } from '../domain/enums';
import { isRegionCode } from '../domain/region-code';
import { toWgs84 } from '../geo/crs';
import type { IssueList, RegistryKind } from './issues';
import type { TableRow } from './read-table';

/** The columns each registry reads (DESIGN §4 import formats); others in the file are ignored. */
export const REGISTRY_COLUMNS: Record<RegistryKind, readonly string[]> = {
  cameras: ['id', 'name', 'lng', 'lat', 'crs', 'regionCode', 'streamUrl'],
  vehicles: ['id', 'name', 'plate', 'kind', 'terminal', 'departmentId'],
  workers: ['id', 'name', 'phone', 'gridCode', 'role'],
  departments: ['id', 'name', 'kind', 'regionCode', 'phone'],
};

export interface CameraRow {
  id: string;
  name: string;
  lng: number | null;
  lat: number | null;
  regionCode: string | null;
  streamUrl: string | null;
}
export interface VehicleRow {
  id: string;
  name: string;
  plate: string | null;
  kind: string | null;
  terminal: string | null;
  departmentId: string | null;
}
export interface WorkerRow {
  id: string;
  name: string;
  phone: string | null;
  gridCode: string | null;
  role: string | null;
}
export interface DepartmentRow {
  id: string;
  name: string;
  kind: string;
  regionCode: string | null;
  phone: string | null;
}
export interface RegistryRowMap {
  cameras: CameraRow;
  vehicles: VehicleRow;
  workers: WorkerRow;
  departments: DepartmentRow;
}

/** What the database already knows, as the row checks need it. */
export interface RegistryLookups {
  hasRegion(code: string): boolean;
  hasGrid(code: string): boolean;
  hasDepartment(id: string): boolean;
  /** The vehicle holding a JT/T 808 terminal number, if any. */
  terminalOwner(terminal: string): string | null;
}

/** China with a margin: a coordinate outside is a typo or swapped columns. */
const LNG_RANGE = [70, 140] as const;
const LAT_RANGE = [0, 60] as const;

const WORKER_ROLES: Record<string, string> = {
  full_time: 'full_time',
  专职网格员: 'full_time',
  网格员: 'full_time',
  assistant: 'assistant',
  协管员: 'assistant',
  community_police: 'community_police',
  社区民警: 'community_police',
  auxiliary_police: 'auxiliary_police',
  辅警: 'auxiliary_police',
};

const DEPARTMENT_KINDS: Record<string, string> = {
  派出所: 'police_station',
  司法所: 'justice',
  街道办: 'street_office',
  城管: 'urban_management',
  消防: 'fire',
  应急: 'emergency',
  交警: 'traffic_police',
};

const ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
const GB28181_ID_RE = /^\d{20}$/;
const PHONE_RE = /^\+?[\d-]{3,20}$/;
const STREAM_RE = /^(rtsp|rtmp|https?|wss?):\/\/\S+$/i;
const KIND_RE = /^[a-z][a-z0-9_]{1,31}$/;
const TEXT_MAX = 64;

/**
 * Checks one registry row and returns the record to upsert, or null after adding each problem (with the row
 * and field) to `errors`. Rows stand alone here; uniqueness across rows is checked by the caller.
 */
export function checkRegistryRow<K extends RegistryKind>(
  kind: K,
  row: TableRow,
  lookups: RegistryLookups,
  errors: IssueList,
): RegistryRowMap[K] | null {
  const at = `row ${row.row}`;
  let isOk = true;
  const fail = (field: string, message: string): null => {
    errors.add(at, message, field);
    isOk = false;
    return null;
  };
  const v = (field: string): string => row.values[field] ?? '';
  for (const field of row.lossy)
    fail(field, `${field} 在表格中是数字，超过 15 位已失真：请把该列设为文本格式后重新导出`);
  const text = (field: string, label: string, isRequired: boolean): string | null => {
    const s = v(field);
    if (!s) return isRequired ? fail(field, `缺少${label}`) : null;
    if (s.length > TEXT_MAX) return fail(field, `${label}超过 ${TEXT_MAX} 字`);
    return s;
  };
  const phone = (field: string, label: string): string | null => {
    const s = v(field).replace(/\s/g, '');
    if (!s) return null;
    return PHONE_RE.test(s) ? s : fail(field, `${label}格式不对："${s}"`);
  };
  const region = (field: string): string | null => {
    const s = v(field);
    if (!s) return null;
    if (!isRegionCode(s)) return fail(field, `区划代码须为 12 位或 15 位数字，而不是 "${s}"`);
    const known = s.length === 15 ? lookups.hasGrid(s) : lookups.hasRegion(s);
    return known ? s : fail(field, `区划 ${s} 不存在：请先导入辖区`);
  };

  if (kind === 'cameras') {
    const id = v('id');
    if (!GB28181_ID_RE.test(id))
      fail('id', id ? `id 须为 20 位国标编码（GB/T 28181），而不是 "${id}"` : '缺少 id');
    const name = text('name', '名称', true);
    const [lng, lat] = position(v('lng'), v('lat'), v('crs'), fail);
    const regionCode = region('regionCode');
    const url = v('streamUrl');
    const streamUrl = !url
      ? null
      : STREAM_RE.test(url)
        ? url
        : fail('streamUrl', `视频流地址须为 rtsp/rtmp/http(s)/ws(s) 地址："${url}"`);
    const out: CameraRow = { id, name: name ?? '', lng, lat, regionCode, streamUrl };
    return isOk ? (out as RegistryRowMap[K]) : null;
  }
  const id = v('id');
  if (!ID_RE.test(id)) fail('id', id ? `id 只能含字母、数字和 _.:-（最多 64 位）："${id}"` : '缺少 id');
  const name = text('name', '名称', true) ?? '';
  if (kind === 'vehicles') {
    const t = v('terminal').replace(/\s/g, '');
    // Stored as the JT/T 808 gateway keys terminals (server/protocols/jt808 phoneKey): digits without the
    // BCD zero padding, so 013800000001 and 13800000001 are one terminal.
    const terminal = !t
      ? null
      : /^\d{11,20}$/.test(t)
        ? t.replace(/^0+/, '') || '0'
        : fail('terminal', `终端号须为 11–20 位数字（JT/T 808 终端手机号）："${t}"`);
    if (terminal) {
      const owner = lookups.terminalOwner(terminal);
      if (owner && owner !== id) fail('terminal', `终端号 ${terminal} 已属于车辆 ${owner}`);
    }
    const dept = v('departmentId');
    if (dept && !lookups.hasDepartment(dept)) fail('departmentId', `部门 ${dept} 不存在：请先导入部门`);
    const kindText = v('kind');
    if (kindText && !KIND_RE.test(kindText))
      fail('kind', `类型须为英文代码（如 patrol_car），而不是 "${kindText}"`);
    const out: VehicleRow = {
      id,
      name,
      plate: text('plate', '车牌', false),
      kind: kindText || null,
      terminal,
      departmentId: dept || null,
    };
    return isOk ? (out as RegistryRowMap[K]) : null;
  }
  if (kind === 'workers') {
    const g = v('gridCode');
    let gridCode: string | null = null;
    if (g) {
      if (!/^\d{15}$/.test(g)) fail('gridCode', `网格编码须为 15 位数字，而不是 "${g}"`);
      else if (!lookups.hasGrid(g)) fail('gridCode', `网格 ${g} 不存在：请先导入辖区`);
      else gridCode = g;
    }
    const r = v('role');
    const role = !r
      ? null
      : (WORKER_ROLES[r] ??
        fail(
          'role',
          `角色须为 full_time、assistant、community_police 或 auxiliary_police（或专职网格员、协管员、社区民警、辅警），而不是 "${r}"`,
        ));
    const out: WorkerRow = { id, name, phone: phone('phone', '电话'), gridCode, role };
    return isOk ? (out as RegistryRowMap[K]) : null;
  }
  const k = v('kind');
  const deptKind = DEPARTMENT_KINDS[k] ?? (KIND_RE.test(k) ? k : null);
  if (!deptKind)
    fail(
      'kind',
      k ? `部门类型须为英文代码（如 police_station）或派出所、司法所等，而不是 "${k}"` : '缺少部门类型 kind',
    );
  const out: DepartmentRow = {
    id,
    name,
    kind: deptKind ?? '',
    regionCode: region('regionCode'),
    phone: phone('phone', '电话'),
  };
  return isOk ? (out as RegistryRowMap[K]) : null;
}

function position(
  lngText: string,
  latText: string,
  crsText: string,
  fail: (field: string, message: string) => null,
): [number | null, number | null] {
  if (!lngText && !latText) return [null, null];
  if (!lngText) return [fail('lng', '有纬度却缺少经度'), null];
  if (!latText) return [null, fail('lat', '有经度却缺少纬度')];
  const lng = Number(lngText);
  const lat = Number(latText);
  let isOk = true;
  if (!Number.isFinite(lng) || lng < LNG_RANGE[0] || lng > LNG_RANGE[1]) {
    fail('lng', `经度超出范围（${LNG_RANGE[0]}–${LNG_RANGE[1]}）："${lngText}"`);
    isOk = false;
  }
  if (!Number.isFinite(lat) || lat < LAT_RANGE[0] || lat > LAT_RANGE[1]) {
    fail('lat', `纬度超出范围（${LAT_RANGE[0]}–${LAT_RANGE[1]}）："${latText}"`);
    isOk = false;
  }
  const crs = (crsText
    .trim()
    .toLowerCase()
    .replace(/[\s_-]/g, '') || 'wgs84') as Crs;
  if (!CRS_VALUES.includes(crs)) {
    fail('crs', `坐标系须为 wgs84、gcj02 或 bd09，而不是 "${crsText}"`);
    isOk = false;
  }
  if (!isOk) return [null, null];
  const [x, y] = toWgs84(lng, lat, crs);
  // 7 decimals (~1 cm): a re-import of the same file compares equal.
  return [Math.round(x * 1e7) / 1e7, Math.round(y * 1e7) / 1e7];
}
