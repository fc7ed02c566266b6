import { z } from 'zod';
import { INCIDENT_CATEGORIES, type IncidentCategory } from './enums';

/**
 * Which units and departments fit an incident category (对口): a wage dispute goes to 司法所, 派出所, 劳动监察 and
 * the grid's worker, never to a fire engine. Recommendations rank by travel time *within* the fitting units;
 * units that do not fit follow, marked 不对口 (docs/dispatch-fit.md says why they are kept).
 *
 * The default below is configuration, not code: a deployment overrides any category by writing JSON to the
 * `meta` row `dispatch_fit` (see DispatchFitOverrideSchema); the server reads it on every recommendation.
 */
export interface CategoryFit {
  /** Department kinds that answer for the category, best first; a vehicle fits by its owner's kind. */
  departmentKinds: string[];
  /** Vehicle kinds that fit whoever owns them (a fire engine for a fire, a rescue truck for a collapse). */
  vehicleKinds: string[];
  /** Grid workers: `own_grid` fit only in their own grid, `any` fit anywhere (own grid first), `none` never. */
  workers: 'own_grid' | 'any' | 'none';
}

export type DispatchFitConfig = Record<IncidentCategory, CategoryFit>;

/** The meta row holding a deployment's override (JSON: DispatchFitOverride). */
export const DISPATCH_FIT_META_KEY = 'dispatch_fit';

export const DEFAULT_DISPATCH_FIT: DispatchFitConfig = {
  dispute: {
    departmentKinds: ['justice', 'police_station', 'labor_inspection', 'street_office'],
    vehicleKinds: [],
    workers: 'any',
  },
  public_security: { departmentKinds: ['police_station'], vehicleKinds: [], workers: 'own_grid' },
  fire_safety: { departmentKinds: ['fire', 'emergency'], vehicleKinds: ['fire_engine'], workers: 'own_grid' },
  work_safety: {
    departmentKinds: ['emergency', 'street_office'],
    vehicleKinds: ['rescue'],
    workers: 'own_grid',
  },
  traffic: { departmentKinds: ['traffic_police'], vehicleKinds: [], workers: 'none' },
  environment: {
    departmentKinds: ['urban_management', 'environment_protection', 'street_office'],
    vehicleKinds: [],
    workers: 'any',
  },
  city_management: {
    departmentKinds: ['urban_management', 'street_office'],
    vehicleKinds: ['law_enforcement'],
    workers: 'any',
  },
  special_population: {
    departmentKinds: ['police_station', 'justice', 'street_office'],
    vehicleKinds: [],
    workers: 'any',
  },
  petition: { departmentKinds: ['justice', 'street_office'], vehicleKinds: [], workers: 'any' },
  citizen_request: {
    departmentKinds: ['street_office', 'urban_management'],
    vehicleKinds: [],
    workers: 'any',
  },
  emergency: {
    departmentKinds: ['fire', 'emergency', 'police_station'],
    vehicleKinds: ['fire_engine', 'rescue'],
    workers: 'own_grid',
  },
  other: { departmentKinds: ['street_office', 'police_station'], vehicleKinds: [], workers: 'any' },
};

/** Department kinds by name (the demo world's seven, and common ones a deployment imports). */
export const DEPARTMENT_KIND_LABELS: Record<string, { zh: string; en: string }> = {
  police_station: { zh: '派出所', en: 'Police station' },
  justice: { zh: '司法所', en: 'Justice office' },
  street_office: { zh: '街道办', en: 'Street office' },
  urban_management: { zh: '城管', en: 'Urban management' },
  fire: { zh: '消防', en: 'Fire service' },
  emergency: { zh: '应急管理', en: 'Emergency management' },
  traffic_police: { zh: '交警', en: 'Traffic police' },
  labor_inspection: { zh: '劳动监察', en: 'Labour inspection' },
  environment_protection: { zh: '生态环境', en: 'Environment protection' },
};

export const VEHICLE_KIND_LABELS: Record<string, { zh: string; en: string }> = {
  patrol_car: { zh: '巡逻车', en: 'Patrol car' },
  motorbike: { zh: '摩托', en: 'Motorbike' },
  ebike: { zh: '电动车', en: 'E-bike' },
  fire_engine: { zh: '消防车', en: 'Fire engine' },
  rescue: { zh: '抢险车', en: 'Rescue truck' },
  law_enforcement: { zh: '执法车', en: 'Enforcement car' },
};

/**
 * Why a unit or department is (or is not) proposed, as a code and its parameter, so each page words it in
 * its own language (fitReasonText). `kind` is the department or vehicle kind the code is about.
 */
