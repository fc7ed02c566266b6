import { describe, expect, it } from 'vitest';
import {
  CALLBACK_BASE_DELAY_MS,
  CALLBACK_MAX_ATTEMPTS,
  CALLBACK_MAX_DELAY_MS,
  callbackFor,
  nextAttemptAt,
  type HotlineEventRow,
} from './callback';

const row = (over: Partial<HotlineEventRow>): HotlineEventRow => ({
  id: 7,
  incidentId: 'GD1',
  orderNo: 'GD1',
  at: Date.UTC(2026, 11, 3, 1),
  type: 'transition',
  fromState: 'reported',
  toState: 'accepted',
  note: null,
  data: null,
  satisfaction: null,
  replyText: null,
  replyAt: null,
  ...over,
});

describe('hotline callbacks', () => {
  it('maps the lifecycle onto the 12345 loop', () => {
    expect(callbackFor(row({}))?.stage).toBe('accept');
    expect(callbackFor(row({ type: 'assign', toState: 'dispatched' }))?.stageLabel).toBe('调度');
    expect(callbackFor(row({ toState: 'on_scene' }))?.stage).toBe('handle');
    expect(callbackFor(row({ toState: 'closed' }))?.stage).toBe('resolve');
    expect(callbackFor(row({ type: 'supervise' }))?.stage).toBe('supervise');
    const reply = callbackFor(row({ type: 'reply', replyText: '已处理', replyAt: 5 }));
    expect(reply?.reply).toEqual({ text: '已处理', at: new Date(5).toISOString() });
    const follow = callbackFor(row({ type: 'follow_up', satisfaction: 4 }));
    expect(follow).toMatchObject({ stage: 'follow_up', satisfaction: 4 });
  });

  it('skips the initial report and internal notes', () => {
    expect(callbackFor(row({ type: 'reported', toState: 'reported' }))).toBeNull();
    expect(callbackFor(row({ type: 'note', toState: null }))).toBeNull();
  });

  it('backs off exponentially, capped, then gives up', () => {
    const now = 1_000_000;
    expect(nextAttemptAt(1, now)).toBe(now + CALLBACK_BASE_DELAY_MS);
    expect(nextAttemptAt(2, now)).toBe(now + 2 * CALLBACK_BASE_DELAY_MS);
    expect(nextAttemptAt(4, now)).toBe(now + 8 * CALLBACK_BASE_DELAY_MS);
    for (let a = 1; a < CALLBACK_MAX_ATTEMPTS; a++) {
      const at = nextAttemptAt(a, now)!;
      expect(at - now).toBeLessThanOrEqual(CALLBACK_MAX_DELAY_MS);
      expect(at - now).toBeGreaterThanOrEqual(nextAttemptAt(Math.max(1, a - 1), now)! - now);
    }
    expect(nextAttemptAt(CALLBACK_MAX_ATTEMPTS, now)).toBeNull();
  });
});
