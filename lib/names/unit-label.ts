import { maskName } from '../wall/format';

/**
 * How a unit, a department or a grid worker is named on every page: by name (with the plate or role where it
 * tells units apart), never by its id. Ids stay available to the operator as secondary text.
 */
export type Lang = 'zh' | 'en';
type Words = Record<string, { zh: string; en: string }>;

export const VEHICLE_KIND_WORDS: Words = {
  patrol_car: { zh: '巡逻车', en: 'Patrol car' },
  motorbike: { zh: '摩托', en: 'Motorbike' },
  ebike: { zh: '电动车', en: 'E-bike' },
  fire_engine: { zh: '消防车', en: 'Fire engine' },
  rescue: { zh: '抢险车', en: 'Rescue vehicle' },
  law_enforcement: { zh: '执法车', en: 'Enforcement vehicle' },
};

export const WORKER_ROLE_WORDS: Words = {
  full_time: { zh: '专职网格员', en: 'Grid worker' },
  assistant: { zh: '协管员', en: 'Assistant' },
  community_police: { zh: '社区民警', en: 'Community police' },
  auxiliary_police: { zh: '辅警', en: 'Auxiliary police' },
};

export const DEPARTMENT_KIND_WORDS: Words = {
  police_station: { zh: '派出所', en: 'Police station' },
  justice: { zh: '司法所', en: 'Justice office' },
  street_office: { zh: '街道办', en: 'Street office' },
  urban_management: { zh: '城管', en: 'Urban management' },
  fire: { zh: '消防', en: 'Fire service' },
  emergency: { zh: '应急', en: 'Emergency management' },
  traffic_police: { zh: '交警', en: 'Traffic police' },
};

export const ASSIGNEE_KIND_WORDS: Words = {
  vehicle: { zh: '车辆', en: 'Vehicle' },
  worker: { zh: '网格员', en: 'Grid worker' },
  department: { zh: '部门', en: 'Department' },
};

function word(words: Words, key: string | null | undefined, lang: Lang): string | null {
  return key ? (words[key]?.[lang] ?? null) : null;
}

export interface VehicleNameParts {
  id: string;
  name?: string | null;
  plate?: string | null;
  kind?: string | null;
}

/** "城西派出所巡逻车01 川A·12345"; with no name "巡逻车 川A·12345"; with neither name nor plate "巡逻车 veh-00057". */
export function vehicleLabel(v: VehicleNameParts, lang: Lang = 'zh'): string {
  const name = v.name?.trim();
  const plate = v.plate?.trim();
  if (name) return plate && !name.includes(plate) ? `${name} ${plate}` : name;
  const kind = word(VEHICLE_KIND_WORDS, v.kind, lang) ?? ASSIGNEE_KIND_WORDS.vehicle![lang];
  return `${kind} ${plate || v.id}`;
}

export interface WorkerNameParts {
  id: string;
  name?: string | null;
  role?: string | null;
}

/**
 * "张三 (专职网格员)", or "张** (专职网格员)" when masked: a grid worker is a person, and a wall (seen by a room)
 * or a role not entitled to personal data shows the name as the wall masks every personal name.
 */
export function workerLabel(w: WorkerNameParts, opts: { lang?: Lang; isMasked?: boolean } = {}): string {
  const lang = opts.lang ?? 'zh';
  const role = word(WORKER_ROLE_WORDS, w.role, lang) ?? ASSIGNEE_KIND_WORDS.worker![lang];
  const name = w.name?.trim();
  if (!name) return `${role} ${w.id}`;
  return `${opts.isMasked ? maskName(name) : name} (${role})`;
}

export interface DepartmentNameParts {
  id: string;
  name?: string | null;
  kind?: string | null;
}

/** "城西派出所"; with no name its kind and id ("派出所 dept-…"), so it is never a bare id. */
export function departmentLabel(d: DepartmentNameParts, lang: Lang = 'zh'): string {
  const name = d.name?.trim();
  if (name) return name;
  return `${word(DEPARTMENT_KIND_WORDS, d.kind, lang) ?? ASSIGNEE_KIND_WORDS.department![lang]} ${d.id}`;
}
