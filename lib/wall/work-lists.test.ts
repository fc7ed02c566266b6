import { describe, expect, it } from 'vitest';
import { INCIDENT_STATES } from '../domain/enums';
import {
  compareOverdueItems,
  isOnOverdueList,
  isOpenWork,
  isOverdue,
  isSupervised,
  isWarning,
  openFeed,
} from './work-lists';

describe('work lists', () => {
  it('open work excludes 已办结, 已结案 and 作废 only', () => {
    expect(INCIDENT_STATES.filter((s) => !isOpenWork(s))).toEqual(['resolved', 'closed', 'cancelled']);
  });

  it('the 超时督办 list is exactly overdue ∪ supervised; a yellow lamp alone is 预警, not listed', () => {
    for (const lamp of ['none', 'green', 'yellow', 'red'] as const)
      for (const supervision of [0, 1, 2, 3])
        expect(isOnOverdueList(lamp, supervision)).toBe(isOverdue(lamp) || isSupervised(supervision));
    expect(isOnOverdueList('yellow', 0)).toBe(false);
    expect(isWarning('yellow')).toBe(true);
    expect(isOverdue('yellow')).toBe(false);
  });

  it('orders overdue first, then the higher card, priority and age', () => {
    const item = (lamp: 'red' | 'green', supervision: number, priority: number, receivedAt: number) => ({
      lamp,
      supervision,
      priority,
      receivedAt,
    });
    const rows = [item('green', 3, 1, 0), item('red', 0, 3, 5), item('red', 2, 3, 9), item('red', 2, 3, 1)];
    expect(rows.sort(compareOverdueItems).map((r) => [r.lamp, r.supervision, r.receivedAt])).toEqual([
      ['red', 2, 1],
      ['red', 2, 9],
      ['red', 0, 5],
      ['green', 3, 0],
    ]);
  });

  it('the live feed keeps open work, newest first, bounded', () => {
    const feed = openFeed(
      [
        { id: 'a', state: 'reported' as const, receivedAt: 1 },
        { id: 'b', state: 'resolved' as const, receivedAt: 5 },
        { id: 'c', state: 'on_scene' as const, receivedAt: 3 },
        { id: 'd', state: 'cancelled' as const, receivedAt: 4 },
        { id: 'e', state: 'returned' as const, receivedAt: 2 },
      ],
      2,
    );
    expect(feed.map((i) => i.id)).toEqual(['c', 'e']);
  });
});
