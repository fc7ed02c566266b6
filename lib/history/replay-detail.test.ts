import { describe, expect, it } from 'vitest';
import type { IncidentResponse, TimelineEvent } from '../dispatch/api-types';
import { DEFAULT_TIME_LIMITS } from '../domain/time-limits';
import type { HistoryIncident } from './contract';
import { emptyColumns } from './replay-frame';
import { handlingAt, incidentAsOf, trackAround, TRACK_AROUND_MS, unitAt } from './replay-detail';

const T0 = Date.UTC(2026, 11, 1, 2, 0, 0);
const MIN = 60_000;

function step(k: number, at: number, e: Partial<TimelineEvent>): TimelineEvent {
  return {
    id: k,
    at,
    actor: 'dispatcher',
    actorName: '调度员',
    type: 'transition',
    fromState: null,
    toState: null,
    note: null,
    data: null,
    assigneeName: null,
    ...e,
  };
}

/** A case reported at T0, accepted, sent to 巡逻车01, relieved by 巡逻车02, on scene, resolved, closed, rated. */
const detail: IncidentResponse = {
  incident: {
    id: 'INC-1',
    category: 'public_security',
    title: '打架斗殴',
    priority: 2,
    source: 'police_110',
    state: 'closed',
    lng: 104.06,
    lat: 30.66,
    address: '人民南路一段',
    gridCode: null,
    reportedAt: T0 - MIN,
    receivedAt: T0,
    updatedAt: T0 + 90 * MIN,
    assigneeKind: 'vehicle',
    assigneeId: 'V2',
    supervision: 0,
    detail: null,
    sourceRef: 'INC-1',
    satisfaction: 5,
    closedAt: T0 + 60 * MIN,
    reporter: null,
    phone: null,
    assigneeName: '巡逻车02',
  },
  timeLimits: { lamp: 'none', isOverdue: false, next: null, milestones: [] },
  timeline: [
    step(1, T0, { type: 'reported', toState: 'reported' }),
    step(2, T0 + 1 * MIN, { fromState: 'reported', toState: 'accepted' }),
    step(3, T0 + 2 * MIN, {
      type: 'assign',
      fromState: 'accepted',
      toState: 'dispatched',
      data: { assigneeKind: 'vehicle', assigneeId: 'V1' },
      assigneeName: '巡逻车01',
    }),
    step(4, T0 + 3 * MIN, { type: 'supervise', data: { level: 2 } }),
    step(5, T0 + 5 * MIN, {
      type: 'assign',
      fromState: 'dispatched',
      toState: 'dispatched',
      data: { assigneeKind: 'vehicle', assigneeId: 'V2' },
      assigneeName: '巡逻车02',
    }),
    step(6, T0 + 12 * MIN, { fromState: 'dispatched', toState: 'on_scene' }),
    step(7, T0 + 40 * MIN, { fromState: 'on_scene', toState: 'resolved' }),
    step(8, T0 + 60 * MIN, { fromState: 'resolved', toState: 'closed' }),
    step(9, T0 + 90 * MIN, { type: 'follow_up', data: { satisfaction: 5 } }),
  ],
};

describe('incidentAsOf', () => {
  it('shows the case as it stood: the steps so far, the unit sent by then, no closing time yet', () => {
    const r = incidentAsOf(detail, T0 + 4 * MIN, DEFAULT_TIME_LIMITS);
    expect(r.timeline.map((e) => e.id)).toEqual([1, 2, 3, 4]);
    expect(r.incident.state).toBe('dispatched');
    expect(r.incident.assigneeName).toBe('巡逻车01');
    expect(r.incident.assigneeId).toBe('V1');
    expect(r.incident.supervision).toBe(2);
    expect(r.incident.closedAt).toBeNull();
    expect(r.incident.satisfaction).toBeNull();
    expect(r.incident.updatedAt).toBe(T0 + 3 * MIN);
    // Time limits run to the replay instant: still owed 到场 and 办结, 4 minutes used.
    expect(r.timeLimits.milestones.map((m) => m.milestone)).toEqual(['onScene', 'resolve']);
    expect(r.timeLimits.next!.remainingMs).toBe(r.timeLimits.next!.deadline - (T0 + 4 * MIN));
  });

  it('follows reassignment, and before any step the case is only reported', () => {
    expect(incidentAsOf(detail, T0 + 20 * MIN).incident).toMatchObject({
      state: 'on_scene',
      assigneeName: '巡逻车02',
    });
    const before = incidentAsOf(detail, T0 - 1);
    expect(before.timeline).toEqual([]);
    expect(before.incident).toMatchObject({ state: 'reported', assigneeKind: null, assigneeName: null });
  });

  it('keeps the closing time and the rating once they happened', () => {
    const r = incidentAsOf(detail, T0 + 2 * 60 * MIN);
    expect(r.incident).toMatchObject({ state: 'closed', closedAt: T0 + 60 * MIN, satisfaction: 5 });
    expect(r.timeLimits.milestones).toEqual([]);
    expect(r.timeline).toHaveLength(9);
  });

  it('ignores a step naming a state or assignee kind it does not know', () => {
    const odd: IncidentResponse = {
      ...detail,
      timeline: [
        step(1, T0, { toState: 'reported' }),
        step(2, T0 + MIN, { toState: 'teleported' }),
        step(3, T0 + 2 * MIN, { type: 'assign', data: { assigneeKind: 'ufo', assigneeId: 7 } }),
      ],
    };
    expect(incidentAsOf(odd, T0 + 5 * MIN).incident).toMatchObject({
      state: 'reported',
      assigneeKind: null,
      assigneeId: null,
    });
  });
});

