import { describe, expect, it } from 'vitest';
import type { IncidentView } from '@/lib/domain/incident';
import { createBoardAssignmentFeed } from './board-assignment-feed';

const view = (over: Partial<IncidentView>): IncidentView => ({
  id: 'i1',
  category: 'dispute',
  title: '邻里纠纷',
  priority: 2,
  source: 'grid_worker',
  state: 'dispatched',
  lng: 104.06,
  lat: 30.66,
  address: null,
  gridCode: null,
  reportedAt: 0,
  receivedAt: 0,
  updatedAt: 0,
  assigneeKind: null,
  assigneeId: null,
  supervision: 0,
  ...over,
});

describe('createBoardAssignmentFeed', () => {
  it('assigns on a new vehicle assignee, releases on reassignment and on resolution', () => {
    let listener: (v: IncidentView, isRemoved: boolean) => void = () => {};
    const board = {
      values: () => [] as IncidentView[],
      onChange: (l: typeof listener) => ((listener = l), () => {}),
    };
    const feed = createBoardAssignmentFeed(board);
    const events: string[] = [];
    feed.onAssigned((a) => events.push(`assign ${a.vehicleId}`));
    feed.onReleased?.((a) => events.push(`release ${a.vehicleId}`));
    listener(view({ state: 'accepted' }), false);
    listener(view({ assigneeKind: 'vehicle', assigneeId: 'veh-1' }), false);
    listener(view({ assigneeKind: 'vehicle', assigneeId: 'veh-1', state: 'on_scene' }), false);
    listener(view({ assigneeKind: 'vehicle', assigneeId: 'veh-2' }), false);
    listener(view({ assigneeKind: 'vehicle', assigneeId: 'veh-2', state: 'resolved' }), false);
    listener(view({ id: 'i2', assigneeKind: 'worker', assigneeId: 'wkr-1' }), false);
    expect(events).toEqual(['assign veh-1', 'release veh-1', 'assign veh-2', 'release veh-2']);
  });
});
