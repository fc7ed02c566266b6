import { z } from 'zod';
import { INCIDENT_STATES, STATE_LABELS, type IncidentState } from './enums';
import { AssigneeKindSchema, type AssigneeKind } from './incident';

/**
 * The incident lifecycle (DESIGN §2) as pure rules: which command may move an incident where, who may give
 * it, and what it does to the assignee. The server persists what `decide` returns; nothing here touches a
 * database or a clock other than the `now` it is given.
 *
 *   reported → accepted → dispatched → on_scene → resolved → closed
 *   with returned (退单), escalated (上报上级) and cancelled (作废) on the side.
 */

/**
 * The center's desk roles, then the field roles: a grid worker (网格员, bound to one worker record) and a
 * department (部门, bound to one department) each see only their own work on their own pages (/m, /dept).
 */
export type Role = 'admin' | 'leader' | 'dispatcher' | 'duty' | 'worker' | 'department';
export interface Actor {
  username: string;
  role: Role;
  /** role `worker`: the grid worker the account is; a worker moves only incidents assigned to this id. */
  workerId?: string | null;
  /** role `department`: the department the account answers for; it acts only on incidents handed to it. */
  departmentId?: string | null;
}

/** Moves by `transition`. `dispatched` is reached only by assigning a unit (an assignment has an assignee). */
export const TRANSITIONS: Record<IncidentState, readonly IncidentState[]> = {
  reported: ['accepted', 'escalated', 'cancelled'],
  accepted: ['escalated', 'cancelled'],
  dispatched: ['on_scene', 'returned', 'escalated', 'resolved', 'cancelled'],
  on_scene: ['resolved', 'returned', 'escalated'],
  returned: ['escalated', 'cancelled'],
  escalated: ['accepted', 'resolved', 'cancelled'],
  // 核查: verification either closes the case or sends it back (退回重办).
  resolved: ['closed', 'returned'],
  closed: [],
  cancelled: [],
};

/** States from which an incident may be (re)assigned; re-assigning a dispatched incident frees its unit. */
export const ASSIGNABLE_STATES: ReadonlySet<IncidentState> = new Set([
  'reported',
  'accepted',
  'returned',
  'escalated',
  'dispatched',
]);
/** A unit assigned to an incident in these states is busy. */
export const ENGAGED_STATES: ReadonlySet<IncidentState> = new Set(['dispatched', 'on_scene']);
/** Leaving for these states frees the unit and clears the assignee (the dispatcher owns the case again). */
export const CLEARS_ASSIGNEE: ReadonlySet<IncidentState> = new Set(['returned', 'escalated', 'cancelled']);
/** A reason is required for these: they are the ones a supervisor asks about. */
export const NOTE_REQUIRED: ReadonlySet<IncidentState> = new Set(['returned', 'escalated', 'cancelled']);

/** Who may move an incident into each state; the leader's seat verifies and closes (核查结案). */
const TRANSITION_ROLES: Record<IncidentState, readonly Role[]> = {
  reported: [],
  accepted: ['dispatcher'],
  dispatched: ['dispatcher'],
  // A grid worker reports 到场 and 办结 on their own tasks from the phone (/m).
  // A department 签收 (→ on_scene), 办结 (→ resolved) and 退回 (→ returned) its own handed incidents.
  on_scene: ['dispatcher', 'worker', 'department'],
  resolved: ['dispatcher', 'worker', 'department'],
  closed: ['dispatcher', 'leader'],
  returned: ['dispatcher', 'department'],
  escalated: ['dispatcher'],
  cancelled: ['dispatcher'],
};
const ASSIGN_ROLES: readonly Role[] = ['dispatcher'];
const SUPERVISE_ROLES: readonly Role[] = ['leader'];
const FOLLOW_UP_ROLES: readonly Role[] = ['dispatcher'];
const FOLLOW_UP_STATES: ReadonlySet<IncidentState> = new Set(['resolved', 'closed']);
/** 反馈: progress notes from whoever holds the case, while it is in hand. */
const FEEDBACK_ROLES: readonly Role[] = ['dispatcher', 'department'];
const FEEDBACK_STATES: ReadonlySet<IncidentState> = new Set(['dispatched', 'on_scene']);

