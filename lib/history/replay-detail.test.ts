import { describe, expect, it } from 'vitest';
import type { IncidentResponse, TimelineEvent } from '../dispatch/api-types';
import { DEFAULT_TIME_LIMITS } from '../domain/time-limits';
import type { HistoryIncident } from './contract';
import type { IncidentPlaybackResponse } from './playback';
import { emptyColumns } from './replay-frame';
import {
  attachmentsAsOf,
  handlingAt,
  incidentAsOf,
  playbackAsOf,
  playbackCut,
  playbackHoldAt,
  trackAround,
  TRACK_AROUND_MS,
  unheldLine,
  unitAt,
} from './replay-detail';

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

  it('names nobody after a 退单: the desk held the case again until it was sent anew', () => {
    const returned: IncidentResponse = {
      ...detail,
      timeline: [
        ...detail.timeline.slice(0, 3),
        step(10, T0 + 4 * MIN, { fromState: 'dispatched', toState: 'returned', note: '不归我管' }),
        step(11, T0 + 8 * MIN, {
          type: 'assign',
          fromState: 'returned',
          toState: 'dispatched',
          data: { assigneeKind: 'vehicle', assigneeId: 'V2' },
          assigneeName: '巡逻车02',
        }),
      ],
    };
    expect(incidentAsOf(returned, T0 + 5 * MIN).incident).toMatchObject({
      state: 'returned',
      assigneeKind: null,
      assigneeId: null,
      assigneeName: null,
    });
    expect(incidentAsOf(returned, T0 + 9 * MIN).incident).toMatchObject({ assigneeId: 'V2' });
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

describe('incidentAsOf after a 退单', () => {
  /** Sent to 巡逻车01, which arrived (到场) and then returned the case (退单); sent to 巡逻车02 later. */
  const returnedOnScene: IncidentResponse = {
    ...detail,
    timeline: [
      ...detail.timeline.slice(0, 3),
      step(6, T0 + 6 * MIN, {
        fromState: 'dispatched',
        toState: 'on_scene',
        actor: 'V1',
        actorName: '巡逻车01',
      }),
      step(10, T0 + 9 * MIN, { fromState: 'on_scene', toState: 'returned', note: '非本辖区' }),
      step(11, T0 + 15 * MIN, {
        type: 'assign',
        fromState: 'returned',
        toState: 'dispatched',
        data: { assigneeKind: 'vehicle', assigneeId: 'V2' },
        assigneeName: '巡逻车02',
      }),
    ],
  };

  it("keeps the earlier unit's 到场 and says the case waits to be sent again since the 退单, at its time", () => {
    const r = incidentAsOf(returnedOnScene, T0 + 10 * MIN);
    // Every step up to the instant: 巡逻车01 sent and on scene, then the 退单.
    expect(r.timeline.map((e) => e.id)).toEqual([1, 2, 3, 6, 10]);
    expect(r.incident).toMatchObject({ state: 'returned', assigneeId: null, assigneeName: null });
    // Not "未派单": it was sent, and returned at 10:09:00 Beijing time.
    expect(r.unheld).toEqual({ state: 'returned', at: T0 + 9 * MIN, heldUntil: T0 + 9 * MIN });
    expect(unheldLine(r.unheld!, 'Asia/Shanghai', 'zh')).toBe('退单后待重新派单 (10:09:00)');
    // Sent again: 巡逻车02 holds it, and nothing is said about the 退单 any more.
    const again = incidentAsOf(returnedOnScene, T0 + 16 * MIN);
    expect(again.unheld).toBeNull();
    expect(again.incident.assigneeName).toBe('巡逻车02');
    // Never sent: nobody held it, so it is simply not dispatched yet.
    expect(incidentAsOf(returnedOnScene, T0 + MIN).unheld).toBeNull();
  });

  it('reads a 上报上级 after the 退单 as the latest step, the holding still ended at the 退单', () => {
    const escalated: IncidentResponse = {
      ...returnedOnScene,
      timeline: [
        ...returnedOnScene.timeline.slice(0, 5),
        step(12, T0 + 12 * MIN, { fromState: 'returned', toState: 'escalated', note: '需区级协调' }),
      ],
    };
    const r = incidentAsOf(escalated, T0 + 13 * MIN);
    expect(r.unheld).toEqual({ state: 'escalated', at: T0 + 12 * MIN, heldUntil: T0 + 9 * MIN });
    expect(unheldLine(r.unheld!, 'Asia/Shanghai', 'zh')).toBe('上报上级后待重新派单 (10:12:00)');
  });

  it('plays 处置回放 for the unit that held the case until the 退单, not for nobody', () => {
    const unheld = incidentAsOf(returnedOnScene, T0 + 10 * MIN).unheld;
    // Asked just before the 退单: the server answers 巡逻车01's dispatch, 到场 and way there.
    expect(playbackHoldAt(T0 + 10 * MIN, unheld)).toBe(T0 + 9 * MIN - 1);
    // Held by a unit, or before the 退单: the instant itself.
    expect(playbackHoldAt(T0 + 5 * MIN, unheld)).toBe(T0 + 5 * MIN);
    expect(playbackHoldAt(T0 + 16 * MIN, null)).toBe(T0 + 16 * MIN);
    // A clock played or sought by a click stands between whole ms; the server takes whole ms only.
    expect(playbackHoldAt(T0 + 16 * MIN + 0.75, null)).toBe(T0 + 16 * MIN);
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

describe('handlingAt, a case that changed hands', () => {
  const ev = (at: number, type: string, toState: string, unit?: string) => ({
    at,
    type,
    actor: 'dispatcher',
    fromState: null,
    toState,
    note: null,
    ...(unit ? { assigneeKind: 'vehicle', assigneeId: unit } : {}),
  });
  // Sent to V1, relieved by V2 at +10, returned by V2 at +20, sent to V3 at +30; V3 resolved it at +50.
  const relieved: HistoryIncident = {
    id: 'R',
    category: 'public_security',
    title: 'R',
    priority: 2,
    source: 'police_110',
    state: 'resolved',
    lng: 104,
    lat: 30,
    gridCode: null,
    reportedAt: T0,
    closedAt: null,
    assigneeKind: 'vehicle',
    assigneeId: 'V3',
    timeline: [
      ev(T0, 'reported', 'reported'),
      ev(T0 + 1 * MIN, 'assign', 'dispatched', 'V1'),
      ev(T0 + 10 * MIN, 'assign', 'dispatched', 'V2'),
      ev(T0 + 20 * MIN, 'transition', 'returned'),
      ev(T0 + 30 * MIN, 'assign', 'dispatched', 'V3'),
      ev(T0 + 40 * MIN, 'transition', 'on_scene'),
      ev(T0 + 50 * MIN, 'transition', 'resolved'),
    ],
  };
  const holders = (t: number) =>
    ['V1', 'V2', 'V3'].filter((v) => handlingAt([relieved], 'vehicle', v, t).length > 0);

  it('names the unit that held it at the instant, not the one it ended with', () => {
    expect(holders(T0 + 5 * MIN)).toEqual(['V1']);
    expect(holders(T0 + 15 * MIN)).toEqual(['V2']);
    // 退单: nobody holds it until it is sent again.
    expect(holders(T0 + 25 * MIN)).toEqual([]);
    expect(holders(T0 + 35 * MIN)).toEqual(['V3']);
    expect(holders(T0 + 45 * MIN)).toEqual(['V3']);
    expect(holders(T0 + 55 * MIN)).toEqual([]);
  });

  it('takes the final assignee for a step that does not say whom (an older answer)', () => {
    const unnamed = {
      ...relieved,
      timeline: relieved.timeline.map(({ assigneeKind: _k, assigneeId: _i, ...e }) => e),
    };
    expect(handlingAt([unnamed], 'vehicle', 'V3', T0 + 5 * MIN).map((i) => i.id)).toEqual(['R']);
  });
});

describe('attachmentsAsOf', () => {
  it('keeps only the pictures attached by the instant', () => {
    const list = [
      { hash: 'a', addedAt: T0 },
      { hash: 'b', addedAt: T0 + MIN },
      { hash: 'c', addedAt: T0 + 2 * MIN },
    ];
    expect(attachmentsAsOf(list, T0 + MIN).map((a) => a.hash)).toEqual(['a', 'b']);
    expect(attachmentsAsOf(list, T0 - 1)).toEqual([]);
  });
});

describe('playbackAsOf', () => {
  const point = (ts: number, lng: number) => ({ ts, lng, lat: 30, speed: 36 });
  const answer: IncidentPlaybackResponse = {
    incident: {
      id: 'P',
      title: 'P',
      category: 'public_security',
      priority: 2,
      state: 'closed',
      lng: 104.01,
      lat: 30,
      reportedAt: T0,
      closedAt: T0 + 60 * MIN,
    },
    unit: { kind: 'vehicle', id: 'V1', name: '巡逻车01' },
    steps: [
      { kind: 'reported', at: T0 },
      { kind: 'accepted', at: T0 + MIN },
      { kind: 'dispatched', at: T0 + 2 * MIN },
      { kind: 'on_scene', at: T0 + 10 * MIN },
      { kind: 'resolved', at: T0 + 30 * MIN },
      { kind: 'closed', at: T0 + 60 * MIN },
    ],
    route: {
      from: T0 + 2 * MIN,
      to: T0 + 10 * MIN,
      points: [point(T0 + 2 * MIN, 104), point(T0 + 6 * MIN, 104.005), point(T0 + 10 * MIN, 104.01)],
      distanceM: 960,
      isTruncated: false,
    },
    arriveMs: 8 * MIN,
  };

  it('shows the steps taken and the way driven by the instant, nothing after', () => {
    const r = playbackAsOf(answer, T0 + 7 * MIN);
    expect(r.steps.map((s) => s.kind)).toEqual(['reported', 'accepted', 'dispatched']);
    expect(r.unit?.id).toBe('V1');
    expect(r.arriveMs).toBeNull();
    expect(r.route?.points.map((p) => p.ts)).toEqual([T0 + 2 * MIN, T0 + 6 * MIN]);
    expect(r.route?.to).toBe(T0 + 7 * MIN);
    expect(r.route?.distanceM).toBeGreaterThan(400);
    expect(r.route?.distanceM).toBeLessThan(600);
    expect(r.incident).toMatchObject({ state: 'dispatched', closedAt: null });
  });

  it('names no unit and draws no route before it was sent', () => {
    const r = playbackAsOf(answer, T0 + MIN);
    expect(r.unit).toBeNull();
    expect(r.route).toBeNull();
    expect(r.steps.map((s) => s.kind)).toEqual(['reported', 'accepted']);
  });

  it('is the whole answer once everything had happened', () => {
    expect(playbackAsOf(answer, T0 + 2 * 60 * MIN)).toEqual(answer);
  });

  it('cuts on steps and route points only: every instant until the next gives the same answer', () => {
    expect(playbackCut(answer, T0 + 7 * MIN)).toBe(T0 + 6 * MIN);
    expect(playbackAsOf(answer, T0 + 7 * MIN).steps).toEqual(playbackAsOf(answer, T0 + 6 * MIN).steps);
    expect(playbackCut(answer, T0 + 45 * MIN)).toBe(T0 + 30 * MIN);
    expect(playbackCut(answer, T0 - 1)).toBe(Number.NEGATIVE_INFINITY);
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
