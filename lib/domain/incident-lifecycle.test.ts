import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INCIDENT_STATES, type IncidentState } from './enums';
import {
  TRANSITIONS,
  canTransition,
  decide,
  lifecycleInvariantViolation,
  type Actor,
  type IncidentCommand,
  type LifecycleState,
  type Role,
} from './incident-lifecycle';

const fresh: LifecycleState = {
  state: 'reported',
  assigneeKind: null,
  assigneeId: null,
  supervision: 0,
  satisfaction: null,
  updatedAt: 0,
  closedAt: null,
};
const dispatcher: Actor = { username: 'd', role: 'dispatcher' };

function run(commands: IncidentCommand[], actor = dispatcher): LifecycleState {
  let s = fresh;
  commands.forEach((c, k) => {
    const d = decide(s, c, actor, k + 1);
    if (!d.ok) throw new Error(`${c.type}: ${d.message}`);
    s = d.next;
  });
  return s;
}

describe('incident lifecycle', () => {
  it('walks the happy path reported → closed, engaging then freeing the vehicle', () => {
    const accepted = run([{ type: 'transition', to: 'accepted' }]);
    const assign = decide(
      accepted,
      { type: 'assign', assignee: { kind: 'vehicle', id: 'v1' } },
      dispatcher,
      10,
    );
    expect(assign.ok && assign.engaged).toEqual({ kind: 'vehicle', id: 'v1' });
    const end = run([
      { type: 'transition', to: 'accepted' },
      { type: 'assign', assignee: { kind: 'vehicle', id: 'v1' } },
      { type: 'transition', to: 'on_scene' },
      { type: 'transition', to: 'resolved', note: '已调解' },
      { type: 'follow_up', satisfaction: 5 },
    ]);
    expect(end).toMatchObject({ state: 'resolved', assigneeId: 'v1', satisfaction: 5 });
    const close = decide(end, { type: 'transition', to: 'closed' }, { username: 'l', role: 'leader' }, 99);
    expect(close.ok && close.next).toMatchObject({ state: 'closed', closedAt: 99 });
  });

  it('frees the unit on resolve and on return, and clears the assignee on return', () => {
    const onScene = run([
      { type: 'assign', assignee: { kind: 'worker', id: 'w1' } },
      { type: 'transition', to: 'on_scene' },
    ]);
    const ret = decide(onScene, { type: 'transition', to: 'returned', note: '不属本单位' }, dispatcher, 5);
    expect(ret.ok && ret.released).toEqual({ kind: 'worker', id: 'w1' });
    expect(ret.ok && ret.next.assigneeId).toBeNull();
    const res = decide(onScene, { type: 'transition', to: 'resolved' }, dispatcher, 5);
    expect(res.ok && res.released).toEqual({ kind: 'worker', id: 'w1' });
  });

  it('requires a reason to return, escalate or cancel', () => {
    const d = decide(fresh, { type: 'transition', to: 'cancelled' }, dispatcher, 1);
    expect(d).toMatchObject({ ok: false, error: 'note_required' });
  });

  it('refuses wrong roles', () => {
    for (const role of ['duty', 'admin', 'leader'] as Role[]) {
      const d = decide(
        fresh,
        { type: 'assign', assignee: { kind: 'vehicle', id: 'v' } },
        { username: 'x', role },
        1,
      );
      expect(d).toMatchObject({ ok: false, error: 'forbidden' });
    }
    const sup = decide(fresh, { type: 'supervise', level: 3 }, dispatcher, 1);
    expect(sup).toMatchObject({ ok: false, error: 'forbidden' });
    const leaderSup = decide(fresh, { type: 'supervise', level: 3 }, { username: 'l', role: 'leader' }, 1);
    expect(leaderSup.ok && leaderSup.next.supervision).toBe(3);
  });

  it('has a transition table that never leaves a terminal state and never reaches reported', () => {
    expect(TRANSITIONS.closed).toEqual([]);
    expect(TRANSITIONS.cancelled).toEqual([]);
    for (const s of INCIDENT_STATES) expect(TRANSITIONS[s]).not.toContain('reported');
    expect(canTransition('duty', 'reported', 'accepted')).toBe(false);
  });

  const roles: Role[] = ['admin', 'leader', 'dispatcher', 'duty'];
  const commandArb: fc.Arbitrary<IncidentCommand> = fc.oneof(
    fc.record({
      type: fc.constant('transition' as const),
      to: fc.constantFrom(...INCIDENT_STATES),
      note: fc.option(fc.constantFrom('原因', '  ', ''), { nil: undefined }),
    }),
    fc.record({
      type: fc.constant('assign' as const),
      assignee: fc.record({
        kind: fc.constantFrom('vehicle' as const, 'worker' as const, 'department' as const),
        id: fc.constantFrom('u1', 'u2'),
      }),
    }),
    fc.record({ type: fc.constant('supervise' as const), level: fc.integer({ min: 0, max: 3 }) }),
    fc.record({ type: fc.constant('follow_up' as const), satisfaction: fc.integer({ min: 1, max: 5 }) }),
  );

  it('property: no sequence of commands by any roles reaches an illegal state', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(commandArb, fc.constantFrom(...roles)), { maxLength: 40 }), (steps) => {
        let s = fresh;
        let busy: string | null = null; // the one unit this incident holds, tracked from engaged/released
        let now = 0;
        for (const [cmd, role] of steps) {
          const d = decide(s, cmd, { username: role, role }, ++now);
          if (!d.ok) continue;
          const from: IncidentState = s.state;
          // Only table moves (or an assignment) ever change the state.
          if (d.next.state !== from) {
            const viaAssign = cmd.type === 'assign' && d.next.state === 'dispatched';
            expect(viaAssign || TRANSITIONS[from].includes(d.next.state)).toBe(true);
          }
          // A terminal state takes nothing but the follow-up visit (回访, DESIGN: after closing), which
          // records satisfaction and leaves the state where it is.
          if (from === 'closed' || from === 'cancelled') {
            expect([cmd.type, from, d.next.state]).toEqual(['follow_up', 'closed', 'closed']);
          }
          if (d.released) {
            expect(busy).toBe(`${d.released.kind}:${d.released.id}`);
            busy = null;
          }
          if (d.engaged) busy = `${d.engaged.kind}:${d.engaged.id}`;
          s = d.next;
          expect(lifecycleInvariantViolation(s)).toBeNull();
          // A unit is held exactly while the incident is engaged with a vehicle or worker.
          const holds =
            (s.state === 'dispatched' || s.state === 'on_scene') && s.assigneeKind !== 'department';
          expect(busy !== null).toBe(holds);
        }
      }),
      {
        numRuns: 2000,
        // Found by this property once: a follow-up on a closed incident is legal and must stay so.
        examples: [
          [
            [
              [{ type: 'assign', assignee: { kind: 'vehicle', id: 'u1' } }, 'dispatcher'],
              [{ type: 'transition', to: 'resolved', note: undefined }, 'dispatcher'],
              [{ type: 'transition', to: 'closed', note: undefined }, 'leader'],
              [{ type: 'follow_up', satisfaction: 1 }, 'dispatcher'],
            ],
          ],
        ],
      },
    );
  });
});

