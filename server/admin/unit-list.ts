import { sql, type SQL } from 'drizzle-orm';
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
import { flag, type SqlDb } from '../db/sql-db';
import { HttpError } from '../http/router';

const UNIT_SQL: Record<UnitKind, { table: SQL; columns: SQL }> = {
  camera: {
    table: sql.raw('cameras'),
    columns: sql.raw(
      'id, name, program AS type, grid_code AS "gridCode", region_code AS "regionCode", is_unassigned AS "isUnassigned", disabled_at AS "disabledAt"',
    ),
  },
  worker: {
    table: sql.raw('workers'),
    columns: sql.raw(
      'id, name, role AS type, grid_code AS "gridCode", NULL AS "regionCode", is_unassigned AS "isUnassigned", disabled_at AS "disabledAt"',
    ),
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
 * code prefix. Ordered by the primary key so the engine walks the index and stops after the page; the live
 * status comes from the in-memory store, not the database.
 */
export async function listUnits(
  db: SqlDb,
  store: EntityStore,
  clock: Clock,
  kind: UnitKind,
  query: UnitListQuery,
): Promise<UnitPage> {
  const { table, columns } = UNIT_SQL[kind];
  const where: SQL[] = [];
  if (query.q) {
    const contains = `%${likeLiteral(query.q)}%`;
    const prefix = `${likeLiteral(query.q)}%`;
    // SQLite's LIKE ignores ASCII case; PostgreSQL's does not, so it asks ILIKE for the same matches.
    const like = sql.raw(db.dialect === 'postgres' ? 'ILIKE' : 'LIKE');
    where.push(
      sql`(id ${like} ${contains} ESCAPE '\\' OR name ${like} ${contains} ESCAPE '\\' OR grid_code ${like} ${prefix} ESCAPE '\\')`,
    );
  }
  if (query.state === 'disabled') where.push(sql`disabled_at IS NOT NULL`);
  if (query.state === 'enabled') where.push(sql`disabled_at IS NULL`);
  const filter = where.length ? sql`WHERE ${sql.join(where, sql` AND `)}` : sql``;
  const offset = (query.page - 1) * query.pageSize;
  const rows = await db.all<
    Omit<UnitRow, 'isUnassigned' | 'status' | 'lastReportAt' | 'isStale'> & { isUnassigned: number | boolean }
  >(sql`SELECT ${columns} FROM ${table} ${filter} ORDER BY id LIMIT ${query.pageSize} OFFSET ${offset}`);
  // A short first page is the whole result: no second scan to count it (a search that finds little is the
  // one that has to read every row).
  const matched =
    query.page === 1 && rows.length < query.pageSize
      ? rows.length
      : Number(
          (await db.get<{ n: number | string }>(
            sql`SELECT COUNT(*) AS n FROM (SELECT 1 FROM ${table} ${filter} LIMIT ${UNIT_COUNT_CAP + 1}) AS capped`,
          ))!.n,
        );
  const now = clock.now();
  return {
    rows: rows.map((r) => {
      const s = store.getById(r.id);
      const hasReport = s !== undefined && s.ts > 0;
      return {
        ...r,
        isUnassigned: flag(r.isUnassigned),
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
