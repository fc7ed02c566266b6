import type Database from 'better-sqlite3';
import { CATEGORY_LABELS, STATE_LABELS, type IncidentCategory, type IncidentState } from '@/lib/domain/enums';
import { regionPrefix } from '@/lib/domain/region-code';
import { SEARCH_LIMIT_PER_KIND, SEARCH_MAX_QUERY_CHARS, type SearchResult } from '@/lib/search/search-result';
import { maskFreeText, maskName } from '@/lib/wall/format';
import { doesDepartmentServe } from '../auth/region-scope';
import type { EntityStore } from '../live/entity-store';

/** Escapes LIKE's wildcards so a user's `%` or `_` matches itself (used with `ESCAPE '\'`). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Trims and bounds a raw query; null when there is nothing to search for. */
export function normalizeQuery(raw: string | null | undefined): string | null {
  const q = (raw ?? '').trim().slice(0, SEARCH_MAX_QUERY_CHARS);
  return q.length > 0 ? q : null;
}

export interface SearchDeps {
  sqlite: Database.Database;
  /** Live positions of moving units (their last report); a unit without one is found without a place. */
  vehicles?: EntityStore;
  workers?: EntityStore;
}

export interface SearchScope {
  /** The principal's region (12- or 15-digit code); null searches everything. */
  regionCode: string | null;
  /**
   * A wall or a role without access to personal data: workers are found by id only, named masked, and
   * phone or ID numbers in incidents' titles and addresses are masked.
   */
  isMasked?: boolean;
}

interface Params {
  exact: string;
  prefix: string;
  contains: string;
  limit: number;
}

// Every matcher ranks an exact id first, then names/plates that start with the query, then the rest; LIKE is
// case-insensitive for ASCII (plates, ids), which is what a dispatcher typing "a123" expects.
const RANK = (cols: string[]) =>
  `CASE WHEN id = @exact COLLATE NOCASE THEN 0 WHEN ${cols
    .map((c) => `${c} LIKE @prefix ESCAPE '\\'`)
    .join(' OR ')} THEN 1 ELSE 2 END`;
const MATCH = (cols: string[]) => `(${cols.map((c) => `${c} LIKE @contains ESCAPE '\\'`).join(' OR ')})`;

/**
 * Finds incidents, vehicles, grid workers, cameras and departments by id, plate, name or address, at most
 * SEARCH_LIMIT_PER_KIND each. A principal with a region sees only what lies in it: incidents, workers and
 * cameras by their grid (or region), vehicles by their department's region, departments whose region
 * overlaps it (one without a region serves everywhere). The query is bound, never spliced into SQL, and its
 * wildcards are escaped.
 */
