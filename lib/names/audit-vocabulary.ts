import { STATE_LABELS, type IncidentState } from '../domain/enums';
import { ASSIGNEE_KIND_WORDS, type Lang } from './unit-label';

/**
 * The audit log stores action codes (`incident.assign`) and JSON before/after; an administrator reads
 * 派单 and a table of changed fields. Known actions have their own words; any other `<object>.<verb>` is
 * named from its parts, and a code with no words at all shows as itself, so nothing on the record is hidden.
 */
type Words = Record<string, { zh: string; en: string }>;

export const AUDIT_ACTION_WORDS: Words = {
  'incident.assign': { zh: '派单', en: 'Assign' },
  'incident.transition': { zh: '变更状态', en: 'Change state' },
  'incident.supervise': { zh: '挂牌督办', en: 'Supervise' },
  'incident.follow_up': { zh: '回访', en: 'Follow-up' },
  'incident.overdue': { zh: '超时记录', en: 'Overdue recorded' },
  'incident.create': { zh: '接警登记', en: 'Log incident' },
  'incident.read': { zh: '查看事件', en: 'View incident' },
  'incident.list': { zh: '查看事件列表', en: 'List incidents' },
  'incident.recommend': { zh: '查看派单推荐', en: 'View recommendations' },
  'incident.supervision_list': { zh: '查看督办列表', en: 'View supervision list' },
  'session.login': { zh: '登录', en: 'Sign in' },
  'session.logout': { zh: '退出登录', en: 'Sign out' },
  'session.password_change': { zh: '修改本人密码', en: 'Change own password' },
  'user.create': { zh: '创建用户', en: 'Create user' },
  'user.unlock': { zh: '解锁用户', en: 'Unlock user' },
  'user.reset_password': { zh: '重置密码', en: 'Reset password' },
  'display_token.create': { zh: '创建显示令牌', en: 'Create display token' },
  'display_token.revoke': { zh: '吊销显示令牌', en: 'Revoke display token' },
  'audit.verify': { zh: '校验审计链', en: 'Verify audit chain' },
  'audit.list': { zh: '查看审计日志', en: 'View audit log' },
  'time_limits.read': { zh: '查看时限配置', en: 'View time limits' },
};

const OBJECT_WORDS: Words = {
  incident: { zh: '事件', en: 'incident' },
  user: { zh: '用户', en: 'user' },
  session: { zh: '会话', en: 'session' },
  display_token: { zh: '显示令牌', en: 'display token' },
  department: { zh: '部门', en: 'department' },
  vehicle: { zh: '车辆', en: 'vehicle' },
  worker: { zh: '网格员', en: 'grid worker' },
  camera: { zh: '视频点位', en: 'camera' },
  device: { zh: '设备', en: 'device' },
  terminal: { zh: '车载终端', en: 'terminal' },
  gb28181: { zh: '国标设备', en: 'GB/T 28181 device' },
  import: { zh: '数据导入', en: 'import' },
  time_limits: { zh: '时限配置', en: 'time limits' },
  audit: { zh: '审计日志', en: 'audit log' },
  audit_log: { zh: '审计日志', en: 'audit log' },
  config: { zh: '配置', en: 'settings' },
};

const VERB_WORDS: Words = {
  create: { zh: '创建', en: 'Create' },
  update: { zh: '修改', en: 'Update' },
  upsert: { zh: '保存', en: 'Save' },
  delete: { zh: '删除', en: 'Delete' },
  disable: { zh: '停用', en: 'Disable' },
  enable: { zh: '启用', en: 'Enable' },
  revoke: { zh: '吊销', en: 'Revoke' },
  read: { zh: '查看', en: 'View' },
  list: { zh: '查看列表', en: 'List' },
  provision: { zh: '开通', en: 'Provision' },
  import: { zh: '导入', en: 'Import' },
  write: { zh: '修改', en: 'Change' },
};

export function objectTypeLabel(objectType: string, lang: Lang = 'zh'): string {
  return OBJECT_WORDS[objectType]?.[lang] ?? objectType;
}

export function auditActionLabel(action: string, lang: Lang = 'zh'): string {
  const known = AUDIT_ACTION_WORDS[action];
  if (known) return known[lang];
  const dot = action.lastIndexOf('.');
  const object = OBJECT_WORDS[action.slice(0, dot).split('.').pop() ?? ''];
  const verb = VERB_WORDS[action.slice(dot + 1)];
  if (dot < 0 || !object || !verb) return action;
  return lang === 'zh' ? `${verb.zh}${object.zh}` : `${verb.en} ${object.en}`;
}

export const AUDIT_RESULT_WORDS: Words = {
  ok: { zh: '成功', en: 'OK' },
  denied: { zh: '拒绝', en: 'Denied' },
  error: { zh: '错误', en: 'Error' },
};

export function auditResultLabel(result: string, lang: Lang = 'zh'): string {
  return AUDIT_RESULT_WORDS[result]?.[lang] ?? result;
}