export const SUPERVISION_LEVELS = [0, 1, 2, 3] as const;
export const SUPERVISION_LABELS: Record<number, string> = { 0: '无', 1: '普通', 2: '黄牌', 3: '红牌' };
/** The badge a supervised incident wears in lists (普通 is plain 督办), Chinese first. */
export const SUPERVISION_BADGE_LABELS: Record<number, { zh: string; en: string }> = {
  0: { zh: '无', en: 'None' },
  1: { zh: '普通', en: 'Supervised' },
  2: { zh: '黄牌', en: 'Yellow card' },
  3: { zh: '红牌', en: 'Red card' },
};
export const MAX_NOTE_CHARS = 1000;

const Note = z.string().trim().max(MAX_NOTE_CHARS).optional();
export const AssigneeSchema = z.object({ kind: AssigneeKindSchema, id: z.string().min(1).max(64) });
export type Assignee = z.infer<typeof AssigneeSchema>;

export const IncidentCommandSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('transition'), to: z.enum(INCIDENT_STATES), note: Note }),
  z.object({ type: z.literal('assign'), assignee: AssigneeSchema, note: Note }),
  z.object({ type: z.literal('supervise'), level: z.number().int().min(0).max(3), note: Note }),
  z.object({ type: z.literal('follow_up'), satisfaction: z.number().int().min(1).max(5), note: Note }),
  z.object({
    type: z.literal('feedback'),
    note: z.string().trim().min(1).max(MAX_NOTE_CHARS),
  }),
]);
export type IncidentCommand = z.infer<typeof IncidentCommandSchema>;

/** The part of an incident the lifecycle reads and writes. */
export interface LifecycleState {
  state: IncidentState;
  assigneeKind: AssigneeKind | null;
  assigneeId: string | null;
  supervision: number;
  satisfaction: number | null;
  updatedAt: number;
  closedAt: number | null;
}

export interface LifecycleEvent {
  type: 'transition' | 'assign' | 'supervise' | 'follow_up' | 'feedback';
  fromState: IncidentState;
  toState: IncidentState;
  note: string | null;
  data: Record<string, unknown> | null;
}

export type DecisionError = 'forbidden' | 'illegal' | 'note_required';
export type Decision =
  | {
      ok: true;
      next: LifecycleState;
      event: LifecycleEvent;
      /** A vehicle/worker that this command makes busy, and one it frees. */
      engaged: Assignee | null;
      released: Assignee | null;
    }
  | { ok: false; error: DecisionError; message: string };

function deny(error: DecisionError, message: string): Decision {
  return { ok: false, error, message };
}

function unitOf(s: LifecycleState): Assignee | null {
  // Departments take many cases at once; only vehicles and workers are held by one.
  if (!ENGAGED_STATES.has(s.state) || !s.assigneeKind || !s.assigneeId || s.assigneeKind === 'department')
    return null;
  return { kind: s.assigneeKind, id: s.assigneeId };
}

/** Whether the incident is assigned to this worker (a worker account without a worker id owns nothing). */
export function isOwnTask(s: Pick<LifecycleState, 'assigneeKind' | 'assigneeId'>, actor: Actor): boolean {
  return !!actor.workerId && s.assigneeKind === 'worker' && s.assigneeId === actor.workerId;
}

/** Whether the incident is handed to this department (a department account without one owns nothing). */
export function isOwnDepartmentCase(
  s: Pick<LifecycleState, 'assigneeKind' | 'assigneeId'>,
  actor: Actor,
): boolean {
  return !!actor.departmentId && s.assigneeKind === 'department' && s.assigneeId === actor.departmentId;
}

export function canTransition(role: Role, from: IncidentState, to: IncidentState): boolean {
  return TRANSITIONS[from].includes(to) && TRANSITION_ROLES[to].includes(role);
}

