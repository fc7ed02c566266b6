/**
 * The search contract (GET /api/search?q=), shared by the server that answers and every screen that asks
 * (the console, the wall), so neither re-declares it.
 */
export const SEARCH_KINDS = ['incident', 'vehicle', 'worker', 'camera', 'department'] as const;
export type SearchKind = (typeof SEARCH_KINDS)[number];

export const SEARCH_KIND_LABELS: Record<SearchKind, { zh: string; en: string }> = {
  incident: { zh: '事件', en: 'Incidents' },
  vehicle: { zh: '车辆', en: 'Vehicles' },
  worker: { zh: '网格员', en: 'Grid workers' },
  camera: { zh: '视频点位', en: 'Cameras' },
  department: { zh: '部门', en: 'Departments' },
};

export interface SearchResult {
  kind: SearchKind;
  id: string;
  /** What a person calls it: a title, a name, a plate; never empty (falls back to the id). */
  name: string;
  /** One line that tells two similar results apart: plate, address, state, grid, phone. */
  detail?: string;
  /** Where it is (WGS-84), when known: a moving unit's last live position, a fixed thing's place. */
  lng?: number;
  lat?: number;
}

export interface SearchResponse {
  results: SearchResult[];
}

/** Longest query accepted (characters): ids are 20 digits, addresses a line. */
export const SEARCH_MAX_QUERY_CHARS = 64;
/** Results per kind: a search box lists a handful, never a table. */
export const SEARCH_LIMIT_PER_KIND = 20;

/** Groups results by kind in SEARCH_KINDS order, keeping each kind's own order (best first). */
export function groupByKind(results: readonly SearchResult[]): { kind: SearchKind; items: SearchResult[] }[] {
  return SEARCH_KINDS.map((kind) => ({ kind, items: results.filter((r) => r.kind === kind) })).filter(
    (g) => g.items.length > 0,
  );
}