export function createSearch(deps: SearchDeps) {
  const { sqlite } = deps;
  const inRegion = (col: string) => `(@region IS NULL OR substr(${col}, 1, length(@region)) = @region)`;

  const incidents = sqlite.prepare<
    [Params & { region: string | null }],
    {
      id: string;
      title: string;
      address: string | null;
      category: string;
      state: string;
      lng: number;
      lat: number;
    }
  >(
    `SELECT id, title, address, category, state, lng, lat FROM incidents
     WHERE ${MATCH(['id', 'title', 'address'])} AND ${inRegion('grid_code')}
     ORDER BY ${RANK(['title'])}, received_at DESC LIMIT @limit`,
  );
  const vehicles = sqlite.prepare<
    [Params & { region: string | null; depts: string }],
    { id: string; name: string | null; plate: string | null; kind: string | null; dept: string | null }
  >(
    `SELECT v.id, v.name, v.plate, v.kind, d.name AS dept FROM vehicles v LEFT JOIN departments d ON d.id = v.department_id
     WHERE v.disabled_at IS NULL AND (v.id LIKE @contains ESCAPE '\\' OR v.name LIKE @contains ESCAPE '\\'
       OR v.plate LIKE @contains ESCAPE '\\')
       AND (@region IS NULL OR v.department_id IN (SELECT value FROM json_each(@depts)))
     ORDER BY CASE WHEN v.id = @exact COLLATE NOCASE OR v.plate = @exact COLLATE NOCASE THEN 0
       WHEN v.name LIKE @prefix ESCAPE '\\' OR v.plate LIKE @prefix ESCAPE '\\' THEN 1 ELSE 2 END, v.name, v.id
     LIMIT @limit`,
  );
  const workers = sqlite.prepare<
    [Params & { region: string | null; byName: number }],
    { id: string; name: string | null; gridCode: string | null; phone: string | null }
  >(
    `SELECT id, name, grid_code AS gridCode, phone FROM workers
     WHERE disabled_at IS NULL AND (id LIKE @contains ESCAPE '\\' OR (@byName AND name LIKE @contains ESCAPE '\\'))
       AND ${inRegion('grid_code')}
     ORDER BY ${RANK(['name'])}, name, id LIMIT @limit`,
  );
  const cameras = sqlite.prepare<
    [Params & { region: string | null }],
    { id: string; name: string | null; lng: number | null; lat: number | null; gridCode: string | null }
  >(
    `SELECT id, name, lng, lat, grid_code AS gridCode FROM cameras
     WHERE disabled_at IS NULL AND ${MATCH(['id', 'name'])} AND ${inRegion('COALESCE(region_code, grid_code)')}
     ORDER BY ${RANK(['name'])}, name, id LIMIT @limit`,
  );
  const allDepartments = sqlite.prepare<[], { id: string; regionCode: string | null }>(
    'SELECT id, region_code AS regionCode FROM departments',
  );
  const departments = sqlite.prepare<
    [Params & { region: string | null; depts: string }],
    { id: string; name: string; kind: string; phone: string | null }
  >(
    `SELECT id, name, kind, phone FROM departments
     WHERE ${MATCH(['id', 'name'])} AND (@region IS NULL OR id IN (SELECT value FROM json_each(@depts)))
     ORDER BY ${RANK(['name'])}, name, id LIMIT @limit`,
  );
  const gridName = sqlite.prepare<[string], { name: string }>('SELECT name FROM grids WHERE code = ?');

  /** Departments whose region overlaps the scope: inside it, or containing it (a district's fire station). */
  function departmentsInScope(region: string): string[] {
    return allDepartments
      .all()
      .filter((d) => doesDepartmentServe(d.regionCode, region))
      .map((d) => d.id);
  }

  function livePlace(store: EntityStore | undefined, id: string): { lng?: number; lat?: number } {
    const s = store?.getById(id);
    if (!s || s.ts === 0 || !Number.isFinite(s.lng) || !Number.isFinite(s.lat)) return {};
    return { lng: s.lng, lat: s.lat };
  }

  return function search(rawQuery: string, scope: SearchScope): SearchResult[] {
    const q = normalizeQuery(rawQuery);
    if (!q) return [];
    const region = scope.regionCode ? regionPrefix(scope.regionCode) : null;
    const escaped = escapeLike(q);
    const p = {
      exact: q,
      prefix: `${escaped}%`,
      contains: `%${escaped}%`,
      limit: SEARCH_LIMIT_PER_KIND,
      region,
    };
    const depts = JSON.stringify(region ? departmentsInScope(region) : []);
    const out: SearchResult[] = [];
    const isMasked = scope.isMasked ?? false;
    const text = isMasked ? maskFreeText : (t: string) => t;
    for (const r of incidents.all(p)) {
      const category = CATEGORY_LABELS[r.category as IncidentCategory]?.zh ?? r.category;
      const state = STATE_LABELS[r.state as IncidentState]?.zh ?? r.state;
      out.push({
        kind: 'incident',
        id: r.id,
        name: text(r.title),
        detail: [category, state, r.address && text(r.address)].filter(Boolean).join(' · '),
        lng: r.lng,
        lat: r.lat,
      });
    }
    for (const r of vehicles.all({ ...p, depts })) {
      out.push({
        kind: 'vehicle',
        id: r.id,
        name: r.name ?? r.plate ?? r.id,
        detail: [r.plate, r.dept].filter(Boolean).join(' · ') || undefined,
        ...livePlace(deps.vehicles, r.id),
      });
    }
    for (const r of workers.all({ ...p, byName: isMasked ? 0 : 1 })) {
      const grid = r.gridCode ? (gridName.get(r.gridCode)?.name ?? r.gridCode) : null;
      out.push({
        kind: 'worker',
        id: r.id,
        name: r.name ? (isMasked ? maskName(r.name) : r.name) : r.id,
        detail: [grid, isMasked ? null : r.phone].filter(Boolean).join(' · ') || undefined,
        ...livePlace(deps.workers, r.id),
      });
    }
    for (const r of cameras.all(p)) {
      out.push({
        kind: 'camera',
        id: r.id,
        name: r.name ?? r.id,
        detail: r.id,
        ...(r.lng !== null && r.lat !== null ? { lng: r.lng, lat: r.lat } : {}),
      });
    }
    for (const r of departments.all({ ...p, depts })) {
      out.push({ kind: 'department', id: r.id, name: r.name, detail: r.phone ?? undefined });
    }
    return out;
  };
}

export type Search = ReturnType<typeof createSearch>;
