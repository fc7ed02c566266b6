import type { Lang } from '@/lib/wall/i18n';

/** The phone page's words, Chinese first (the page follows the shared 中/EN toggle). */
const WORDS = {
  title: { zh: '平安网格', en: 'Grid patrol' },
  report: { zh: '上报', en: 'Report' },
  tasks: { zh: '我的任务', en: 'My tasks' },
  onDuty: { zh: '在岗', en: 'On duty' },
  offDuty: { zh: '未上班', en: 'Off duty' },
  checkIn: { zh: '上班', en: 'Check in' },
  checkOut: { zh: '下班', en: 'Check out' },
  pickCategory: { zh: '发现什么问题？点一下类别', en: 'What did you find? Tap a category' },
  detail: { zh: '情况说明（可不填）', en: 'Description (optional)' },
  detailPh: { zh: '如：小区东门占道经营，约 5 个摊位', en: 'e.g. street stalls blocking the east gate' },
  photos: { zh: '照片', en: 'Photos' },
  takePhoto: { zh: '拍照 / 选照片', en: 'Take / choose photo' },
  place: { zh: '位置（可拖动图钉修改）', en: 'Place (drag the pin to correct)' },
  locating: { zh: '正在定位…', en: 'Locating…' },
  locateFailed: { zh: '定位失败，请拖动图钉到现场位置', en: 'No fix: drag the pin to the place' },
  relocate: { zh: '重新定位', en: 'Locate again' },
  address: { zh: '地址（可不填）', en: 'Address (optional)' },
  submit: { zh: '上报', en: 'Send report' },
  cancel: { zh: '返回', en: 'Back' },
  sent: { zh: '已上报', en: 'Reported' },
  queued: { zh: '无网络，已存手机，联网后自动发送', en: 'Offline: saved, sends when online' },
  pendingActions: { zh: '待发送：', en: 'Waiting to send: ' },
  pendingHint: { zh: '联网后自动发送，请勿重复操作', en: 'Sends by itself when online' },
  failed: { zh: '未能发送', en: 'Not accepted' },
  actionsSent: { zh: '项任务操作已发送', en: 'task actions sent' },
  discard: { zh: '删除', en: 'Discard' },
  offline: {
    zh: '离线：上报和任务操作先存在手机上，联网后自动发送',
    en: 'Offline: reports and task actions are kept and sent when online',
  },
  noTasks: { zh: '暂无任务', en: 'No tasks' },
  myReports: { zh: '我的上报', en: 'My reports' },
  accept: { zh: '接单', en: 'Accept' },
  accepted: { zh: '已接单', en: 'Accepted' },
  arrive: { zh: '到场', en: 'Arrived' },
  resolve: { zh: '办结', en: 'Resolve' },
  addNote: { zh: '补充说明', en: 'Add note' },
  notePh: { zh: '处置情况', en: 'What was done' },
  saveNote: { zh: '提交补充', en: 'Save note' },
  signIn: { zh: '请先登录', en: 'Please sign in' },
  notWorker: { zh: '此页面供网格员使用', en: 'This page is for grid workers' },
  navigate: { zh: '导航', en: 'Navigate' },
} satisfies Record<string, { zh: string; en: string }>;

export type MobileWord = keyof typeof WORDS;

export function mw(key: MobileWord, lang: Lang): string {
  return WORDS[key][lang];
}

/** 待发送 n 条: how many reports and task actions wait on the phone. */
export function pendingCount(n: number, lang: Lang): string {
  return lang === 'zh' ? `待发送 ${n} 条` : `${n} waiting to send`;
}
