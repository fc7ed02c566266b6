import { z } from 'zod';

/**
 * What the 12345 platform is told when one of its work orders moves (docs/integration.md). The hotline's
 * loop 受理 → 调度 → 办理 → 回复 → 督办 → 办结 → 回访 → 评价 mapped onto our lifecycle events.
 */
export const HOTLINE_STAGES = [
  'accept', // 受理: transition to accepted
  'dispatch', // 调度: assign (a unit, worker or department)
  'handle', // 办理: on scene
  'reply', // 回复: the reply to the citizen was recorded
  'supervise', // 督办: a supervision flag was set
  'resolve', // 办结: resolved, then closed after 核查
  'follow_up', // 回访 + 评价: the follow-up call and its satisfaction score
  'return', // 退单: back to the dispatcher
  'escalate', // 上报上级
  'cancel', // 作废
] as const;
export type HotlineStage = (typeof HOTLINE_STAGES)[number];

export const HOTLINE_STAGE_LABELS: Record<HotlineStage, string> = {
  accept: '受理',
  dispatch: '调度',
  handle: '办理',
  reply: '回复',
  supervise: '督办',
  resolve: '办结',
  follow_up: '回访',
  return: '退单',
  escalate: '上报上级',
  cancel: '作废',
};

const STAGE_BY_STATE: Record<string, HotlineStage> = {
  accepted: 'accept',
  dispatched: 'dispatch',
  on_scene: 'handle',
  resolved: 'resolve',
  closed: 'resolve',
  returned: 'return',
  escalated: 'escalate',
  cancelled: 'cancel',
};

/** One incident_events row, as the outbox reads it. */
export interface HotlineEventRow {
  id: number;
  incidentId: string;
  orderNo: string;
  at: number;
  type: string;
  fromState: string | null;
  toState: string | null;
  note: string | null;
  data: string | null;
  satisfaction: number | null;
  replyText: string | null;
  replyAt: number | null;
}

export const HotlineCallbackSchema = z.object({
  orderNo: z.string(),
  incidentId: z.string(),
  /** Unique per change: the platform may use it to drop a retried delivery it already has. */
  eventId: z.number().int(),
  stage: z.enum(HOTLINE_STAGES),
  stageLabel: z.string(),
  state: z.string(),
  at: z.string(),
  note: z.string().nullable(),
  reply: z.object({ text: z.string(), at: z.string() }).nullable(),
  satisfaction: z.number().int().nullable(),
});
export type HotlineCallback = z.infer<typeof HotlineCallbackSchema>;

/**
 * The callback an event becomes, or null for events the platform does not follow (the initial `reported`
 * row is its own push coming back; notes are internal).
 */
export function callbackFor(e: HotlineEventRow): HotlineCallback | null {
  let stage: HotlineStage | undefined;
  if (e.type === 'reply') stage = 'reply';
  else if (e.type === 'supervise') stage = 'supervise';
  else if (e.type === 'follow_up') stage = 'follow_up';
  else if (e.type === 'assign') stage = 'dispatch';
  else if (e.type === 'transition' && e.toState) stage = STAGE_BY_STATE[e.toState];
  if (!stage) return null;
  return {
    orderNo: e.orderNo,
    incidentId: e.incidentId,
    eventId: e.id,
    stage,
    stageLabel: HOTLINE_STAGE_LABELS[stage],
    state: e.toState ?? e.fromState ?? '',
    at: new Date(e.at).toISOString(),
    note: e.note,
    reply:
      stage === 'reply' && e.replyText !== null
        ? { text: e.replyText, at: new Date(e.replyAt ?? e.at).toISOString() }
        : null,
    satisfaction: stage === 'follow_up' ? e.satisfaction : null,
  };
}

/** First retry after this; each further one waits twice as long. */
export const CALLBACK_BASE_DELAY_MS = 5_000;
/** ...but never longer than this between two attempts. */
export const CALLBACK_MAX_DELAY_MS = 30 * 60_000;
/** Attempts before a callback goes to the dead-letter list (5 s … ~21 min: about 42 min in all). */
export const CALLBACK_MAX_ATTEMPTS = 9;

/** When to try again after `attempts` failed tries, or null when it is time to give up (dead letter). */
export function nextAttemptAt(attempts: number, now: number): number | null {
  if (attempts >= CALLBACK_MAX_ATTEMPTS) return null;
  const delay = Math.min(CALLBACK_BASE_DELAY_MS * 2 ** Math.max(0, attempts - 1), CALLBACK_MAX_DELAY_MS);
  return now + delay;
}
