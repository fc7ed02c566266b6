import { z } from 'zod';
import { MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS } from '../auth/password-policy';
import { INCIDENT_CATEGORIES } from '../domain/enums';
import { DEPARTMENT_KINDS, type DepartmentKind } from '../world/world-types';

/**
 * What the admin console sends and the server's admin routes accept: one set of schemas, so the form's
 * inline errors and the server's 400 say the same thing (in Chinese, as the console shows them).
 */

export const ROLE_VALUES = ['admin', 'leader', 'dispatcher', 'duty', 'worker', 'department'] as const;
export type AdminRole = (typeof ROLE_VALUES)[number];
export const ROLE_LABELS: Record<AdminRole, { zh: string; en: string }> = {
  admin: { zh: '系统管理员', en: 'Administrator' },
  leader: { zh: '值班领导', en: 'Leader' },
  dispatcher: { zh: '调度员', en: 'Dispatcher' },
  duty: { zh: '值班员', en: 'Duty officer' },
  worker: { zh: '网格员', en: 'Grid worker' },
  department: { zh: '部门', en: 'Department' },
};

export { MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS };

const REGION_MESSAGE = '区域代码为 12 位或 15 位数字';
/** A region code, or null/empty for the whole territory. */
export const RegionScopeSchema = z
  .union([z.string().trim(), z.null()])
  .optional()
  .transform((v) => (v ? v : null))
  .refine((v) => v === null || /^(\d{12}|\d{15})$/.test(v), REGION_MESSAGE);

export const UsernameSchema = z
  .string()
  .trim()
  .regex(/^[a-zA-Z0-9_.-]{2,32}$/, '用户名为 2–32 位字母、数字或 _.-');
export const PasswordSchema = z
  .string()
  .min(MIN_PASSWORD_CHARS, `密码至少 ${MIN_PASSWORD_CHARS} 位`)
  .max(MAX_PASSWORD_CHARS, `密码至多 ${MAX_PASSWORD_CHARS} 位`);
const RoleSchema = z.enum(ROLE_VALUES, { error: '请选择角色' });
const DisplayNameSchema = z.string().trim().max(64, '姓名至多 64 字').optional();

/** role `worker`: the grid worker (workers.id) the account signs in as; the server checks it exists. */
export const WorkerBindingSchema = z
  .union([z.string().trim(), z.null()])
  .optional()
  .transform((v) => (v ? v : null))
  .refine((v) => v === null || /^[A-Za-z0-9_.:-]{1,64}$/.test(v), '网格员编号为 1–64 位字母、数字或 _.:-');

/** role `department`: the department (departments.id) the account answers for on /dept; the server checks it. */
export const DepartmentBindingSchema = z
  .union([z.string().trim(), z.null()])
  .optional()
  .transform((v) => (v ? v : null))
  .refine((v) => v === null || /^[A-Za-z0-9_.:-]{1,64}$/.test(v), '部门编号为 1–64 位字母、数字或 _.:-');

export const NewUserSchema = z
  .object({
    username: UsernameSchema,
    role: RoleSchema,
    password: PasswordSchema,
    displayName: DisplayNameSchema,
    regionCode: RegionScopeSchema,
    workerId: WorkerBindingSchema,
    departmentId: DepartmentBindingSchema,
  })
  .refine((u) => u.role !== 'worker' || u.workerId !== null, {
    path: ['workerId'],
    message: '网格员账号须绑定网格员编号',
  })
  .refine((u) => u.role !== 'department' || u.departmentId !== null, {
    path: ['departmentId'],
    message: '部门账号须绑定部门编号',
  })
  .transform((u) => ({
    ...u,
    workerId: u.role === 'worker' ? u.workerId : null,
    departmentId: u.role === 'department' ? u.departmentId : null,
  }));
export type NewUserInput = z.input<typeof NewUserSchema>;

export const UserChangeSchema = z
  .object({ role: RoleSchema.optional(), displayName: DisplayNameSchema, regionCode: RegionScopeSchema })
  .partial();
export const PasswordResetSchema = z.object({ password: PasswordSchema });

export const NewTokenSchema = z.object({
  name: z.string().trim().min(1, '请填写名称').max(64, '名称至多 64 字'),
  regionCode: RegionScopeSchema,
});

export const DEPARTMENT_KIND_LABELS: Record<DepartmentKind, { zh: string; en: string }> = {
  police_station: { zh: '派出所', en: 'Police station' },
  justice: { zh: '司法所', en: 'Justice office' },
  street_office: { zh: '街道办', en: 'Street office' },
  urban_management: { zh: '城管', en: 'Urban management' },
  fire: { zh: '消防', en: 'Fire' },
  emergency: { zh: '应急管理', en: 'Emergency management' },
  traffic_police: { zh: '交警', en: 'Traffic police' },
};

export const DepartmentSchema = z.object({
  id: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_.:-]{1,64}$/, '编号为 1–64 位字母、数字或 _.:-'),
  name: z.string().trim().min(1, '请填写名称').max(64, '名称至多 64 字'),
  kind: z.enum(DEPARTMENT_KINDS, { error: '请选择类型' }),
  regionCode: RegionScopeSchema,
  phone: z
    .string()
    .trim()
    .max(32, '电话至多 32 位')
    .regex(/^[0-9+\-() ]*$/, '电话只含数字、+、-、括号和空格')
    .optional()
    .transform((v) => (v ? v : null)),
  categories: z.array(z.enum(INCIDENT_CATEGORIES, { error: '未知事件类别' })).max(INCIDENT_CATEGORIES.length),
});
export type DepartmentInput = z.input<typeof DepartmentSchema>;
export type Department = z.output<typeof DepartmentSchema>;

/** The first problem of each field, as a form shows them inline; `_` for the form as a whole. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? '_');
    out[key] ??= issue.message;
  }
  return out;
}

/** Rows the admin API answers with. */
export interface UserRow {
  id: number;
  username: string;
  displayName: string | null;
  role: AdminRole;
  regionCode: string | null;
  /** role `worker`: the bound grid worker. */
  workerId?: string | null;
  /** role `department`: the bound department. */
  departmentId?: string | null;
  disabledAt: number | null;
  failedLogins: number;
  lockedUntil: number | null;
  createdAt: number;
}

export interface TokenRow {
  id: number;
  name: string;
  regionCode: string | null;
  createdBy: string;
  createdAt: number;
  revokedAt: number | null;
  lastUsedAt: number | null;
}
