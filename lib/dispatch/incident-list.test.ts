import { describe, expect, it } from 'vitest';
import type { IncidentView } from '../domain/incident';
import { DEFAULT_TIME_LIMITS } from '../domain/time-limits';
import {
  EMPTY_FILTER,
  EMPTY_INCIDENT_LIST,
  applyIncidentBatch,
  neighbourId,
  queueOf,
  workTier,
} from './incident-list';

const MIN = 60_000;
const view = (id: string, over: Partial<IncidentView> = {}): IncidentView => ({
  id,
  category: 'dispute',
  title: id,
  priority: 3,
  source: 'grid_worker',
  state: 'reported',
  lng: 120,
  lat: 30,
  address: null,
  gridCode: '330102001001001',
  reportedAt: 0,
  receivedAt: 0,
  updatedAt: 0,
  assigneeKind: null,
  assigneeId: null,
  supervision: 0,
  ...over,
});

describe('console incident list', () => {
  it('replaces on a full batch, merges deltas, and reports a gap without applying it', () => {
    let r = applyIncidentBatch(EMPTY_INCIDENT_LIST, {
      seq: 5,
      isFull: true,
      incidents: [view('a'), view('b')],
    });
    expect([...r.state.byId.keys()]).toEqual(['a', 'b']);
    r = applyIncidentBatch(r.state, {
      seq: 6,
      isFull: false,
      incidents: [view('a', { state: 'dispatched' })],
      incidentsRemoved: ['b'],
    });
    expect(r.state.byId.get('a')?.state).toBe('dispatched');
    expect(r.state.byId.has('b')).toBe(false);
    const gap = applyIncidentBatch(r.state, { seq: 9, isFull: false, incidents: [view('c')] });
    expect(gap.isGap).toBe(true);
    expect(gap.state).toBe(r.state);
  });

  it('filters by category, state and region, and sorts by urgency', () => {
    const now = 100 * MIN;
    const list = [
      view('low', { priority: 4, receivedAt: now - MIN }),
      view('urgent-new', { priority: 1, receivedAt: now }),
      view('urgent-old', { priority: 1, receivedAt: now - 2 * MIN }),
      view('elsewhere', { priority: 1, gridCode: '330105001001001' }),
      view('fire', { category: 'fire_safety', receivedAt: now }),
    ];
    const q = (f: Partial<typeof EMPTY_FILTER>) =>
      queueOf(list, { ...EMPTY_FILTER, ...f }, now, DEFAULT_TIME_LIMITS).map((v) => v.id);
    expect(q({ region: '330102000000' })).toEqual(['urgent-old', 'urgent-new', 'fire', 'low']);
    expect(q({ category: 'fire_safety' })).toEqual(['fire']);
    expect(q({ state: 'dispatched' })).toEqual([]);
  });

  /**
   * Mid-shift: a resolved 特急 case and dispatched ones used to sit on top, with new 上报 items far below.
   * The queue now starts with work waiting for the dispatcher.
   */
  it('puts work waiting for action first, then in progress, and hides done work unless asked', () => {
    const now = 1000 * MIN;
    const list = [
      view('resolved-critical', { priority: 1, state: 'resolved', receivedAt: now - 60 * MIN }),
      view('dispatched-critical', { priority: 1, state: 'dispatched', receivedAt: now - 5 * MIN }),
      view('on-scene-normal', { priority: 3, state: 'on_scene', receivedAt: now - 10 * MIN }),
      // 3 h in progress at priority 3: past its 2 h on-scene limit, so it waits for the dispatcher again.
      view('dispatched-overdue', { priority: 3, state: 'dispatched', receivedAt: now - 180 * MIN }),
      view('new-normal', { priority: 3, state: 'reported', receivedAt: now - 1 * MIN }),
      view('new-urgent', { priority: 2, state: 'reported', receivedAt: now - 2 * MIN }),
      view('accepted-low', { priority: 4, state: 'accepted', receivedAt: now - 30 * MIN }),
      view('returned-normal', { priority: 3, state: 'returned', receivedAt: now - 20 * MIN }),
      view('new-normal-yellow', { priority: 3, state: 'reported', receivedAt: now - 25 * MIN }),
      view('escalated', { priority: 2, state: 'escalated', receivedAt: now - 3 * MIN }),
    ];
    const ids = (f = EMPTY_FILTER) => queueOf(list, f, now, DEFAULT_TIME_LIMITS).map((v) => v.id);
    expect(ids()).toEqual([
      // waiting: priority, then lamp (the 25-minute-old 上报 is yellow against its 30-minute limit), then age
      'new-urgent',
      'dispatched-overdue',
      'new-normal-yellow',
      'returned-normal',
      'new-normal',
      'accepted-low',
      // in progress
      'dispatched-critical',
      'escalated',
      'on-scene-normal',
    ]);
    expect(ids({ ...EMPTY_FILTER, isDoneShown: true }).at(-1)).toBe('resolved-critical');
    expect(ids({ ...EMPTY_FILTER, state: 'resolved' })).toEqual(['resolved-critical']);
    expect(workTier(list[3]!, now, DEFAULT_TIME_LIMITS)).toBe('waiting');
    expect(workTier(list[1]!, now, DEFAULT_TIME_LIMITS)).toBe('in_progress');
  });

  it('shows only supervised or overdue incidents when asked', () => {
    const now = 1000 * MIN;
    const list = [
      view('flagged', { supervision: 2, state: 'dispatched', receivedAt: now - MIN }),
      view('overdue', { state: 'reported', receivedAt: now - 60 * MIN }),
      view('plain', { state: 'reported', receivedAt: now - MIN }),
    ];
    const ids = queueOf(list, { ...EMPTY_FILTER, isSupervisedOnly: true }, now, DEFAULT_TIME_LIMITS).map(
      (v) => v.id,
    );
    expect(ids).toEqual(['overdue', 'flagged']);
  });

  it('moves the selection with the keyboard and stops at the ends', () => {
    const q = [view('a'), view('b'), view('c')];
    expect(neighbourId(q, null, 1)).toBe('a');
    expect(neighbourId(q, 'a', 1)).toBe('b');
    expect(neighbourId(q, 'c', 1)).toBe('c');
    expect(neighbourId(q, 'a', -1)).toBe('a');
    expect(neighbourId(q, 'gone', -1)).toBe('c');
  });
});
