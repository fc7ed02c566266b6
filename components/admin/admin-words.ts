import type { Lang } from '@/lib/wall/i18n';

/** The admin console's words, Chinese first (the console follows the page language from useLang()). */
const WORDS = {
  console: { zh: '系统管理', en: 'Administration' },
  product: { zh: '平安大屏', en: 'Pingan Wall' },
  users: { zh: '用户管理', en: 'Users' },
  tokens: { zh: '大屏令牌', en: 'Display tokens' },
  devices: { zh: '终端设备', en: 'Field devices' },
  departments: { zh: '职能部门', en: 'Departments' },
  timeLimits: { zh: '时限设置', en: 'Time limits' },
  imports: { zh: '数据导入', en: 'Imports' },
  audit: { zh: '审计日志', en: 'Audit log' },
  wall: { zh: '打开大屏', en: 'Open the wall' },
  dispatch: { zh: '调度台', en: 'Dispatch console' },
  signOut: { zh: '退出登录', en: 'Sign out' },
  toggle: { zh: 'English', en: '中文' },
  signedInAs: { zh: '当前用户', en: 'Signed in as' },
  needAdmin: { zh: '需要系统管理员权限', en: 'Administrator rights are required' },
  toLogin: { zh: '以管理员身份登录', en: 'Sign in as an administrator' },
  loading: { zh: '加载中…', en: 'Loading…' },
  save: { zh: '保存', en: 'Save' },
  cancel: { zh: '取消', en: 'Cancel' },
  create: { zh: '新建', en: 'Create' },
  edit: { zh: '编辑', en: 'Edit' },
  actions: { zh: '操作', en: 'Actions' },
  status: { zh: '状态', en: 'Status' },
  enabled: { zh: '正常', en: 'Active' },
  disabled: { zh: '已停用', en: 'Disabled' },
  disable: { zh: '停用', en: 'Disable' },
  enable: { zh: '启用', en: 'Enable' },
  locked: { zh: '已锁定', en: 'Locked' },
  unlock: { zh: '解锁', en: 'Unlock' },
  never: { zh: '从未', en: 'Never' },
  none: { zh: '无', en: 'None' },
  all: { zh: '全辖区', en: 'Whole territory' },
  empty: { zh: '暂无记录', en: 'Nothing yet' },
  saved: { zh: '已保存', en: 'Saved' },
  region: { zh: '区域代码', en: 'Region code' },
  regionHint: { zh: '12 或 15 位；留空为全辖区', en: '12 or 15 digits; empty for the whole territory' },
  workerId: { zh: '网格员编号', en: 'Grid worker id' },
  workerIdHint: {
    zh: '该账号在手机端 /m 以此网格员身份上报',
    en: 'The account reports as this grid worker on /m',
  },
  departmentId: { zh: '部门编号', en: 'Department id' },
  departmentIdHint: {
    zh: '该账号在 /dept 以此部门签收、反馈、办结、退回',
    en: 'The account acknowledges, reports, resolves and returns for this department on /dept',
  },
  createdAt: { zh: '创建时间', en: 'Created' },
  // users
  usersSub: {
    zh: '账号、角色与可见区域。停用后立即退出登录且无法再登录。',
    en: 'Accounts, roles and region scope. A disabled account is signed out at once.',
  },
  newUser: { zh: '新建用户', en: 'New user' },
  username: { zh: '用户名', en: 'User name' },
  displayName: { zh: '姓名', en: 'Name' },
  role: { zh: '角色', en: 'Role' },
  password: { zh: '密码', en: 'Password' },
  newPassword: { zh: '新密码', en: 'New password' },
  resetPassword: { zh: '重置密码', en: 'Reset password' },
  passwordHint: {
    zh: '至少 10 位，不能与用户名相同，不能用演示密码或常见密码；重置后该用户的登录会话全部失效',
    en: '10+ characters, not the user name, the demo or a common password; ends the user’s sessions',
  },
  editUser: { zh: '编辑用户', en: 'Edit user' },
  changeOwnPassword: { zh: '修改密码', en: 'Change password' },
  confirmDisable: {
    zh: '确认停用该用户？其登录将立即失效。',
    en: 'Disable this user? They are signed out at once.',
  },
  // tokens
  tokensSub: {
    zh: '指挥大厅等大屏无需账号，凭令牌只读打开大屏。令牌仅在创建时显示一次。',
    en: 'Wall screens open read-only with a token instead of an account. A token is shown once.',
  },
  newToken: { zh: '新建令牌', en: 'New token' },
  tokenName: { zh: '名称（屏幕位置）', en: 'Name (where the screen is)' },
  createdBy: { zh: '创建人', en: 'Created by' },
  lastUsed: { zh: '最近使用', en: 'Last used' },
  revoke: { zh: '吊销', en: 'Revoke' },
  revoked: { zh: '已吊销', en: 'Revoked' },
  confirmRevoke: {
    zh: '确认吊销该令牌？使用它的大屏将无法再连接。',
    en: 'Revoke this token? Screens using it stop.',
  },
  tokenOnce: {
    zh: '令牌已创建。以下链接只显示这一次，请立即复制到大屏浏览器：',
    en: 'Token created. This link is shown only once; copy it to the screen’s browser now:',
  },
  copy: { zh: '复制链接', en: 'Copy link' },
  copied: { zh: '已复制', en: 'Copied' },
  openLink: { zh: '在新窗口打开', en: 'Open in a new window' },
  dismiss: { zh: '我已保存', en: 'Done' },
  // devices
  devicesSub: {
    zh: 'JT/T 808 车载终端按车辆开通（鉴权码只显示一次）；GB/T 28181 设备可设独立密码。',
    en: 'JT/T 808 terminals are provisioned per vehicle (the auth code is shown once); GB/T 28181 devices may have their own password.',
  },
  devicesMissing: {
    zh: '设备管理接口尚未启用（/api/admin/devices）。',
    en: 'The device API is not available.',
  },
  autoRegister: { zh: '未知设备自动注册', en: 'Unknown devices register themselves' },
  on: { zh: '开启', en: 'On' },
  off: { zh: '关闭', en: 'Off' },
  terminals: { zh: 'JT/T 808 车载终端', en: 'JT/T 808 terminals' },
  vehicle: { zh: '车辆', en: 'Vehicle' },
  plate: { zh: '车牌', en: 'Plate' },
  phone: { zh: '终端手机号', en: 'Terminal phone' },
  provisioned: { zh: '已开通', en: 'Provisioned' },
  notProvisioned: { zh: '未开通', en: 'Not provisioned' },
  provision: { zh: '开通', en: 'Provision' },
  rotate: { zh: '重置鉴权码', en: 'New auth code' },
  lastSeen: { zh: '最近在线', en: 'Last seen' },
  authCodeOnce: {
    zh: '鉴权码（只显示这一次，请配置到终端）：',
    en: 'Auth code (shown once; configure the terminal):',
  },
  gbDevices: { zh: 'GB/T 28181 视频设备', en: 'GB/T 28181 devices' },
  gbId: { zh: '设备编码（20 位）', en: 'Device id (20 digits)' },
  gbName: { zh: '设备名称', en: 'Name' },
  ownPassword: { zh: '独立密码', en: 'Own password' },
  ownPasswordHint: { zh: '留空则使用域密码', en: 'Empty: the domain password applies' },
  lastAddress: { zh: '最近地址', en: 'Last address' },
  addGb: { zh: '添加 / 更新设备', en: 'Add or update a device' },
  filter: { zh: '筛选车辆（名称、车牌、编号）', en: 'Filter vehicles (name, plate, id)' },
  shown: { zh: '显示', en: 'Showing' },
  // cameras and grid workers (devices page)
  units: { zh: '视频点位与网格员', en: 'Cameras and grid workers' },
  cameras: { zh: '视频点位', en: 'Cameras' },
  workers: { zh: '网格员', en: 'Grid workers' },
  unitsHint: {
    zh: '停用后，该点位或网格员立即从所有大屏撤下，其上报一律拒收，直到重新启用。',
    en: 'Disabled, a camera or worker leaves every wall at once and its reports are refused until enabled.',
  },
  unitSearch: { zh: '搜索名称、编号或网格代码', en: 'Search name, id or grid code' },
  stateAll: { zh: '全部', en: 'All' },
  nameId: { zh: '名称 / 编号', en: 'Name / id' },
  unitType: { zh: '类型', en: 'Type' },
  grid: { zh: '网格', en: 'Grid' },
  liveStatus: { zh: '实时状态', en: 'Live status' },
  noReport: { zh: '无上报', en: 'No report' },
  since: { zh: '自', en: 'since' },
  sinceEnd: { zh: '起', en: '' },
  confirmUnitDisable: { zh: '确认停用', en: 'Disable' },
  confirmUnitDisableText: {
    zh: '停用后立即从所有大屏撤下，其上报将被拒收。',
    en: 'It leaves every wall at once and its reports are refused.',
  },
  total: { zh: '共', en: 'Total' },
  rows: { zh: '条', en: 'rows' },
  prevPage: { zh: '上一页', en: 'Previous' },
  nextPage: { zh: '下一页', en: 'Next' },
  pageBefore: { zh: '第', en: 'Page' },
  pageAfter: { zh: '页', en: '' },
  unassigned: { zh: '未入台账', en: 'Unregistered' },
  // departments
  departmentsSub: {
    zh: '受理事件的职能部门：调度推荐与派单按类型、区域和负责类别匹配。',
    en: 'Departments that take incidents: dispatch matches them by kind, region and categories.',
  },
  newDepartment: { zh: '新建部门', en: 'New department' },
  editDepartment: { zh: '编辑部门', en: 'Edit department' },
  deptId: { zh: '编号', en: 'Id' },
  deptName: { zh: '名称', en: 'Name' },
  kind: { zh: '类型', en: 'Kind' },
  deptPhone: { zh: '值班电话', en: 'Duty phone' },
  categories: { zh: '负责类别', en: 'Categories' },
  // time limits
  timeLimitsSub: {
    zh: '自接报起计时。超过黄灯比例亮黄灯，超过时限亮红灯并计入超时。保存后立即生效。',
    en: 'Counted from receipt. Yellow past the ratio, red and overdue past the limit. Applies at once.',
  },
  priority: { zh: '优先级', en: 'Priority' },
  acceptMin: { zh: '受理时限（分钟）', en: 'Accept (min)' },
  onSceneMin: { zh: '到场时限（分钟）', en: 'On scene (min)' },
  resolveMin: { zh: '办结时限（分钟）', en: 'Resolve (min)' },
  yellowRatio: { zh: '黄灯比例（%）', en: 'Yellow at (%)' },
  yellowHint: {
    zh: '已用时限达到该比例时亮黄灯（常用 70–80）',
    en: 'Share of the limit used that lights yellow',
  },
  defaults: { zh: '恢复默认', en: 'Restore defaults' },
  noLimit: { zh: '留空表示不设时限', en: 'Empty: no limit' },
  lastSaved: { zh: '上次保存', en: 'Last saved' },
  neverSaved: { zh: '使用默认值', en: 'Defaults in use' },
  // imports
  importsSub: {
    zh: '导入辖区网格与各类台账：先预检（不写入），无错误后再导入。',
    en: 'Import the territory and registries: check first (nothing written), then import.',
  },
  importKind: { zh: '数据类型', en: 'Kind' },
  file: { zh: '文件', en: 'File' },
  dryRun: { zh: '预检', en: 'Check' },
  runImport: { zh: '导入', en: 'Import' },
  created: { zh: '新增', en: 'Created' },
  updated: { zh: '更新', en: 'Updated' },
  unchanged: { zh: '未变', en: 'Unchanged' },
  errors: { zh: '错误', en: 'Errors' },
  warnings: { zh: '提示', en: 'Warnings' },
  place: { zh: '位置', en: 'Where' },
  fieldName: { zh: '字段', en: 'Field' },
  message: { zh: '说明', en: 'Message' },
  dryRunOk: { zh: '预检通过，可以导入。', en: 'Check passed: ready to import.' },
  dryRunBad: {
    zh: '预检发现错误，未写入任何数据。请修正文件后重试。',
    en: 'Errors found; nothing was written.',
  },
  imported: { zh: '导入完成。', en: 'Imported.' },
  pastRuns: { zh: '导入记录', en: 'Past imports' },
  fileName: { zh: '文件名', en: 'File' },
  actor: { zh: '操作人', en: 'By' },
  at: { zh: '时间', en: 'When' },
  importsMissing: { zh: '导入接口尚未启用（/api/admin/import）。', en: 'The import API is not available.' },
  seeFormats: { zh: '文件格式见 docs/import-formats.md', en: 'File formats: docs/import-formats.md' },
} as const;

export type AdminWord = keyof typeof WORDS;

export function w(key: AdminWord, lang: Lang): string {
  return WORDS[key][lang];
}

/** "标签：" in Chinese, "Label: " in English. */
export function colon(lang: Lang): string {
  return lang === 'zh' ? '：' : ': ';
}

export const IMPORT_KIND_LABELS = {
  territory: { zh: '辖区网格（GeoJSON / Shapefile）', en: 'Territory (GeoJSON / Shapefile)' },
  cameras: { zh: '视频监控台账', en: 'Cameras' },
  vehicles: { zh: '车辆台账', en: 'Vehicles' },
  workers: { zh: '网格员台账', en: 'Grid workers' },
  departments: { zh: '职能部门台账', en: 'Departments' },
} as const;
export type ImportKind = keyof typeof IMPORT_KIND_LABELS;

/** Camera programs as the registry names them (lib/world CameraProgram). */
export const CAMERA_PROGRAM_LABELS: Record<string, { zh: string; en: string }> = {
  xueliang: { zh: '雪亮工程', en: 'Xueliang' },
  tianwang: { zh: '天网', en: 'Tianwang' },
  huiyan: { zh: '慧眼工程', en: 'Huiyan' },
};
