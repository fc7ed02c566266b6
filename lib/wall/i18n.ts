import type { TimedMilestone } from '../domain/time-limits';
import type { WallPeriod } from './stats';

/**
 * The product's words (domain labels live in lib/domain/enums.ts). Chinese first; English on request.
 * Every page picks its language with `const [lang, setLang] = useLang()` (components/i18n/use-lang.ts),
 * which remembers the choice; helpers append their own keys to WORDS.
 */
export type Lang = 'zh' | 'en';
export const LANGS: readonly Lang[] = ['zh', 'en'];
/** localStorage key holding the chosen language (shared by every page). */
export const LANG_STORAGE_KEY = 'pingan.lang';

export function isLang(v: unknown): v is Lang {
  return v === 'zh' || v === 'en';
}

const WORDS = {
  title: { zh: '平安大屏 · 综治指挥中心', en: 'Pingan Wall · Command Center' },
  received: { zh: '今日受理', en: 'Received' },
  resolved: { zh: '已办结', en: 'Resolved' },
  resolveRate: { zh: '办结率', en: 'Resolution' },
  onTimeRate: { zh: '按时办结率', en: 'On time' },
  open: { zh: '在办', en: 'Open' },
  overdue: { zh: '超时', en: 'Overdue' },
  supervised: { zh: '督办', en: 'Supervised' },
  critical: { zh: '特急', en: 'Critical' },
  byCategory: { zh: '事件类别分布', en: 'By category' },
  trend: { zh: '事件趋势', en: 'Trend' },
  h24: { zh: '24小时', en: '24 h' },
  d7: { zh: '7日', en: '7 days' },
  cameraRate: { zh: '视频点位完好率', en: 'Camera online rate' },
  vehicles: { zh: '巡逻力量', en: 'Patrol units' },
  ranking: { zh: '区域事件排名', en: 'Region ranking' },
  rankingTab: { zh: '区域', en: 'Regions' },
  deptReport: { zh: '部门报到', en: 'Departments reporting in' },
  deptReportTab: { zh: '部门', en: 'Depts' },
  overdueList: { zh: '超时督办', en: 'Overdue & supervised' },
  feed: { zh: '实时事件', en: 'Live incidents' },
  live: { zh: '实时', en: 'Live' },
  stale: { zh: '数据延迟', en: 'Delayed' },
  statsLate: { zh: '统计延迟', en: 'Figures late' },
  disconnected: { zh: '连接中断', en: 'Disconnected' },
  connecting: { zh: '连接中', en: 'Connecting' },
  unauthorized: { zh: '未授权', en: 'Not authorised' },
  dataAge: { zh: '数据', en: 'Data' },
  statsAge: { zh: '统计', en: 'Figures' },
  liveVehicles: { zh: '实时在线车辆', en: 'Live vehicles' },
  staleBanner: {
    zh: '与服务器的连接已中断，画面数据不是实时数据',
    en: 'Connection lost: the data shown is NOT live',
  },
  delayedBanner: { zh: '数据更新延迟，画面可能不是最新', en: 'Data delayed: the picture may be out of date' },
  unauthorizedBanner: {
    zh: '本屏未授权：请登录或使用显示令牌打开',
    en: 'This screen is not authorised: sign in or use a display token',
  },
  alarmArm: { zh: '点击启用特急告警声音', en: 'Click to arm the alarm sound' },
  alarmArmed: { zh: '告警声音已启用', en: 'Alarm sound armed' },
  acknowledge: { zh: '确认', en: 'Acknowledge' },
  newCritical: { zh: '新特急事件', en: 'New critical incident' },
  briefing: { zh: '汇报模式', en: 'Briefing' },
  tour: { zh: '自动轮巡', en: 'Auto tour' },
  layers: { zh: '图层', en: 'Layers' },
  grids: { zh: '网格', en: 'Grids' },
  incidents: { zh: '事件', en: 'Incidents' },
  vehiclesLayer: { zh: '车辆', en: 'Vehicles' },
  trails: { zh: '轨迹', en: 'Trails' },
  cameras: { zh: '视频', en: 'Cameras' },
  whole: { zh: '全域', en: 'All' },
  noData: { zh: '暂无数据', en: 'No data' },
  close: { zh: '关闭', en: 'Close' },
  lastReport: { zh: '最后上报', en: 'Last report' },
  speed: { zh: '速度', en: 'Speed' },
  status: { zh: '状态', en: 'Status' },
  unit: { zh: '单位', en: 'Unit' },
  timeline: { zh: '处置时间线', en: 'Timeline' },
  limits: { zh: '时限', en: 'Time limits' },
  noStream: { zh: '该点位无视频流', en: 'No stream for this camera' },
  category: { zh: '类别', en: 'Category' },
  source: { zh: '来源', en: 'Source' },
  receivedAt: { zh: '受理时间', en: 'Received at' },
  address: { zh: '地址', en: 'Address' },
  reporter: { zh: '报告人', en: 'Reporter' },
  phone: { zh: '电话', en: 'Phone' },
  overdueBy: { zh: '超时', en: 'Overdue by' },
  remaining: { zh: '剩余', en: 'Left' },
  milestoneAccept: { zh: '受理', en: 'Accept' },
  milestoneDeptAck: { zh: '签收', en: 'Acknowledge' },
  milestoneOnScene: { zh: '到场', en: 'On scene' },
  milestoneResolve: { zh: '办结', en: 'Resolve' },
  periodToday: { zh: '今日', en: 'Today' },
  period7d: { zh: '近7日', en: '7 days' },
  periodXun: { zh: '本旬', en: '10 days' },
  periodMonth: { zh: '本月', en: 'Month' },
  periodIncidents: { zh: '事件办理', en: 'Incidents' },
  langToggle: { zh: 'EN', en: '中文' },
  langToggleTitle: { zh: 'Switch to English', en: '切换为中文' },
  areasTown: { zh: '各街镇态势', en: 'Towns' },
  areasCommunity: { zh: '各社区态势', en: 'Communities' },
  areasGrid: { zh: '各网格态势', en: 'Grids' },
  areasOther: { zh: '各区域态势', en: 'Areas' },
  cameraWall: { zh: '视频点位状态', en: 'Camera status' },
  dispatchQueue: { zh: '待处置事件', en: 'Waiting for action' },
  queueEmpty: { zh: '暂无待处置事件', en: 'Nothing waiting' },
  allCamerasOnline: { zh: '全部点位在线', en: 'All cameras online' },
  cameraOnline: { zh: '视频在线', en: 'Cameras' },
  unitsOnDuty: { zh: '在岗力量', en: 'Units' },
  loadingStats: { zh: '统计数据加载中…', en: 'Loading statistics…' },
  signIn: { zh: '登录', en: 'Sign in' },
  accessTitle: { zh: '本屏未授权', en: 'This screen is not authorised' },
  accessLogin: { zh: '值班人员：登录后进入大屏', en: 'Duty staff: sign in to open the wall' },
  accessToken: {
    zh: '无人值守的大屏：管理员在管理页生成显示令牌，用 /wall?token=… 打开',
    en: 'Unattended screens: an administrator makes a display token on the admin page; open /wall?token=…',
  },
  moreAlarms: { zh: '另有 {n} 条待确认', en: '{n} more to acknowledge' },
  acknowledgeAll: { zh: '全部确认', en: 'Acknowledge all' },
  urgent: { zh: '紧急', en: 'Urgent' },
} as const;

export type WordKey = keyof typeof WORDS;

export function t(key: WordKey, lang: Lang): string {
  return WORDS[key][lang];
}

const MILESTONE_KEYS: Record<TimedMilestone, WordKey> = {
  deptAck: 'milestoneDeptAck',
  accept: 'milestoneAccept',
  onScene: 'milestoneOnScene',
  resolve: 'milestoneResolve',
};

const PERIOD_KEYS: Record<WallPeriod, WordKey> = {
  today: 'periodToday',
  '7d': 'period7d',
  xun: 'periodXun',
  month: 'periodMonth',
};

/** "今日" / "Today", "本旬" / "10 days" (a 旬 is a third of a month: the 1st–10th, 11th–20th, 21st–end). */
export function periodLabel(p: WallPeriod, lang: Lang): string {
  return t(PERIOD_KEYS[p], lang);
}

export function milestoneLabel(m: TimedMilestone, lang: Lang): string {
  return t(MILESTONE_KEYS[m], lang);
}
