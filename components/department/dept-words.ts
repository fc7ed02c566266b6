import type { Lang } from '@/lib/wall/i18n';

/** The department page's own words, Chinese first (the page follows the shared 中/EN toggle). */
const WORDS = {
  title: { zh: '部门报到', en: 'Department desk' },
  signOut: { zh: '退出', en: 'Sign out' },
  toggle: { zh: 'EN', en: '中文' },
  loading: { zh: '加载中…', en: 'Loading…' },
  empty: { zh: '暂无事件', en: 'Nothing here' },
  pick: { zh: '在左侧选择一条事件', en: 'Pick an incident on the left' },
  handedAt: { zh: '交办时间', en: 'Handed' },
  ackLeft: { zh: '签收剩余', en: 'To acknowledge' },
  resolveLeft: { zh: '办结剩余', en: 'To resolve' },
  overdue: { zh: '已超时', en: 'Overdue' },
  address: { zh: '地址', en: 'Address' },
  detail: { zh: '详情', en: 'Details' },
  sourceRef: { zh: '来源编号', en: 'Source no.' },
  timeline: { zh: '处置经过', en: 'Timeline' },
  note: { zh: '说明', en: 'Note' },
  notePlaceholder: { zh: '反馈处置情况，或填写退回原因', en: 'Progress, or the reason for returning' },
  reasonRequired: { zh: '退回须填写原因', en: 'A reason is required to return' },
  feedbackRequired: { zh: '反馈须填写内容或附照片', en: 'Write the feedback or add a photo first' },
  photos: { zh: '现场照片', en: 'Photos' },
  done: { zh: '已提交', en: 'Done' },
  awaitCheck: { zh: '已办结，待中心核查', en: 'Resolved: awaiting the center’s check' },
  returnedNote: { zh: '已退回中心', en: 'Returned to the center' },
  supervised: { zh: '督办', en: 'Supervised' },
  noDept: {
    zh: '本账号未绑定部门，请联系管理员',
    en: 'This account has no department: ask an administrator',
  },
} as const;

export type DeptWord = keyof typeof WORDS;

export function dw(key: DeptWord, lang: Lang): string {
  return WORDS[key][lang];
}
