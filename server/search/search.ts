import { sql } from 'drizzle-orm';
import { CATEGORY_LABELS, STATE_LABELS, type IncidentCategory, type IncidentState } from '@/lib/domain/enums';
import { regionPrefix } from '@/lib/domain/region-code';
import { SEARCH_LIMIT_PER_KIND, SEARCH_MAX_QUERY_CHARS, type SearchResult } from '@/lib/search/search-result';
import { maskFreeText, maskName } from '@/lib/wall/format';
import { doesDepartmentServe } from '../auth/region-scope';
import { inList, type SqlDb } from '../db/sql-db';
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
  sql: SqlDb;
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

/**
 * Finds incidents, vehicles, grid workers, cameras and departments by id, plate, name or address, at most
 * SEARCH_LIMIT_PER_KIND each. A principal with a region sees only what lies in it: incidents, workers and
 * cameras by their grid (or region), vehicles by their department's region, departments whose region
 * overlaps it (one without a region serves everywhere). The query is bound, never spliced into SQL, and its
 * wildcards are escaped. Matching ignores case for ASCII (plates, ids), which is what a dispatcher typing
 * "a123" expects: SQLite's LIKE does, PostgreSQL's ILIKE does.
 */
export function createSearch(deps: SearchDeps) {
  const { sql: db } = deps;
  const likeOp = sql.raw(db.dialect === 'postgres' ? 'ILIKE' : 'LIKE');
  const like = (col: string, pattern: string) => sql`${sql.raw(col)} ${likeOp} ${pattern} ESCAPE '\\'`;
  const anyLike = (cols: string[], pattern: string) =>
    sql`(${sql.join(
      cols.map((c) => like(c, pattern)),
      sql` OR `,
    )})`;
  const same = (col: string, text: string) => sql`lower(${sql.raw(col)}) = lower(${text})`;

  return async function search(rawQuery: string, scope: SearchScope): Promise<SearchResult[]> {
    const q = normalizeQuery(rawQuery);
    if (!q) return [];
    const region = scope.regionCode ? regionPrefix(scope.regionCode) : null;
    const escaped = escapeLike(q);
    const prefix = `${escaped}%`;
    const contains = `%${escaped}%`;
    const limit = SEARCH_LIMIT_PER_KIND;
    // Every matcher ranks an exact id first, then names/plates that start with the query, then the rest.
    const rank = (cols: string[]) =>
      sql`CASE WHEN ${same('id', q)} THEN 0 WHEN ${anyLike(cols, prefix)} THEN 1 ELSE 2 END`;
    const inRegion = (col: string) =>
      region === null ? sql`` : sql` AND substr(${sql.raw(col)}, 1, ${region.length}) = ${region}`;
    const depts =
      region === null
        ? null
        : (
            await db.all<{ id: string; regionCode: string | null }>(
              sql`SELECT id, region_code AS "regionCode" FROM departments`,
            )
          )
            .filter((d) => doesDepartmentServe(d.regionCode, region))
            .map((d) => d.id);
    const deptFilter = (col: string) =>
      depts === null ? sql`` : sql` AND ${sql.raw(col)} IN ${inList(db, depts)}`;
    const isMasked = scope.isMasked ?? false;
    const text = isMasked ? maskFreeText : (t: string) => t;

    const [incidents, vehicles, workers, cameras, departments] = await Promise.all([
      db.all<{
        id: string;
        title: string;
        address: string | null;
        category: string;
        state: string;
        lng: number;
        lat: number;
      }>(
        sql`SELECT id, title, address, category, state, lng, lat FROM incidents
            WHERE ${anyLike(['id', 'title', 'address'], contains)}${inRegion('grid_code')}
            ORDER BY ${rank(['title'])}, received_at DESC, id LIMIT ${limit}`,
      ),
      db.all<{
        id: string;
        name: string | null;
        plate: string | null;
        kind: string | null;
        dept: string | null;
      }>(
        sql`SELECT v.id, v.name, v.plate, v.kind, d.name AS dept FROM vehicles v LEFT JOIN departments d ON d.id = v.department_id
            WHERE v.disabled_at IS NULL AND ${anyLike(['v.id', 'v.name', 'v.plate'], contains)}${deptFilter('v.department_id')}
            ORDER BY CASE WHEN ${same('v.id', q)} OR ${same('v.plate', q)} THEN 0
              WHEN ${anyLike(['v.name', 'v.plate'], prefix)} THEN 1 ELSE 2 END, v.name, v.id
            LIMIT ${limit}`,
      ),
      db.all<{
        id: string;
        name: string | null;
        gridCode: string | null;
        gridName: string | null;
        phone: string | null;
      }>(
        sql`SELECT w.id, w.name, w.grid_code AS "gridCode", g.name AS "gridName", w.phone FROM workers w
            LEFT JOIN grids g ON g.code = w.grid_code
            WHERE w.disabled_at IS NULL AND ${isMasked ? like('w.id', contains) : anyLike(['w.id', 'w.name'], contains)}${inRegion('w.grid_code')}
            ORDER BY CASE WHEN ${same('w.id', q)} THEN 0 WHEN ${like('w.name', prefix)} THEN 1 ELSE 2 END, w.name, w.id
            LIMIT ${limit}`,
      ),
      db.all<{ id: string; name: string | null; lng: number | null; lat: number | null }>(
        sql`SELECT id, name, lng, lat FROM cameras
            WHERE disabled_at IS NULL AND ${anyLike(['id', 'name'], contains)}${inRegion('COALESCE(region_code, grid_code)')}
            ORDER BY ${rank(['name'])}, name, id LIMIT ${limit}`,
      ),
      db.all<{ id: string; name: string; phone: string | null }>(
        sql`SELECT id, name, kind, phone FROM departments
            WHERE ${anyLike(['id', 'name'], contains)}${deptFilter('id')}
            ORDER BY ${rank(['name'])}, name, id LIMIT ${limit}`,
      ),
    ]);

    const out: SearchResult[] = [];
    for (const r of incidents) {
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
    for (const r of vehicles)
      out.push({
        kind: 'vehicle',
        id: r.id,
        name: r.name ?? r.plate ?? r.id,
        detail: [r.plate, r.dept].filter(Boolean).join(' · ') || undefined,
        ...livePlace(deps.vehicles, r.id),
      });
    for (const r of workers)
      out.push({
        kind: 'worker',
        id: r.id,
        name: r.name ? (isMasked ? maskName(r.name) : r.name) : r.id,
        detail:
          [r.gridCode ? (r.gridName ?? r.gridCode) : null, isMasked ? null : r.phone]
            .filter(Boolean)
            .join(' · ') || undefined,
        ...livePlace(deps.workers, r.id),
      });
    for (const r of cameras)
      out.push({
        kind: 'camera',
        id: r.id,
        name: r.name ?? r.id,
        detail: r.id,
        ...(r.lng !== null && r.lat !== null ? { lng: r.lng, lat: r.lat } : {}),
      });
    for (const r of departments)
      out.push({ kind: 'department', id: r.id, name: r.name, detail: r.phone ?? undefined });
    return out;
  };
}

function livePlace(store: EntityStore | undefined, id: string): { lng?: number; lat?: number } {
  const s = store?.getById(id);
  if (!s || s.ts === 0 || !Number.isFinite(s.lng) || !Number.isFinite(s.lat)) return {};
  return { lng: s.lng, lat: s.lat };
}

export type Search = ReturnType<typeof createSearch>;
