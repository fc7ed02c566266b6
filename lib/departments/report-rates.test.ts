import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TIME_LIMITS,
  deptAckLimit,
  parseTimeLimitConfig,
  timeLimitStatus,
  toTimeLimitMinutes,
} from '../domain/time-limits';
import { departmentRates, handingsOf, type HandingEvent } from './report-rates';
import { deptActionsFor, deptBucketOf } from './queue';

const MIN = 60_000;
const cfg = DEFAULT_TIME_LIMITS;
const inc = { id: 'i1', priority: 2, category: 'dispute', receivedAt: 0 };
const assign = (at: number, id = 'd1', kind = 'department'): HandingEvent => ({
  at,
  type: 'assign',
  toState: 'dispatched',
  assigneeKind: kind,
  assigneeId: id,
});
const to = (at: number, toState: string): HandingEvent => ({ at, type: 'transition', toState });

describe('handingsOf', () => {
  it('opens a handing per assignment to a department and reads its answer and 办结', () => {
    const h = handingsOf(inc, [assign(1 * MIN), to(5 * MIN, 'on_scene'), to(60 * MIN, 'resolved')]);
    expect(h).toHaveLength(1);
    expect(h[0]).toMatchObject({
      departmentId: 'd1',
      handedAt: MIN,
      answeredAt: 5 * MIN,
      resolvedAt: 60 * MIN,
    });
    expect(h[0]!.isReturned).toBe(false);
  });

  it('a 退回 answers the handing and ends it; a later handing to another department is its own', () => {
    const h = handingsOf(inc, [
      assign(MIN),
      to(2 * MIN, 'returned'),
      assign(3 * MIN, 'd2'),
      to(4 * MIN, 'on_scene'),
    ]);
    expect(h.map((x) => [x.departmentId, x.answeredAt, x.isReturned])).toEqual([
      ['d1', 2 * MIN, true],
      ['d2', 4 * MIN, false],
    ]);
  });

  it('the center returning a resolved case (退回重办) is not the department returning it', () => {
    const h = handingsOf(inc, [
      assign(MIN),
      to(2 * MIN, 'on_scene'),
      to(3 * MIN, 'resolved'),
      to(4 * MIN, 'returned'),
    ]);
    expect(h[0]).toMatchObject({ resolvedAt: 3 * MIN, isReturned: false });
  });

  it('assignments to vehicles and workers are no handings, and end an open one', () => {
    const h = handingsOf(inc, [assign(MIN), assign(2 * MIN, 'v1', 'vehicle'), to(3 * MIN, 'on_scene')]);
    expect(h).toHaveLength(1);
    expect(h[0]!.answeredAt).toBeNull();
  });
});

describe('departmentRates', () => {
  const ack = deptAckLimit(cfg, 2); // 30 min for 紧急
  const base = {
    incidentId: 'i',
    departmentId: 'd1',
    priority: 2,
    receivedAt: 0,
    handedAt: 0,
    isReturned: false,
  };

  it('报到率 counts answers within the 签收 limit over handings due or answered', () => {
    const r = departmentRates(
      [
        { ...base, answeredAt: ack - 1, resolvedAt: null },
        { ...base, answeredAt: ack + 1, resolvedAt: null },
        { ...base, answeredAt: null, resolvedAt: null },
      ],
      ack + 10,
      cfg,
    );
    expect(r).toMatchObject({ handed: 3, ackDue: 3, ackOnTime: 1 });
    expect(r.ackRate).toBeCloseTo(1 / 3);
  });

  it('a fresh unanswered handing is not yet held against the department', () => {
    const r = departmentRates([{ ...base, answeredAt: null, resolvedAt: null }], ack - 1, cfg);
    expect(r).toMatchObject({ handed: 1, ackDue: 0, ackRate: null, onTimeRate: null });
  });

  it('按时办结率 leaves returned handings out and counts 办结 within the resolve limit', () => {
    const resolve = cfg.byPriority[2].resolve!;
    const r = departmentRates(
      [
        { ...base, answeredAt: 1, resolvedAt: resolve - 1 },
        { ...base, answeredAt: 1, resolvedAt: resolve + 1 },
        { ...base, answeredAt: 1, resolvedAt: null, isReturned: true },
      ],
      resolve + 5,
      cfg,
    );
    expect(r).toMatchObject({ resolveDue: 2, resolvedOnTime: 1, onTimeRate: 0.5, ackOnTime: 3 });
  });

  it('follows a configured 签收 limit', () => {
    const custom = { ...cfg, deptAck: { 1: MIN, 2: MIN, 3: MIN, 4: MIN } };
    const r = departmentRates([{ ...base, answeredAt: 2 * MIN, resolvedAt: null }], 3 * MIN, custom);
    expect(r.ackOnTime).toBe(0);
  });
});

