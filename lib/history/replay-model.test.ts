import { describe, expect, it } from 'vitest';
import type { HistoryIncident } from './contract';
import {
  clockAt,
  holdingAt,
  incidentsAt,
  keyframeStepMs,
  keyframeTimes,
  parseReplayQuery,
  parseZonedInput,
  periodFigures,
  periodProblem,
  presetPeriod,
  replayQuery,
  seek,
  setPlaying,
  setSpeed,
  startClock,
  timelineMarks,
  timelineTicks,
  withReplayQuery,
  zonedInputValue,
} from './replay-model';

const H = 3_600_000;
// 2026-12-01 00:00 Beijing time = 2026-11-30 16:00 UTC
const DAY = Date.UTC(2026, 10, 30, 16);
const TZ = 'Asia/Shanghai';

function incident(
  id: string,
  reportedAt: number,
  steps: [number, string][],
  extra: Partial<HistoryIncident> = {},
) {
  return {
    id,
    category: 'dispute',
    title: id,
    priority: 2,
    source: 'hotline_12345',
    state: steps.at(-1)?.[1] ?? 'reported',
    lng: 104,
    lat: 30,
    gridCode: '510104001001001',
    reportedAt,
    closedAt: null,
    assigneeKind: 'vehicle',
    assigneeId: 'V1',
    timeline: steps.map(([at, to]) => ({
      at,
      type: 'transition',
      actor: 'x',
      fromState: null,
      toState: to,
      note: null,
    })),
    ...extra,
  } satisfies HistoryIncident;
}

describe('replay URL state', () => {
  const now = DAY + 20 * H;
  it('round-trips a period, instant and speed', () => {
    const s = { from: DAY + 8 * H, to: DAY + 18 * H, at: DAY + 9 * H, speed: 30 as const };
    expect(parseReplayQuery(new URLSearchParams(replayQuery(s)), now)).toEqual(s);
  });
  it('accepts ISO times, clamps at into the period, cuts the future, and defaults an unknown speed', () => {
    const q = new URLSearchParams({
      replay: `${new Date(DAY).toISOString()},${new Date(now + H).toISOString()}`,
      at: String(DAY - H),
      speed: '7',
    });
    expect(parseReplayQuery(q, now)).toEqual({ from: DAY, to: now, at: DAY, speed: 10 });
  });
  it('opens nothing for a malformed or impossible period', () => {
    for (const replay of [
      '',
      'x,y',
      `${DAY}`,
      `${DAY + H},${DAY}`,
      `${now + H},${now + 2 * H}`,
      `${DAY - 40 * 24 * H},${DAY}`,
    ])
      expect(parseReplayQuery(new URLSearchParams({ replay }), now)).toBeNull();
  });
  it('keeps other query keys (a display token) when setting or clearing the replay', () => {
    const s = { from: 1, to: 2 * 60_000, at: 5, speed: 2 as const };
    expect(withReplayQuery('?token=abc&replay=0,1&at=3', s)).toBe(`?token=abc&replay=1,120000&at=5&speed=2`);
    expect(withReplayQuery('?token=abc&replay=0,1&at=3&speed=5', null)).toBe('?token=abc');
    expect(withReplayQuery('?replay=0,1', null)).toBe('');
  });
  it('says why a period cannot be replayed', () => {
    expect(periodProblem({ from: DAY, to: DAY }, now)).toBe('order');
    expect(periodProblem({ from: DAY, to: DAY + 32 * 24 * H }, now + 40 * 24 * H)).toBe('span');
    expect(periodProblem({ from: now + 1, to: now + H }, now)).toBe('future');
    expect(periodProblem({ from: DAY, to: now }, now)).toBeNull();
  });
});

describe('periods in the display zone', () => {
  it('today so far starts at the zone midnight; yesterday is the whole day before', () => {
    const now = DAY + 9 * H + 123;
    expect(presetPeriod('today', now, TZ)).toEqual({ from: DAY, to: now });
    expect(presetPeriod('yesterday', now, TZ)).toEqual({ from: DAY - 24 * H, to: DAY });
  });
  it('reads datetime-local values as the zone wall time', () => {
    expect(zonedInputValue(DAY + 8 * H, TZ)).toBe('2026-12-01T08:00');
    expect(parseZonedInput('2026-12-01T08:00', TZ)).toBe(DAY + 8 * H);
    expect(parseZonedInput('2026-12-01 08:00', TZ)).toBeNull();
  });
  it('puts timeline ticks on the zone whole hours', () => {
    const ticks = timelineTicks({ from: DAY + 8 * H + 10 * 60_000, to: DAY + 18 * H }, 8 * H);
    expect(ticks[0]!.at).toBe(DAY + 9 * H);
    expect(ticks.length).toBeLessThanOrEqual(12);
    expect(ticks.every((t) => (t.at + 8 * H) % H === 0 && t.f >= 0 && t.f <= 1)).toBe(true);
    // A short period still gets labels (whole minutes), never none.
    const short = timelineTicks({ from: DAY + 30_000, to: DAY + 3 * 60_000 }, 8 * H);
    expect(short.map((t) => t.at)).toEqual([DAY + 60_000, DAY + 120_000, DAY + 180_000]);
  });
});

