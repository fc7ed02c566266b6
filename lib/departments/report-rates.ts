import { deptAckLimit, limitsFor, type TimeLimitConfig } from '../domain/time-limits';

/**
 * 报到率 and 按时办结率 per department (中心吹哨、部门报到), as pure arithmetic over handings. A handing is one
 * assignment of an incident to a department; what the department did with it is read from the timeline
 * that follows, up to the next handing of that incident. Limits count from receipt, as every lamp does
 * (lib/domain/time-limits.ts), so a rate never disagrees with the lamps the wall showed at the time.
 * docs/kpis.md states the definitions.
 */

export interface Handing {
  incidentId: string;
  departmentId: string;
  priority: number;
  category?: string;
  receivedAt: number;
  handedAt: number;
  /** The department's first answer: 签收 (→ on_scene) or 退回; null while it owes one. */
  answeredAt: number | null;
  /** 办结 (→ resolved) while the case was the department's; null if not (yet). */
  resolvedAt: number | null;
  /** Returned (退回) to the center: the case is no longer the department's to resolve. */
  isReturned: boolean;
}

export interface DepartmentRates {
  handed: number;
  /** Handings whose 签收 was due by now or that were answered (a fresh one is not held against anyone). */
  ackDue: number;
  ackOnTime: number;
  /** 报到率 = ackOnTime ÷ ackDue; null when nothing was due. */
  ackRate: number | null;
  /** Handings kept (not returned) whose 办结 was due by now or that were resolved. */
  resolveDue: number;
  resolvedOnTime: number;
  /** 按时办结率 = resolvedOnTime ÷ resolveDue; null when nothing was due. */
  onTimeRate: number | null;
}

const ratio = (n: number, d: number) => (d === 0 ? null : n / d);

export function departmentRates(
  handings: readonly Handing[],
  now: number,
  config: TimeLimitConfig,
): DepartmentRates {
  let ackDue = 0;
  let ackOnTime = 0;
  let resolveDue = 0;
  let resolvedOnTime = 0;
  for (const h of handings) {
    const ackDeadline = h.receivedAt + deptAckLimit(config, h.priority);
    if (h.answeredAt !== null || now > ackDeadline) {
      ackDue++;
      if (h.answeredAt !== null && h.answeredAt <= ackDeadline) ackOnTime++;
    }
    if (h.isReturned) continue;
    const resolveLimit = limitsFor(config, h.priority, h.category).resolve;
    if (resolveLimit === null) {
      // No resolve limit: any 办结 is on time, and an open case is never late.
      if (h.resolvedAt !== null) {
        resolveDue++;
        resolvedOnTime++;
      }
      continue;
    }
    const resolveDeadline = h.receivedAt + resolveLimit;
    if (h.resolvedAt !== null || now > resolveDeadline) {
      resolveDue++;
      if (h.resolvedAt !== null && h.resolvedAt <= resolveDeadline) resolvedOnTime++;
    }
  }
  return {
    handed: handings.length,
    ackDue,
    ackOnTime,
    ackRate: ratio(ackOnTime, ackDue),
    resolveDue,
    resolvedOnTime,
    onTimeRate: ratio(resolvedOnTime, resolveDue),
  };
}

/** A timeline event as the handing reader needs it (incident_events, in time order). */
export interface HandingEvent {
  at: number;
  type: string;
  toState: string | null;
  /** For `assign`: to whom. */
  assigneeKind?: string | null;
  assigneeId?: string | null;
}

/**
 * Cuts one incident's timeline into handings to departments: each `assign` to a department opens one, and
 * it ends at the next `assign` (to anyone). Within it, the first on_scene or returned answers it, the first
 * resolved resolves it.
 */
export function handingsOf(
  incident: { id: string; priority: number; category?: string; receivedAt: number },
  events: readonly HandingEvent[],
): Handing[] {
  const out: Handing[] = [];
  let open: Handing | null = null;
  for (const e of events) {
    if (e.type === 'assign') {
      open = null;
      if (e.assigneeKind === 'department' && e.assigneeId) {
        open = {
          incidentId: incident.id,
          departmentId: e.assigneeId,
          priority: incident.priority,
          category: incident.category,
          receivedAt: incident.receivedAt,
          handedAt: e.at,
          answeredAt: null,
          resolvedAt: null,
          isReturned: false,
        };
        out.push(open);
      }
      continue;
    }
    if (!open || e.type !== 'transition') continue;
    if ((e.toState === 'on_scene' || e.toState === 'returned') && open.answeredAt === null)
      open.answeredAt = e.at;
    if (e.toState === 'resolved' && open.resolvedAt === null) {
      open.resolvedAt = e.at;
      // 办结 without a 签收 first still answers the handing (the department reported in by finishing it).
      if (open.answeredAt === null) open.answeredAt = e.at;
    }
    // 退回 (by the department, or the center's 退回重办 after 核查), 上报上级 and 作废 end the handing: what
    // follows is not this department's. Only a return before 办结 is the department's 退回.
    if (e.toState === 'returned' && open.resolvedAt === null) open.isReturned = true;
    if (e.toState === 'returned' || e.toState === 'escalated' || e.toState === 'cancelled') open = null;
  }
  return out;
}