export type FitReasonCode =
  /** The owner's kind (a vehicle) or its own kind (a department) answers for the category. */
  | 'department_kind'
  /** The vehicle's own kind is listed for the category (a fire engine for a fire). */
  | 'vehicle_kind'
  /** The incident's own grid's worker. */
  | 'own_grid'
  /** A grid worker: fits when the category takes any worker, not when it takes none. */
  | 'grid_worker'
  /** A worker of another grid, for a category that takes only the grid's own worker. */
  | 'other_grid'
  /** A vehicle with neither an owner's kind nor a kind of its own. */
  | 'unknown_owner';
export interface FitReason {
  code: FitReasonCode;
  params: { kind?: string };
}

/** Why a unit or department is (or is not) proposed; `rank` orders fitting ones (0 best) before travel time. */
export interface UnitFit {
  isFit: boolean;
  /** Always set by the functions below; absent only where a caller judged no fit at all. */
  why?: FitReason;
  /**
   * The reason in Chinese ("对口: 司法所", "对口: 本网格", "不对口: 交警"): what the API has always sent.
   * Pages render `why` in their own language (fitReasonText).
   */
  reason: string;
  rank: number;
}

const SUBJECT: Record<Exclude<FitReasonCode, 'department_kind' | 'vehicle_kind'>, Record<Lang, string>> = {
  own_grid: { zh: '本网格', en: 'Own grid' },
  grid_worker: { zh: '网格员', en: 'Grid worker' },
  other_grid: { zh: '非本网格', en: 'Not its grid' },
  unknown_owner: { zh: '归属不明', en: 'Owner unknown' },
};
const VERDICT: Record<Lang, { fit: string; notFit: string }> = {
  zh: { fit: '对口', notFit: '不对口' },
  en: { fit: 'Match', notFit: 'No match' },
};
type Lang = 'zh' | 'en';

/** "对口: 派出所" / "Match: Police station"; a kind without a label shows as its code. */
export function fitReasonText(fit: { isFit: boolean; why: FitReason }, lang: Lang): string {
  const { code, params } = fit.why;
  const kind = params.kind ?? '';
  const subject =
    code === 'department_kind'
      ? (DEPARTMENT_KIND_LABELS[kind]?.[lang] ?? kind)
      : code === 'vehicle_kind'
        ? (VEHICLE_KIND_LABELS[kind]?.[lang] ?? kind)
        : SUBJECT[code][lang];
  return `${fit.isFit ? VERDICT[lang].fit : VERDICT[lang].notFit}: ${subject}`;
}

/**
 * The structured reason of a recommendation as the console receives it: `why` when the server sends it;
 * else read back from the Chinese `reason`, which fitReasonText wrote from the same tables (the test
 * checks the round trip for every category and kind). Null for an empty or foreign reason.
 */
export function fitReasonOf(fit: { isFit: boolean; reason: string; why?: FitReason }): FitReason | null {
  if (fit.why) return fit.why;
  const m = /^(对口|不对口): (.+)$/.exec(fit.reason);
  if (!m) return null;
  const subject = m[2]!;
  const byLabel = (labels: Record<string, { zh: string }>) =>
    Object.keys(labels).find((k) => labels[k]!.zh === subject);
  const dept = byLabel(DEPARTMENT_KIND_LABELS);
  if (dept) return { code: 'department_kind', params: { kind: dept } };
  const vehicle = byLabel(VEHICLE_KIND_LABELS);
  if (vehicle) return { code: 'vehicle_kind', params: { kind: vehicle } };
  const code = (Object.keys(SUBJECT) as (keyof typeof SUBJECT)[]).find((c) => SUBJECT[c].zh === subject);
  if (code) return { code, params: {} };
  // A deployment's own kind has no label and shows as its code (either kind of kind words it the same).
  return { code: 'department_kind', params: { kind: subject } };
}

/** The reason in the page's language, or '' when there is none. */
export function fitReasonLabel(
  fit: { isFit: boolean; reason: string; why?: FitReason } | undefined,
  lang: Lang,
): string {
  if (!fit) return '';
  const why = fitReasonOf(fit);
  return why ? fitReasonText({ isFit: fit.isFit, why }, lang) : fit.reason;
}

function unitFit(isFit: boolean, why: FitReason, rank: number): UnitFit {
  return { isFit, why, reason: fitReasonText({ isFit, why }, 'zh'), rank };
}

const KIND_CODE = z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'kinds are snake_case codes');
const CategoryFitSchema = z.strictObject({
  departmentKinds: z.array(KIND_CODE).max(20),
  vehicleKinds: z.array(KIND_CODE).max(20),
  workers: z.enum(['own_grid', 'any', 'none']),
});

