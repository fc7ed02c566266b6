import type { Lang } from '@/lib/wall/i18n';

/** Words of the track and playback views (Chinese first; the English toggle's words beside them). */
const WORDS = {
  track: { zh: '轨迹回放', en: 'Track' },
  hideTrack: { zh: '收起轨迹', en: 'Hide track' },
  playback: { zh: '处置回放', en: 'Playback' },
  hidePlayback: { zh: '收起回放', en: 'Hide playback' },
  from: { zh: '起', en: 'From' },
  to: { zh: '止', en: 'To' },
  query: { zh: '查询', en: 'Show' },
  distance: { zh: '里程', en: 'Distance' },
  stops: { zh: '停留', en: 'Stops' },
  stopsTitle: { zh: '停留点（≥3分钟）', en: 'Stops (≥ 3 min)' },
  points: { zh: '轨迹点', en: 'Points' },
  speed: { zh: '速度 km/h', en: 'Speed km/h' },
  noSpeed: { zh: '无速度', en: 'No speed' },
  handled: { zh: '途中处置事件', en: 'Incidents handled' },
  none: { zh: '无', en: 'None' },
  noTrack: { zh: '该时段无轨迹记录', en: 'No positions recorded in this period' },
  truncated: { zh: '轨迹点过多，仅显示前段', en: 'Too many points: only the first part is shown' },
  loading: { zh: '加载中…', en: 'Loading…' },
  badRange: { zh: '起止时间无效', en: 'Invalid period' },
  times: { zh: '次', en: '' },
  unit: { zh: '处置单位', en: 'Unit' },
  arrive: { zh: '到场用时', en: 'Time to arrive' },
  route: { zh: '出警路线', en: 'Route' },
  notArrived: { zh: '未到场', en: 'Not arrived' },
  noRoute: { zh: '无该时段轨迹', en: 'No track for this period' },
  noUnit: { zh: '未派单', en: 'Not dispatched' },
  scene: { zh: '现场', en: 'Scene' },
  step_reported: { zh: '上报', en: 'Reported' },
  step_accepted: { zh: '受理', en: 'Accepted' },
  step_dispatched: { zh: '派单', en: 'Dispatched' },
  step_on_scene: { zh: '到场', en: 'On scene' },
  step_resolved: { zh: '办结', en: 'Resolved' },
  step_closed: { zh: '结案', en: 'Closed' },
} as const;

export type TrackWord = keyof typeof WORDS;

export function tw(key: TrackWord, lang: Lang): string {
  return WORDS[key][lang];
}
