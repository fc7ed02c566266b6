import { describe, expect, it } from 'vitest';
import { FakeClock } from '@/lib/clock';
import { HISTORY_TICKS, LAG_WINDOW_TICKS, LiveState } from './live-state';
import { IncidentBoard } from './incident-board';
import type { IncidentView } from '@/lib/domain/incident';

function move(live: LiveState, id: string, lng: number) {
  const s = live.vehicle;
  const i = s.add({ id, name: null, kind: null });
  s.lng[i] = lng;
  s.lat[i] = 30;
  s.ts[i] = live.clock.now();
  s.touch(i, live.tick);
  return i;
}

describe('LiveState change history', () => {
  it('lists each changed entity once, from the tick of its latest change', () => {
    const live = new LiveState(new FakeClock());
    const a = move(live, 'A', 104);
    move(live, 'B', 104);
    live.seal(); // tick 1
    move(live, 'A', 104.1);
    live.seal(); // tick 2
    expect([...live.changedBetween('vehicle', 0, 2)!].sort()).toEqual([0, 1]);
    expect([...live.changedBetween('vehicle', 1, 2)!]).toEqual([a]);
    expect([...live.changedBetween('vehicle', 2, 2)!]).toEqual([]);
  });

  it('holds back an entity changed again in the still-open tick until that tick is sealed', () => {
    const live = new LiveState(new FakeClock());
    move(live, 'A', 104);
    live.seal(); // tick 1
    move(live, 'A', 104.2); // tick 2, open
    expect([...live.changedBetween('vehicle', 0, 1)!]).toEqual([]);
    live.seal();
    expect([...live.changedBetween('vehicle', 0, 2)!]).toEqual([0]);
  });

  it('answers a client further behind than the bounded history from the change ticks, the same as in it', () => {
    const live = new LiveState(new FakeClock());
    const b = move(live, 'B', 104);
    live.seal();
    const bTick = live.sealedTick;
    let a = -1;
    for (let k = 0; k < HISTORY_TICKS + 5; k++) {
      a = move(live, 'A', 104 + k / 1000);
      live.seal();
    }
    move(live, 'C', 104); // the open tick: not yet
    const sealed = live.sealedTick;
    expect([...live.changedBetween('vehicle', bTick - 1, sealed)].sort()).toEqual([a, b].sort());
    expect([...live.changedBetween('vehicle', bTick, sealed)]).toEqual([a]);
    // Within the history both ways agree.
    expect([...live.changedBetween('vehicle', sealed - 10, sealed)]).toEqual([a]);
    expect([...live.changedBetween('vehicle', sealed, sealed)]).toEqual([]);
  });
});

describe('IncidentBoard', () => {
  const view = (id: string, state: IncidentView['state'] = 'reported'): IncidentView => ({
    id,
    category: 'dispute',
    title: id,
    priority: 3,
    source: 'grid_worker',
    state,
    lng: 104,
    lat: 30,
    address: null,
    gridCode: null,
    reportedAt: 1,
    receivedAt: 1,
    updatedAt: 1,
    assigneeKind: null,
    assigneeId: null,
    supervision: 0,
  });

  it('reports upserts and removals since a version, and drops closed incidents', () => {
    const b = new IncidentBoard();
    b.upsert(view('1'));
    const v1 = b.version;
    b.upsert(view('2'));
    b.upsert(view('1', 'closed'));
    expect(b.size).toBe(1);
    const c = b.changesSince(v1)!;
    expect(c.upserts.map((u) => u.id)).toEqual(['2']);
    expect(c.removed).toEqual(['1']);
    expect(b.changesSince(b.version)).toEqual({ upserts: [], removed: [] });
  });
});

describe('LiveState ingest lag', () => {
  it('is the age of each tick’s newest report, held for a second, and ignores late history uploads', () => {
    const clock = new FakeClock(1_000_000);
    const live = new LiveState(clock);
    const tick = (reportAges: number[]) => {
      for (const age of reportAges) live.noteReport(clock.now() - age);
      clock.advance(100);
      live.seal();
    };
    tick([30, 5_000]); // one unit uploading buffered history: the fresh report decides
    expect(live.ingestLagMs).toBe(130);
    tick([2_500, 2_600]); // a backlog: even the newest report is seconds old
    expect(live.ingestLagMs).toBe(2_600);
    for (let k = 0; k < LAG_WINDOW_TICKS - 1; k++) tick([20]);
    expect(live.ingestLagMs).toBe(2_600); // still inside the window: no flicker back to live
    tick([20]);
    expect(live.ingestLagMs).toBe(120);
    for (let k = 0; k < LAG_WINDOW_TICKS; k++) tick([]);
    expect(live.ingestLagMs).toBe(0); // no telemetry: nothing is late
  });
});
