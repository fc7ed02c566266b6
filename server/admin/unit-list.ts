import type Database from 'better-sqlite3';
import type { Clock } from '@/lib/clock';
import {
  UnitListQuerySchema,
  type UnitKind,
  type UnitListQuery,
  type UnitPage,
  type UnitRow,
  UNIT_COUNT_CAP,
} from '@/lib/admin/unit-page';
import { CAMERA_STATUSES, WORKER_STATUSES } from '@/lib/domain/enums';
import { STALE_AFTER_MS } from '@/lib/realtime/contract';
import type { EntityStore } from '../live/entity-store';
import { HttpError } from '../http/router';

const SQL: Record<UnitKind, { table: string; columns: string }> = {
  camera: {
    table: 'cameras',
    columns:
      'id, name, program AS type, grid_code AS gridCode, region_code AS regionCode, is_unassigned AS isUnassigned, disabled_at AS disabledAt',
  },
  worker: {
    table: 'workers',
    columns:
      'id, name, role AS type, grid_code AS gridCode, NULL AS regionCode, is_unassigned AS isUnassigned, disabled_at AS disabledAt',
  },
};
const STATUS_NAMES: Record<UnitKind, readonly string[]> = {
  camera: CAMERA_STATUSES,
  worker: WORKER_STATUSES,
};

/** `%`, `_` and the escape itself are literal in what the admin typed. */
const likeLiteral = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export function parseUnitListQuery(params: URLSearchParams): UnitListQuery {
  const parsed = UnitListQuerySchema.safeParse(Object.fromEntries(params));
  if (!parsed.success) throw new HttpError(400, parsed.error.issues[0]?.message ?? '参数无效');
  return parsed.data;
}

/**
 * One page of cameras or grid workers, in id order, matching `q` anywhere in the id or name or as a grid
 * code prefix. Ordered by the primary key so SQLite walks the index and stops after the page; the live
 * status comes from the in-memory store, not the database.
 */
export function listUnits(
  sqlite: Database.Database,
  store: EntityStore,
  clock: Clock,
  kind: UnitKind,
  query: UnitListQuery,
): UnitPage {
  const { table, columns } = SQL[kind];
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (query.q) {
    const contains = `%${likeLiteral(query.q)}%`;
    where.push("(id LIKE ? ESCAPE '\\' OR name LIKE ? ESCAPE '\\' OR grid_code LIKE ? ESCAPE '\\')");
    args.push(contains, contains, `${likeLiteral(query.q)}%`);
  }
  if (query.state === 'disabled') where.push('disabled_at IS NOT NULL');
  if (query.state === 'enabled') where.push('disabled_at IS NULL');
  const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const offset = (query.page - 1) * query.pageSize;
  const rows = sqlite
    .prepare(`SELECT ${columns} FROM ${table} ${filter} ORDER BY id LIMIT ? OFFSET ?`)
    .all(...args, query.pageSize, offset) as (Omit<
    UnitRow,
    'isUnassigned' | 'status' | 'lastReportAt' | 'isStale'
  > & { isUnassigned: number })[];
  // A short first page is the whole result: no second scan to count it (a search that finds little is the
  // one that has to read every row).
  const matched =
    query.page === 1 && rows.length < query.pageSize
      ? rows.length
      : (
          sqlite
            .prepare(`SELECT COUNT(*) AS n FROM (SELECT 1 FROM ${table} ${filter} LIMIT ?)`)
            .get(...args, UNIT_COUNT_CAP + 1) as { n: number }
        ).n;
  const now = clock.now();
  return {
    rows: rows.map((r) => {
      const s = store.getById(r.id);
      const hasReport = s !== undefined && s.ts > 0;
      return {
        ...r,
        isUnassigned: r.isUnassigned === 1,
        status: hasReport ? (STATUS_NAMES[kind][s.status] ?? null) : null,
        lastReportAt: hasReport ? s.ts : null,
        isStale: !hasReport || now - s.ts > STALE_AFTER_MS[kind],
      };
    }),
    total: Math.min(matched, UNIT_COUNT_CAP),
    isTotalCapped: matched > UNIT_COUNT_CAP,
    page: query.page,
    pageSize: query.pageSize,
  };
}