/** Decides a command against the current state. Pure: the same inputs always give the same answer. */
export function decide(
  current: LifecycleState,
  command: IncidentCommand,
  actor: Actor,
  now: number,
): Decision {
  const from = current.state;
  const note = command.note?.trim() ? command.note.trim() : null;
  const base = { ...current, updatedAt: now };
  if (actor.role === 'department') {
    if (!isOwnDepartmentCase(current, actor)) return deny('forbidden', '非本部门承办的事件');
    // 核查 of a resolved case (close, or 退回重办) is the center's, not the department's.
    if (from === 'resolved') return deny('forbidden', '已办结，待中心核查');
  }
  switch (command.type) {
    case 'transition': {
      const to = command.to;
      if (!TRANSITION_ROLES[to].includes(actor.role))
        return deny('forbidden', `角色 ${actor.role} 不能将事件置为${STATE_LABELS[to].zh}`);
      if (!TRANSITIONS[from].includes(to))
        return deny('illegal', `不能从「${STATE_LABELS[from].zh}」转为「${STATE_LABELS[to].zh}」`);
      if (NOTE_REQUIRED.has(to) && !note) return deny('note_required', `${STATE_LABELS[to].zh}须填写原因`);
      if (actor.role === 'worker' && !isOwnTask(current, actor))
        return deny('forbidden', '只能处置派给本人的任务');
      const held = unitOf(current);
      const next: LifecycleState = { ...base, state: to };
      let released: Assignee | null = null;
      if (CLEARS_ASSIGNEE.has(to)) {
        next.assigneeKind = null;
        next.assigneeId = null;
      }
      if (held && !ENGAGED_STATES.has(to)) released = held;
      if (to === 'closed') next.closedAt = now;
      return {
        ok: true,
        next,
        event: { type: 'transition', fromState: from, toState: to, note, data: null },
        engaged: null,
        released,
      };
    }
    case 'assign': {
      if (!ASSIGN_ROLES.includes(actor.role)) return deny('forbidden', `角色 ${actor.role} 不能派单`);
      if (!ASSIGNABLE_STATES.has(from))
        return deny('illegal', `「${STATE_LABELS[from].zh}」状态的事件不能派单`);
      const a = command.assignee;
      const held = unitOf(current);
      if (ENGAGED_STATES.has(from) && current.assigneeKind === a.kind && current.assigneeId === a.id)
        return deny('illegal', '已派给该单位');
      const next: LifecycleState = { ...base, state: 'dispatched', assigneeKind: a.kind, assigneeId: a.id };
      const engaged = a.kind === 'department' ? null : a;
      return {
        ok: true,
        next,
        event: {
          type: 'assign',
          fromState: from,
          toState: 'dispatched',
          note,
          data: { assigneeKind: a.kind, assigneeId: a.id },
        },
        engaged,
        released: held,
      };
    }
    case 'supervise': {
      if (!SUPERVISE_ROLES.includes(actor.role)) return deny('forbidden', `角色 ${actor.role} 不能督办`);
      if (from === 'closed' || from === 'cancelled') return deny('illegal', '已结案或作废的事件不能督办');
      const next: LifecycleState = { ...base, supervision: command.level };
      return {
        ok: true,
        next,
        event: { type: 'supervise', fromState: from, toState: from, note, data: { level: command.level } },
        engaged: null,
        released: null,
      };
    }
    case 'feedback': {
      if (!FEEDBACK_ROLES.includes(actor.role)) return deny('forbidden', `角色 ${actor.role} 不能反馈`);
      if (!FEEDBACK_STATES.has(from))
        return deny('illegal', `「${STATE_LABELS[from].zh}」状态的事件不能反馈`);
      return {
        ok: true,
        next: base,
        event: {
          type: 'feedback',
          fromState: from,
          toState: from,
          note,
          data: null,
        },
        engaged: null,
        released: null,
      };
    }
    case 'follow_up': {
      if (!FOLLOW_UP_ROLES.includes(actor.role)) return deny('forbidden', `角色 ${actor.role} 不能记录回访`);
      if (!FOLLOW_UP_STATES.has(from)) return deny('illegal', '办结后才能回访');
      const next: LifecycleState = { ...base, satisfaction: command.satisfaction };
      return {
        ok: true,
        next,
        event: {
          type: 'follow_up',
          fromState: from,
          toState: from,
          note,
          data: { satisfaction: command.satisfaction },
        },
        engaged: null,
        released: null,
      };
    }
  }
}

/** Invariants every reachable state satisfies (checked by the property test, cheap enough for assertions). */
export function lifecycleInvariantViolation(s: LifecycleState): string | null {
  if (!INCIDENT_STATES.includes(s.state)) return `unknown state ${s.state}`;
  const hasAssignee = s.assigneeKind !== null && s.assigneeId !== null;
  if ((s.assigneeKind === null) !== (s.assigneeId === null)) return 'half an assignee';
  if (ENGAGED_STATES.has(s.state) && !hasAssignee) return `${s.state} without an assignee`;
  if (['reported', 'accepted', 'returned', 'escalated', 'cancelled'].includes(s.state) && hasAssignee)
    return `${s.state} with an assignee`;
  if ((s.state === 'closed') !== (s.closedAt !== null)) return 'closedAt out of step with state';
  if (s.satisfaction !== null && (s.satisfaction < 1 || s.satisfaction > 5))
    return 'satisfaction out of range';
  if (s.supervision < 0 || s.supervision > 3) return 'supervision out of range';
  return null;
}
