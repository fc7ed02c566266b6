import { sql } from 'drizzle-orm';
import { DepartmentSchema, type Department } from '@/lib/admin/schemas';
import { forUpdate, isUniqueViolation, jsonValue, type SqlRunner } from '../db/sql-db';
import { HttpError, readJson, sendJson, type Route, type RouteContext } from '../http/router';
import { auditAdminIn, firstIssue } from './admin-audit';
import { ADMIN, type AdminDeps } from './admin-deps';

interface DepartmentDbRow {
  id: string;
  name: string;
  kind: Department['kind'];
  regionCode: string | null;
  phone: string | null;
  /** JSON text on SQLite, parsed jsonb on PostgreSQL. */
  categories: unknown;
}

function fromDb(r: DepartmentDbRow): Department {
  let categories: Department['categories'] = [];
  try {
    const parsed = jsonValue<unknown>(r.categories);
    if (Array.isArray(parsed)) categories = parsed as Department['categories'];
  } catch {
    // An unreadable list (hand-edited database) shows as none rather than failing the page.
  }
  return { ...r, categories };
}

/**
 * Departments (the 职能部门 dispatch recommends and incidents are routed to), admin only: list, create,
 * edit. Deleting is left out on purpose: incidents and history name departments by id. Each change is
 * audited with the row before and after.
 */
export function createDepartmentRoutes(deps: AdminDeps): Route[] {
  const { sql: db, sqlAudit: audit, authorize } = deps;
  const COLUMNS = sql.raw('id, name, kind, region_code AS "regionCode", phone, categories');
  const find = async (q: SqlRunner, id: string, lock = false) => {
    const r = await q.get<DepartmentDbRow>(
      sql`SELECT ${COLUMNS} FROM departments WHERE id = ${id}${lock ? forUpdate(q) : sql``}`,
    );
    return r ? fromDb(r) : null;
  };

  const list = async (ctx: RouteContext) => {
    authorize(ctx, { roles: ADMIN, action: 'department.list', objectType: 'department' });
    const rows = await db.all<DepartmentDbRow>(sql`SELECT ${COLUMNS} FROM departments ORDER BY id`);
    sendJson(ctx.res, 200, { departments: rows.map(fromDb) });
  };

  const save = (isNew: boolean) => async (ctx: RouteContext) => {
    const action = isNew ? 'department.create' : 'department.update';
    const p = authorize(ctx, {
      roles: ADMIN,
      action,
      objectType: 'department',
      objectId: ctx.params.id ?? null,
    });
    const body = await readJson(ctx.req);
    const parsed = DepartmentSchema.safeParse(
      isNew ? body : { ...(body as object), id: ctx.params.id ?? '' },
    );
    if (!parsed.success) throw new HttpError(400, firstIssue(parsed.error));
    const d = parsed.data;
    const row = await db
      .transaction(async (tx) => {
        const before = await find(tx, d.id, true);
        if (isNew && before) throw new HttpError(409, '编号已存在');
        if (!isNew && !before) throw new HttpError(404, '无此部门');
        const values = sql`${d.id}, ${d.name}, ${d.kind}, ${d.regionCode}, ${d.phone}, ${JSON.stringify(d.categories)}`;
        await tx.run(
          isNew
            ? sql`INSERT INTO departments (id, name, kind, region_code, phone, categories) VALUES (${values})`
            : sql`UPDATE departments SET name = ${d.name}, kind = ${d.kind}, region_code = ${d.regionCode}, phone = ${d.phone},
                    categories = ${JSON.stringify(d.categories)} WHERE id = ${d.id}`,
        );
        const after = (await find(tx, d.id))!;
        await auditAdminIn(audit, tx, ctx, p, {
          action,
          objectType: 'department',
          objectId: d.id,
          before,
          after,
        });
        return after;
      })
      .catch((e: unknown) => {
        // Two admins creating one id at once: the second insert meets the primary key, not the look-up.
        if (isUniqueViolation(e)) throw new HttpError(409, '编号已存在');
        throw e;
      });
    sendJson(ctx.res, isNew ? 201 : 200, row);
  };

  return [
    { method: 'GET', path: '/api/admin/departments', handler: list },
    { method: 'POST', path: '/api/admin/departments', handler: save(true) },
    { method: 'PUT', path: '/api/admin/departments/:id', handler: save(false) },
  ];
}