/** A deployment's override: any categories, each replacing the default's fields it names. */
export const DispatchFitOverrideSchema = z.partialRecord(
  z.enum(INCIDENT_CATEGORIES),
  CategoryFitSchema.partial(),
);
export type DispatchFitOverride = z.infer<typeof DispatchFitOverrideSchema>;

/** The default with the override laid over it, field by field. */
export function resolveDispatchFit(override: DispatchFitOverride | null | undefined): DispatchFitConfig {
  const out = { ...DEFAULT_DISPATCH_FIT };
  for (const c of INCIDENT_CATEGORIES) {
    const o = override?.[c];
    if (o) out[c] = { ...DEFAULT_DISPATCH_FIT[c], ...o };
  }
  return out;
}

/**
 * Parses the stored override; a bad one is reported (so the caller can log it) and the default is used, since
 * a typo in configuration must never stop recommendations.
 */
export function parseDispatchFit(json: string | null | undefined): {
  config: DispatchFitConfig;
  error?: string;
} {
  if (!json) return { config: DEFAULT_DISPATCH_FIT };
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return { config: DEFAULT_DISPATCH_FIT, error: 'dispatch_fit is not JSON' };
  }
  const parsed = DispatchFitOverrideSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      config: DEFAULT_DISPATCH_FIT,
      error: `dispatch_fit: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
    };
  }
  return { config: resolveDispatchFit(parsed.data) };
}

const NOT_FIT_RANK = 1000;

const deptKind = (kind: string): FitReason => ({ code: 'department_kind', params: { kind } });
const vehicleKind = (kind: string): FitReason => ({ code: 'vehicle_kind', params: { kind } });

/**
 * A vehicle fits when its owning department's kind answers for the category, or when its own kind is listed
 * (a fire engine for a fire, whoever runs it).
 */
export function vehicleFit(
  config: DispatchFitConfig,
  category: IncidentCategory,
  unit: { vehicleKind: string | null; departmentKind: string | null },
): UnitFit {
  const fit = config[category] ?? DEFAULT_DISPATCH_FIT.other;
  const byOwner = unit.departmentKind ? fit.departmentKinds.indexOf(unit.departmentKind) : -1;
  // Every fitting vehicle has rank 0: among them travel time decides (a 派出所 car two minutes away beats a
  // 司法所 car twenty minutes away); the list's order only ranks departments, which have no travel time.
  if (byOwner >= 0) return unitFit(true, deptKind(unit.departmentKind!), 0);
  const byKind = unit.vehicleKind ? fit.vehicleKinds.indexOf(unit.vehicleKind) : -1;
  if (byKind >= 0) return unitFit(true, vehicleKind(unit.vehicleKind!), 0);
  const why: FitReason = unit.departmentKind
    ? deptKind(unit.departmentKind)
    : unit.vehicleKind
      ? vehicleKind(unit.vehicleKind)
      : { code: 'unknown_owner', params: {} };
  return unitFit(false, why, NOT_FIT_RANK);
}

/**
 * A grid worker fits by the category's worker rule; the incident's own grid worker ranks before any other
 * (网格化管理: the grid's own worker knows the people and answers for the grid), then travel time decides.
 */
export function workerFit(
  config: DispatchFitConfig,
  category: IncidentCategory,
  worker: { gridCode: string | null },
  incidentGridCode: string | null,
): UnitFit {
  const rule = (config[category] ?? DEFAULT_DISPATCH_FIT.other).workers;
  const isOwnGrid = Boolean(incidentGridCode && worker.gridCode === incidentGridCode);
  if (rule !== 'none' && isOwnGrid) return unitFit(true, { code: 'own_grid', params: {} }, 0);
  if (rule === 'any') return unitFit(true, { code: 'grid_worker', params: {} }, 1);
  return unitFit(false, { code: rule === 'none' ? 'grid_worker' : 'other_grid', params: {} }, NOT_FIT_RANK);
}

/**
 * A department fits when its kind answers for the category, or when its own `categories` (set per
 * department on import) name it; the latter rank after every listed kind.
 */
export function departmentFit(
  config: DispatchFitConfig,
  category: IncidentCategory,
  dept: { kind: string; categories: readonly string[] },
): UnitFit {
  const kinds = (config[category] ?? DEFAULT_DISPATCH_FIT.other).departmentKinds;
  const byKind = kinds.indexOf(dept.kind);
  const why = deptKind(dept.kind);
  if (byKind >= 0) return unitFit(true, why, byKind);
  if (dept.categories.includes(category)) return unitFit(true, why, kinds.length);
  return unitFit(false, why, NOT_FIT_RANK);
}
