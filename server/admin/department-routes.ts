import { DepartmentSchema, type Department } from '@/lib/admin/schemas';
import { HttpError, readJson, sendJson, type Route, type RouteContext } from '../http/router';
import { auditAdmin, firstIssue } from './admin-audit';
import { ADMIN, type AdminDeps } from './admin-deps';

interface DepartmentDbRow {
  id: string;
  name: string;
  kind: Department['kind'];
  regionCode: string | null;
  phone: string | null;
  categories: string;
}

function fromDb(r: DepartmentDbRow): Department {
  let categories: Department['categories'] = [];
  try {
    const parsed: unknown = JSON.parse(r.categories);
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
  const { sqlite, audit, authorize } = deps;
  const COLUMNS = 'id, name, kind, region_code AS regionCode, phone, categories';
  const selectOne = sqlite.prepare<[string], DepartmentDbRow>(
    `SELECT ${COLUMNS} FROM departments WHERE id = ?`,
  );
  const find = (id: string) => {
    const r = selectOne.get(id);
    return r ? fromDb(r) : null;
  };

  const list = (ctx: RouteContext) => {
    authorize(ctx, { roles: ADMIN, action: 'department.list', objectType: 'department' });
    const rows = sqlite.prepare<[], DepartmentDbRow>(`SELECT ${COLUMNS} FROM departments ORDER BY id`).all();
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
    const row = sqlite
      .transaction(() => {
        const before = find(d.id);
        if (isNew && before) throw new HttpError(409, '编号已存在');
        if (!isNew && !before) throw new HttpError(404, '无此部门');
        sqlite
          .prepare(
            `INSERT INTO departments (id, name, kind, region_code, phone, categories)
             VALUES (@id, @name, @kind, @regionCode, @phone, @categories)
             ON CONFLICT(id) DO UPDATE SET name = excluded.name, kind = excluded.kind,
               region_code = excluded.region_code, phone = excluded.phone, categories = excluded.categories`,
          )
          .run({ ...d, categories: JSON.stringify(d.categories) });
        const after = find(d.id)!;
        auditAdmin(audit, ctx, p, { action, objectType: 'department', objectId: d.id, before, after });
        return after;
      })
      .immediate();
    sendJson(ctx.res, isNew ? 201 : 200, row);
  };

  return [
    { method: 'GET', path: '/api/admin/departments', handler: list },
    { method: 'POST', path: '/api/admin/departments', handler: save(true) },
    { method: 'PUT', path: '/api/admin/departments/:id', handler: save(false) },
  ];
}