describe('replay clock', () => {
  const s = { from: 0, to: 600_000, at: 60_000, speed: 10 as const };
  it('advances speed × real time while playing and stands still while paused', () => {
    const c = startClock(s, 1_000, true);
    expect(clockAt(c, 3_000)).toBe(80_000);
    const paused = setPlaying(c, false, 3_000);
    expect(clockAt(paused, 99_000)).toBe(80_000);
  });
  it('stops at the end, and play at the end starts over', () => {
    const c = startClock(s, 0, true);
    expect(clockAt(c, 10_000_000)).toBe(600_000);
    const again = setPlaying(setPlaying(c, false, 10_000_000), true, 10_000_001);
    expect(clockAt(again, 10_000_001)).toBe(0);
  });
  it('seeks within the period and keeps the instant across a speed change', () => {
    const c = startClock(s, 0, true);
    expect(clockAt(seek(c, 900_000, 0), 0)).toBe(600_000);
    const fast = setSpeed(c, 120, 1_000);
    expect(clockAt(fast, 1_000)).toBe(70_000);
    expect(clockAt(fast, 2_000)).toBe(190_000);
  });
});

describe('keyframes', () => {
  it('steps at least 10 s, and one per 2 real seconds at high speed', () => {
    expect(keyframeStepMs(1)).toBe(10_000);
    expect(keyframeStepMs(120)).toBe(240_000);
  });
  it('fetches the keyframe at or before the clock and a few ahead on a fixed grid, inside the period', () => {
    const p = { from: 5_000, to: 45_000 };
    expect(keyframeTimes(21_000, p, 1)).toEqual([20_000, 30_000, 40_000, 45_000]);
    expect(keyframeTimes(6_000, p, 1, 1)).toEqual([5_000, 10_000]);
    expect(keyframeTimes(45_000, p, 1)).toEqual([40_000, 45_000]);
  });
});

describe('incidents at an instant', () => {
  const list = [
    incident('A', 100, [
      [110, 'accepted'],
      [200, 'dispatched'],
      [300, 'on_scene'],
      [400, 'resolved'],
    ]),
    incident('B', 250, [[260, 'accepted']], { category: 'nonsense', priority: 9 }),
    incident('C', 50, [], { reportedAt: 50 }),
  ];
  it('appear at their report time, move through their states and close at their real times', () => {
    expect(incidentsAt(list, 90).map((i) => i.id)).toEqual(['C']);
    const at150 = incidentsAt(list, 150).find((i) => i.id === 'A')!;
    expect(at150.state).toBe('accepted');
    expect(at150.assigneeId).toBeNull();
    const at250 = incidentsAt(list, 250);
    expect(at250.find((i) => i.id === 'A')).toMatchObject({ state: 'dispatched', assigneeId: 'V1' });
    expect(at250.find((i) => i.id === 'B')).toMatchObject({
      state: 'reported',
      category: 'other',
      priority: 4,
    });
    expect(
      incidentsAt(list, 400)
        .map((i) => i.id)
        .sort(),
    ).toEqual(['B', 'C']);
  });
  it('marks each incident of the period on the timeline, most urgent drawn last', () => {
    const marks = timelineMarks(list, { from: 0, to: 1_000 });
    expect(marks.map((m) => m.f).sort()).toEqual([0.05, 0.1, 0.25]);
    expect(marks.at(-1)!.priority).toBe(2);
  });
  it('counts the period figures up to the clock', () => {
    const f = periodFigures(list, 75, 350);
    expect(f).toMatchObject({ reported: 2, dispatched: 1, resolved: 0, open: 3 });
    expect(periodFigures(list, 75, 1_000)).toMatchObject({ reported: 2, resolved: 1, open: 2 });
    expect(f.byCategory).toEqual([
      { category: 'dispute', count: 1 },
      { category: 'nonsense', count: 1 },
    ]);
  });
});

describe('holdingAt', () => {
  const ev = (at: number, type: string, toState: string, unit?: string) => ({
    at,
    type,
    toState,
    ...(unit ? { assigneeKind: 'vehicle', assigneeId: unit } : {}),
  });
  // Sent to V1 at 10, to V2 at 20, 退单 at 30, to V2 again at 40 (final: V2).
  const i = {
    assigneeKind: 'vehicle',
    assigneeId: 'V2',
    timeline: [
      ev(0, 'reported', 'reported'),
      ev(10, 'assign', 'dispatched', 'V1'),
      ev(20, 'assign', 'dispatched', 'V2'),
      ev(30, 'transition', 'returned'),
      ev(35, 'transition', 'cancelled'),
      ev(40, 'assign', 'dispatched', 'V2'),
    ],
  };
  const unit = (id: string) => ({ kind: 'vehicle', id });

  it('spans each holding from the step that began it to the step that changed it', () => {
    expect(holdingAt(i, 5)).toEqual({ unit: null, from: null, to: 10 });
    expect(holdingAt(i, 10)).toEqual({ unit: unit('V1'), from: 10, to: 20 });
    expect(holdingAt(i, 25)).toEqual({ unit: unit('V2'), from: 20, to: 30 });
    // A second clearing step changes nothing; a new dispatch to the same unit starts anew (its own dispatch time).
    expect(holdingAt(i, 33)).toEqual({ unit: null, from: 30, to: 40 });
    expect(holdingAt(i, 99)).toEqual({ unit: unit('V2'), from: 40, to: null });
  });
});