describe('department actions (部门报到)', () => {
  const handed: LifecycleState = {
    state: 'dispatched',
    assigneeKind: 'department',
    assigneeId: 'd1',
    supervision: 0,
    satisfaction: null,
    updatedAt: 0,
    closedAt: null,
  };
  const dept = { username: 'dept-a', role: 'department' as const, departmentId: 'd1' };
  const other = { ...dept, departmentId: 'd2' };

  it('签收 moves its own handed incident to 处置中 and keeps it the department’s', () => {
    const d = decide(handed, { type: 'transition', to: 'on_scene' }, dept, 1);
    expect(d.ok && d.next).toMatchObject({ state: 'on_scene', assigneeKind: 'department', assigneeId: 'd1' });
  });
  it('退回 needs a reason and hands the case back to the dispatcher', () => {
    const noReason = decide(handed, { type: 'transition', to: 'returned' }, dept, 1);
    expect(!noReason.ok && noReason.error).toBe('note_required');
    const d = decide(handed, { type: 'transition', to: 'returned', note: '不属本部门职责' }, dept, 1);
    expect(d.ok && d.next).toMatchObject({ state: 'returned', assigneeKind: null, assigneeId: null });
  });
  it('another department, or a department account without one, may not act', () => {
    for (const a of [other, { ...dept, departmentId: null }]) {
      const d = decide(handed, { type: 'transition', to: 'on_scene' }, a, 1);
      expect(!d.ok && d.error).toBe('forbidden');
    }
  });
  it('反馈 is a timeline note that changes no state; 核查 of a resolved case stays the center’s', () => {
    const f = decide(handed, { type: 'feedback', note: '已到现场了解' }, dept, 1);
    expect(f.ok && f.event).toMatchObject({
      type: 'feedback',
      fromState: 'dispatched',
      toState: 'dispatched',
    });
    const resolved = { ...handed, state: 'resolved' as const };
    const back = decide(resolved, { type: 'transition', to: 'returned', note: 'x' }, dept, 1);
    expect(!back.ok && back.error).toBe('forbidden');
  });
  it('a department cannot assign or close', () => {
    expect(decide(handed, { type: 'assign', assignee: { kind: 'vehicle', id: 'v' } }, dept, 1).ok).toBe(
      false,
    );
    expect(decide({ ...handed, state: 'resolved' }, { type: 'transition', to: 'closed' }, dept, 1).ok).toBe(
      false,
    );
  });
});
