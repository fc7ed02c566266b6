import { STATE_LABELS, type IncidentState } from '../domain/enums';
import type { TimelineEvent } from '../dispatch/api-types';
import { actorLabel } from './actor-label';
import type { Lang } from './unit-label';

/**
 * One timeline step in words, the same on the wall and in the console: "已派遣 城西派出所巡逻车01" rather than
 * a bare state, and who did it by name ("调度员", "110警情接入").
 */
const EVENT_WORDS: Record<string, { zh: string; en: string }> = {
  reported: { zh: '上报', en: 'Reported' },
  transition: { zh: '状态', en: 'State' },
  assign: { zh: '派单', en: 'Assigned' },
  supervise: { zh: '督办', en: 'Supervised' },
  follow_up: { zh: '回访', en: 'Follow-up' },
  overdue: { zh: '超时', en: 'Overdue' },
  note: { zh: '备注', en: 'Note' },
  feedback: { zh: '反馈', en: 'Feedback' },
  reply: { zh: '答复市民', en: 'Replied to citizen' },
};
/** The milestone an `overdue` step (server/scale/overdue-watch.ts) records as past its time limit. */
const OVERDUE_MILESTONE_WORDS: Record<string, { zh: string; en: string }> = {
  accept: { zh: '受理', en: 'Accept' },
  onScene: { zh: '到场', en: 'On scene' },
  deptAck: { zh: '签收', en: 'Department sign-off' },
  resolve: { zh: '办结', en: 'Resolve' },
};
const SUPERVISION_WORDS = [
  { zh: '撤销督办', en: 'Supervision lifted' },
  { zh: '普通督办', en: 'Supervised' },
  { zh: '黄牌督办', en: 'Yellow card' },
  { zh: '红牌督办', en: 'Red card' },
];

type Step = Pick<TimelineEvent, 'type' | 'fromState' | 'toState' | 'data' | 'assigneeName'> & {
  actor: string;
  actorName?: string | null;
};

export function timelineWhat(e: Step, lang: Lang = 'zh'): string {
  const state = (s: string | null) => (s ? (STATE_LABELS[s as IncidentState]?.[lang] ?? s) : '');
  if (e.type === 'assign') {
    const unit = e.assigneeName ?? (typeof e.data?.assigneeId === 'string' ? e.data.assigneeId : '');
    return `${EVENT_WORDS.assign![lang]} → ${unit}`.trim();
  }
  if (e.type === 'transition' && e.toState) return state(e.toState);
  if (e.type === 'supervise' && typeof e.data?.level === 'number')
    return SUPERVISION_WORDS[e.data.level]?.[lang] ?? EVENT_WORDS.supervise![lang];
  if (e.type === 'follow_up' && typeof e.data?.satisfaction === 'number')
    return `${EVENT_WORDS.follow_up![lang]} ${e.data.satisfaction}/5`;
  if (e.type === 'overdue' && typeof e.data?.milestone === 'string') {
    const m = OVERDUE_MILESTONE_WORDS[e.data.milestone];
    if (m) return lang === 'zh' ? `${m.zh}超时` : `${m.en} overdue`;
  }
  return EVENT_WORDS[e.type]?.[lang] ?? e.type;
}

/**
 * Who acted: the server's name for them, with machine actors ("110警情接入") in the page's language; a user
 * keeps the display name the server sent, and the stored actor shows when an older server sent none.
 */
export function timelineWho(e: Step, lang: Lang = 'zh'): string {
  return actorLabel(e.actor, () => e.actorName, lang);
}
