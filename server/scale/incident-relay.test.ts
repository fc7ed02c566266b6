import { describe, expect, it } from 'vitest';
import type { IncidentView } from '@/lib/domain/incident';
import { isRemoteNewer } from './incident-relay';

const view = (updatedAt: number): IncidentView => ({
  id: 'I1',
  category: 'dispute',
  title: 't',
  priority: 2,
  source: 'grid_worker',
  state: 'reported',
  lng: 120,
  lat: 30,
  address: null,
  gridCode: null,
  reportedAt: 0,
  receivedAt: 0,
  updatedAt,
  assigneeKind: null,
  assigneeId: null,
  supervision: 0,
});

describe('isRemoteNewer', () => {
  it('takes a view the process does not hold yet', () =>
    expect(isRemoteNewer(undefined, view(1))).toBe(true));
  it('keeps the later change', () => {
    expect(isRemoteNewer(view(2), view(1))).toBe(false);
    expect(isRemoteNewer(view(1), view(2))).toBe(true);
  });
  it('breaks a tie the same way on both processes, so they converge', () => {
    const a = { ...view(5), state: 'accepted' as const };
    const b = { ...view(5), state: 'dispatched' as const };
    expect(isRemoteNewer(a, b)).not.toBe(isRemoteNewer(b, a));
    expect(isRemoteNewer(a, a)).toBe(false);
  });
});