describe('unitAt', () => {
  it('reads the unit at its idx from the replayed columns, and nothing where the frame has none', () => {
    const c = emptyColumns('vehicle');
    c.count = 3;
    c.capacity = 3;
    c.position = Float64Array.from([0, 0, 104.1, 30.7, 0, 0]);
    c.present = Uint8Array.from([0, 1, 0]);
    c.heading = new Float32Array(3);
    c.speed = Uint8Array.from([0, 42, 0]);
    c.status = Uint8Array.from([0, 2, 0]);
    c.ts = Float64Array.from([0, T0, 0]);
    expect(unitAt(c, 1)).toEqual({
      lng: 104.1,
      lat: 30.7,
      status: 'responding',
      speedKmh: 42,
      reportedAt: T0,
    });
    expect(unitAt(c, 0)).toBeNull();
    expect(unitAt(c, 7)).toBeNull();
    expect(unitAt(c, -1)).toBeNull();
    c.status[1] = 200;
    c.ts[1] = Number.NEGATIVE_INFINITY;
    expect(unitAt(c, 1)).toMatchObject({ status: null, reportedAt: null });
  });

  it('gives a camera no speed', () => {
    const c = emptyColumns('camera');
    c.count = 1;
    c.position = Float64Array.from([104, 30]);
    c.present = Uint8Array.from([1]);
    c.speed = new Uint8Array(1);
    c.status = Uint8Array.from([1]);
    c.ts = Float64Array.from([T0]);
    expect(unitAt(c, 0)).toMatchObject({ status: 'offline', speedKmh: null });
  });
});

describe('handlingAt', () => {
  const inc = (id: string, reportedAt: number, dispatchAt: number, endAt: number): HistoryIncident => ({
    id,
    category: 'public_security',
    title: id,
    priority: 2,
    source: 'police_110',
    state: 'closed',
    lng: 104,
    lat: 30,
    gridCode: null,
    reportedAt,
    closedAt: endAt,
    assigneeKind: 'vehicle',
    assigneeId: 'V1',
    timeline: [
      { at: reportedAt, type: 'reported', actor: 'x', fromState: null, toState: 'reported', note: null },
      {
        at: dispatchAt,
        type: 'assign',
        actor: 'x',
        fromState: 'reported',
        toState: 'dispatched',
        note: null,
      },
      { at: endAt, type: 'transition', actor: 'x', fromState: 'dispatched', toState: 'resolved', note: null },
    ],
  });
  const list = [inc('A', T0, T0 + MIN, T0 + 20 * MIN), inc('B', T0 + 30 * MIN, T0 + 31 * MIN, T0 + 50 * MIN)];

  it('names the case the unit held at that instant only', () => {
    expect(handlingAt(list, 'vehicle', 'V1', T0 + 10 * MIN).map((i) => i.id)).toEqual(['A']);
    expect(handlingAt(list, 'vehicle', 'V1', T0 + 25 * MIN)).toEqual([]);
    expect(handlingAt(list, 'vehicle', 'V1', T0 + 40 * MIN).map((i) => i.id)).toEqual(['B']);
    // Reported but not yet sent: not the unit's yet.
    expect(handlingAt(list, 'vehicle', 'V1', T0 + 30 * MIN + 1)).toEqual([]);
    expect(handlingAt(list, 'vehicle', 'V2', T0 + 10 * MIN)).toEqual([]);
  });
});

describe('trackAround', () => {
  it('spans the instant both ways on whole minutes, cut at the minute after now', () => {
    expect(trackAround(T0, T0 + 2 * TRACK_AROUND_MS)).toEqual([T0 - TRACK_AROUND_MS, T0 + TRACK_AROUND_MS]);
    expect(trackAround(T0, T0 + MIN)).toEqual([T0 - TRACK_AROUND_MS, T0 + MIN]);
    // An instant in the current minute: the period still reaches past it (a datetime-local input has no seconds).
    const [from, to] = trackAround(T0 + 10_000, T0 + 40_000);
    expect(from).toBe(T0 - TRACK_AROUND_MS);
    expect(to).toBe(T0 + MIN);
  });
});
