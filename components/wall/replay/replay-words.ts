import type { Lang } from '@/lib/wall/i18n';

/** The replay's words (Chinese first; the wall's English toggle switches them with everything else). */
const REPLAY_WORDS = {
  replay: { zh: '回放', en: 'Replay' },
  replayTitle: { zh: '回放历史时段', en: 'Replay a past period' },
  backToLive: { zh: '返回实时', en: 'Back to live' },
  current: { zh: '当前', en: 'now' },
  play: { zh: '播放', en: 'Play' },
  pause: { zh: '暂停', en: 'Pause' },
  speed: { zh: '倍速', en: 'Speed' },
  today: { zh: '今日至今', en: 'Today so far' },
  yesterday: { zh: '昨日', en: 'Yesterday' },
  custom: { zh: '自定义', en: 'Custom' },
  from: { zh: '开始', en: 'From' },
  to: { zh: '结束', en: 'To' },
  start: { zh: '开始回放', en: 'Start replay' },
  cancel: { zh: '取消', en: 'Cancel' },
  loading: { zh: '正在读取历史…', en: 'Loading history…' },
  periodFigures: { zh: '回放时段数据', en: 'Figures for the period' },
  periodNote: {
    zh: '以下数字为回放时段内截至回放时刻的数据，不是实时数据',
    en: 'Figures of the replayed period up to the replay clock, not live',
  },
  reported: { zh: '上报', en: 'Reported' },
  dispatched: { zh: '已派遣', en: 'Dispatched' },
  resolved: { zh: '已办结', en: 'Resolved' },
  openAt: { zh: '回放时刻在办', en: 'Open at replay time' },
  byCategory: { zh: '事件类别', en: 'By category' },
  incidentsAt: { zh: '回放时刻事件', en: 'Incidents at replay time' },
  noIncidents: { zh: '该时刻无在办事件', en: 'No open incidents at this time' },
  heatNote: { zh: '热力：时段内全部事件', en: 'Heat: all incidents of the period' },
  errOrder: { zh: '结束时间须晚于开始时间', en: 'The end must be after the start' },
  errSpan: { zh: '回放时段最长31天', en: 'A replay covers at most 31 days' },
  errFuture: { zh: '开始时间不能晚于现在', en: 'The start cannot be in the future' },
  historyError: { zh: '历史数据读取失败', en: 'History could not be read' },
  asOf: { zh: '回放时刻', en: 'As of replay time' },
  asOfNote: { zh: '以下为回放时刻的状态，不是实时数据', en: 'As it stood at the replay time, not live' },
  position: { zh: '位置', en: 'Position' },
  handlingThen: { zh: '当时处置', en: 'Handling then' },
  none: { zh: '无', en: 'None' },
  notInFrame: { zh: '该时刻无此单位的位置记录', en: 'No position recorded for it at this time' },
  pickOnMap: {
    zh: '回放时刻的状态：请在地图上点选该单位',
    en: 'For its state at the replay time, pick it on the map',
  },
  noLiveVideo: { zh: '回放中不显示实时视频', en: 'No live video while replaying' },
  periodByReplay: { zh: '统计时段由回放条控制', en: 'The replay bar sets the period' },
  noAlarms: { zh: '回放中不告警', en: 'No alarms in replay' },
} as const;

export type ReplayWordKey = keyof typeof REPLAY_WORDS;

export function rt(key: ReplayWordKey, lang: Lang): string {
  return REPLAY_WORDS[key][lang];
}