describe('lamps of a handed incident', () => {
  const view = { priority: 2, category: 'dispute', receivedAt: 0, assigneeKind: 'department' };
  it('a handed, unacknowledged incident owes 签收 in place of 到场, red past its limit', () => {
    const s = timeLimitStatus({ ...view, state: 'dispatched' }, deptAckLimit(cfg, 2) + 1, cfg);
    expect(s.milestones.map((m) => m.milestone)).toEqual(['deptAck', 'resolve']);
    expect(s.lamp).toBe('red');
    expect(s.isOverdue).toBe(true);
  });
  it('once acknowledged (处置中) only 办结 is owed', () => {
    const s = timeLimitStatus({ ...view, state: 'on_scene' }, deptAckLimit(cfg, 2) + 1, cfg);
    expect(s.milestones.map((m) => m.milestone)).toEqual(['resolve']);
    expect(s.lamp).toBe('green');
  });
  it('a vehicle on a dispatched incident still owes 到场', () => {
    const s = timeLimitStatus({ ...view, assigneeKind: 'vehicle', state: 'dispatched' }, 0, cfg);
    expect(s.milestones.map((m) => m.milestone)).toEqual(['onScene', 'resolve']);
  });
});

describe('deptBucketOf', () => {
  const own = { assigneeKind: 'department' as const, assigneeId: 'd1' };
  it('sorts own cases by state and past ones by what the department did', () => {
    expect(deptBucketOf({ ...own, state: 'dispatched' }, 'd1', null)).toBe('pending');
    expect(deptBucketOf({ ...own, state: 'on_scene' }, 'd1', null)).toBe('in_progress');
    expect(deptBucketOf({ ...own, state: 'closed' }, 'd1', null)).toBe('resolved');
    const back = { state: 'returned' as const, assigneeKind: null, assigneeId: null };
    expect(deptBucketOf(back, 'd1', { isReturned: true, resolvedAt: null })).toBe('returned');
    expect(deptBucketOf({ ...own, state: 'dispatched' }, 'd2', null)).toBeNull();
  });
  it('offers 签收 and 退回 while pending, 反馈/办结/退回 in hand, nothing after', () => {
    expect(deptActionsFor('pending')).toEqual(['ack', 'return']);
    expect(deptActionsFor('in_progress')).toEqual(['feedback', 'resolve', 'return']);
    expect(deptActionsFor('resolved')).toEqual([]);
  });
});

describe('the 签收 limit in the time-limit config', () => {
  it('defaults per priority, and an admin’s minutes round-trip through the editable form', () => {
    expect(deptAckLimit(DEFAULT_TIME_LIMITS, 1)).toBe(10 * MIN);
    expect(deptAckLimit(DEFAULT_TIME_LIMITS, 9)).toBe(deptAckLimit(DEFAULT_TIME_LIMITS, 3));
    const c = parseTimeLimitConfig(JSON.stringify({ deptAck: { '2': 15 } }));
    expect(deptAckLimit(c, 2)).toBe(15 * MIN);
    expect(deptAckLimit(c, 1)).toBe(10 * MIN);
    expect(toTimeLimitMinutes(c).deptAck).toEqual({ '1': 10, '2': 15, '3': 120, '4': 480 });
    expect(toTimeLimitMinutes(DEFAULT_TIME_LIMITS).deptAck).toBeUndefined();
    expect(() => parseTimeLimitConfig(JSON.stringify({ deptAck: { '2': -1 } }))).toThrow();
  });
});