const FIELD_WORDS: Words = {
  state: { zh: '状态', en: 'State' },
  to: { zh: '目标状态', en: 'Target state' },
  type: { zh: '操作', en: 'Operation' },
  assignee: { zh: '处置单位', en: 'Assignee' },
  assigneeKind: { zh: '处置单位类型', en: 'Assignee type' },
  assigneeId: { zh: '处置单位', en: 'Assignee' },
  supervision: { zh: '督办', en: 'Supervision' },
  level: { zh: '督办级别', en: 'Supervision level' },
  satisfaction: { zh: '满意度', en: 'Satisfaction' },
  note: { zh: '说明', en: 'Note' },
  username: { zh: '用户名', en: 'Username' },
  displayName: { zh: '姓名', en: 'Display name' },
  role: { zh: '角色', en: 'Role' },
  regionCode: { zh: '区域', en: 'Region' },
  name: { zh: '名称', en: 'Name' },
  phone: { zh: '电话', en: 'Phone' },
  plate: { zh: '车牌', en: 'Plate' },
  kind: { zh: '类型', en: 'Kind' },
  disabledAt: { zh: '停用时间', en: 'Disabled at' },
  lockedUntil: { zh: '锁定至', en: 'Locked until' },
  failedLogins: { zh: '连续失败次数', en: 'Failed sign-ins' },
  sessionsRevoked: { zh: '登录会话已全部退出', en: 'Sessions signed out' },
  otherSessionsRevoked: { zh: '其他登录会话已退出', en: 'Other sessions signed out' },
  vehicleId: { zh: '车辆', en: 'Vehicle' },
  workerId: { zh: '网格员', en: 'Grid worker' },
  departmentId: { zh: '部门', en: 'Department' },
  fileName: { zh: '文件名', en: 'File' },
  created: { zh: '新增', en: 'Created' },
  updated: { zh: '更新', en: 'Updated' },
  unchanged: { zh: '未变', en: 'Unchanged' },
};

export function auditFieldLabel(field: string, lang: Lang = 'zh'): string {
  return FIELD_WORDS[field]?.[lang] ?? field;
}

const ROLE_WORDS: Words = {
  admin: { zh: '管理员', en: 'Administrator' },
  leader: { zh: '领导', en: 'Leader' },
  dispatcher: { zh: '调度员', en: 'Dispatcher' },
  duty: { zh: '值班员', en: 'Duty officer' },
  department: { zh: '部门账号', en: 'Department' },
  worker: { zh: '网格员', en: 'Grid worker' },
};

export function roleLabel(role: string, lang: Lang = 'zh'): string {
  return ROLE_WORDS[role]?.[lang] ?? role;
}

const SUPERVISION_WORDS = [
  { zh: '无', en: 'None' },
  { zh: '普通', en: 'Normal' },
  { zh: '黄牌', en: 'Yellow card' },
  { zh: '红牌', en: 'Red card' },
];

/** Names for ids that appear in before/after values (assignees), sent by the server with the rows. */
export type IdNames = Record<string, string>;

/** One field's value in words: states, roles, kinds and supervision levels by name, ids by their names. */
export function auditValueLabel(
  field: string,
  value: unknown,
  names: IdNames = {},
  lang: Lang = 'zh',
): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'string') {
    if ((field === 'state' || field === 'to') && value in STATE_LABELS)
      return STATE_LABELS[value as IncidentState][lang];
    if (field === 'role') return roleLabel(value, lang);
    if (field === 'assigneeKind') return ASSIGNEE_KIND_WORDS[value]?.[lang] ?? value;
    if (field === 'type') return auditActionLabel(`incident.${value}`, lang);
    return names[value] ?? value;
  }
  if (typeof value === 'number' && (field === 'supervision' || field === 'level'))
    return SUPERVISION_WORDS[value]?.[lang] ?? String(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  // An assign command's `assignee: { kind, id }` reads as the unit's name.
  const o = value as { kind?: unknown; id?: unknown };
  if (field === 'assignee' && typeof o.id === 'string') return names[o.id] ?? o.id;
  return JSON.stringify(value);
}

export interface AuditDiffRow {
  field: string;
  before: unknown;
  after: unknown;
  /** Present on both sides with different values, or on one side only when both sides exist. */
  isChanged: boolean;
}

function parseObject(json: string | null): Record<string, unknown> | null {
  if (!json) return null;
  try {
    const v = JSON.parse(json) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v };
  } catch {
    return { value: json };
  }
}

/** The before/after JSON of one audit row as rows of a table, in the order the fields first appear. */
export function auditDiff(beforeJson: string | null, afterJson: string | null): AuditDiffRow[] {
  const before = parseObject(beforeJson);
  const after = parseObject(afterJson);
  const fields = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
  return fields.map((field) => {
    const b = before?.[field];
    const a = after?.[field];
    // A field absent on one side and null on the other did not change (a note that was never written).
    const isChanged =
      before !== null && after !== null && JSON.stringify(b ?? null) !== JSON.stringify(a ?? null);
    return { field, before: b, after: a, isChanged };
  });
}
