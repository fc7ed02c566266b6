import { describe, expect, it } from 'vitest';
import { timelineWhat, timelineWho } from './timeline-text';

const base = { fromState: null, toState: null, data: null, assigneeName: null, actor: 'dispatcher' };

describe('timeline steps in words', () => {
  it('names the unit an incident was dispatched to', () => {
    const assign = {
      ...base,
      type: 'assign',
      fromState: 'accepted',
      toState: 'dispatched',
      data: { assigneeKind: 'vehicle', assigneeId: 'veh-00057' },
      assigneeName: '城西派出所巡逻车01',
      actorName: '调度员',
    };
    expect(timelineWhat(assign)).toBe('派单 → 城西派出所巡逻车01');
    expect(timelineWhat(assign, 'en')).toBe('Assigned → 城西派出所巡逻车01');
    expect(timelineWho(assign)).toBe('调度员');
    // An older server sent no name: the id still shows, never nothing.
    expect(timelineWhat({ ...assign, assigneeName: null })).toBe('派单 → veh-00057');
  });

  it('names the milestone an overdue step records', () => {
    const overdue = { ...base, actor: 'system', type: 'overdue', data: { milestone: 'accept', deadline: 1 } };
    expect(timelineWhat(overdue)).toBe('受理超时');
    expect(timelineWhat(overdue, 'en')).toBe('Accept overdue');
    expect(timelineWhat({ ...overdue, data: { milestone: 'unknown' } })).toBe('超时');
    expect(timelineWho(overdue)).toBe('系统');
  });

  it('states, supervision and follow-up in words', () => {
    expect(timelineWhat({ ...base, type: 'transition', toState: 'on_scene' })).toBe('处置中');
    expect(timelineWhat({ ...base, type: 'supervise', data: { level: 3 } })).toBe('红牌督办');
    expect(timelineWhat({ ...base, type: 'follow_up', data: { satisfaction: 5 } }, 'en')).toBe(
      'Follow-up 5/5',
    );
    expect(timelineWhat({ ...base, type: 'reported', toState: 'reported' })).toBe('上报');
    const intake = { ...base, type: 'reported', actor: 'ingest:police_110', actorName: '110警情接入' };
    expect(timelineWho(intake)).toBe('110警情接入');
    expect(timelineWho(intake, 'en')).toBe('110 police intake');
    expect(timelineWho({ ...base, type: 'note', actor: 'dispatcher', actorName: '调度员' }, 'en')).toBe(
      '调度员',
    );
    expect(timelineWho({ ...base, type: 'note', actor: 'olduser' })).toBe('olduser');
  });
});
