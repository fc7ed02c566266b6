import type { IncidentView } from '../domain/incident';
import type { TimeLimitStatus } from '../domain/time-limits';
import type { IncidentAttachment } from '../uploads/attachments';
import type { Handing } from './report-rates';

/**
 * A department's queue (/dept): 待签收 (handed, owes 签收), 处理中 (签收 given), and the cases it has finished
 * with — 已办结 (resolved or closed while its own) and 已退回 (returned to the center). The same buckets on
 * the server (which decides them) and the page (which shows them).
 */
export const DEPT_BUCKETS = ['pending', 'in_progress', 'resolved', 'returned'] as const;
export type DeptBucket = (typeof DEPT_BUCKETS)[number];

export const DEPT_BUCKET_LABELS: Record<DeptBucket, { zh: string; en: string }> = {
  pending: { zh: '待签收', en: 'To acknowledge' },
  in_progress: { zh: '处理中', en: 'In hand' },
  resolved: { zh: '已办结', en: 'Resolved' },
  returned: { zh: '已退回', en: 'Returned' },
};

/** Past cases listed per bucket (newest first): the queue is for today's work, the audit log for history. */
export const DEPT_HISTORY_MAX = 50;

/**
 * Where an incident sits in a department's queue, from its current view and the department's latest
 * handing of it; null when it is not this department's to show (reassigned elsewhere without an answer).
 */
export function deptBucketOf(
  view: Pick<IncidentView, 'state' | 'assigneeKind' | 'assigneeId'>,
  departmentId: string,
  lastHanding: Pick<Handing, 'isReturned' | 'resolvedAt'> | null,
): DeptBucket | null {
  const isOwn = view.assigneeKind === 'department' && view.assigneeId === departmentId;
  if (isOwn && view.state === 'dispatched') return 'pending';
  if (isOwn && view.state === 'on_scene') return 'in_progress';
  if (isOwn && (view.state === 'resolved' || view.state === 'closed')) return 'resolved';
  if (lastHanding?.isReturned) return 'returned';
  if (lastHanding?.resolvedAt != null) return 'resolved';
  return null;
}

/** One row of GET /api/dept/queue. */
export interface DeptQueueItem extends IncidentView {
  bucket: DeptBucket;
  timeLimits: TimeLimitStatus;
  /** When the center handed it to this department (the latest handing). */
  handedAt: number;
}

export interface DeptQueueResponse {
  department: { id: string; name: string };
  items: DeptQueueItem[];
}

/** The actions the page offers per bucket (the lifecycle decides; this only keeps dead buttons off). */
export function deptActionsFor(bucket: DeptBucket): readonly ('ack' | 'feedback' | 'resolve' | 'return')[] {
  if (bucket === 'pending') return ['ack', 'return'];
  if (bucket === 'in_progress') return ['feedback', 'resolve', 'return'];
  return [];
}

/** GET /api/dept/incidents/:id: what the department may read of one of its cases (personal data masked). */
export interface DeptIncidentDetail {
  incident: IncidentView & { detail: string | null; sourceRef: string };
  bucket: DeptBucket;
  handedAt: number;
  timeLimits: TimeLimitStatus;
  timeline: {
    id: number;
    at: number;
    actorName: string;
    type: string;
    fromState: string | null;
    toState: string | null;
    note: string | null;
  }[];
  /** Photos attached to the case (the department's own 反馈, a worker's, the reporter's), oldest first. */
  attachments: IncidentAttachment[];
}

/** The department's four actions, as the page posts them to /api/dept/incidents/:id/:action. */
export const DEPT_ACTIONS = ['ack', 'feedback', 'resolve', 'return'] as const;
export type DeptAction = (typeof DEPT_ACTIONS)[number];
export const DEPT_ACTION_LABELS: Record<DeptAction, { zh: string; en: string }> = {
  ack: { zh: '签收', en: 'Acknowledge' },
  feedback: { zh: '反馈', en: 'Feedback' },
  resolve: { zh: '办结', en: 'Resolve' },
  return: { zh: '退回', en: 'Return' },
};

/** A case's lamp on the page's clock: the server's lamp, turned red once the nearest deadline has passed. */
export function lampAt(t: Pick<TimeLimitStatus, 'lamp' | 'next'>, now: number): TimeLimitStatus['lamp'] {
  if (t.next && t.next.deadline < now) return 'red';
  return t.lamp;
}
