import { describe, expect, it } from 'vitest';
import type { IncidentView } from '../domain/incident';
import { EMPTY_FILTER, EMPTY_INCIDENT_LIST, applyIncidentBatch, neighbourId, queueOf } from './incident-list';

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
      view('fire', { category: 'fire_safety' }),
    ];
    expect(queueOf(list, { ...EMPTY_FILTER, region: '330102000000' }, now).map((v) => v.id)).toEqual([
      'urgent-old',
      'urgent-new',
      'fire',
      'low',
    ]);
    expect(queueOf(list, { ...EMPTY_FILTER, category: 'fire_safety' }, now).map((v) => v.id)).toEqual([
      'fire',
    ]);
    expect(queueOf(list, { ...EMPTY_FILTER, state: 'dispatched' }, now)).toEqual([]);
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
