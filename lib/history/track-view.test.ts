import { describe, expect, it } from 'vitest';
import type { HistoryIncident, TrackPoint } from './contract';
import { arriveMs, playbackSteps, routeWindow, PLAYBACK_OPEN_ROUTE_MS } from './playback';
import { formatSpan, handledIncidents, periodRange, speedBand, trackRuns } from './track-view';

const pt = (ts: number, lng: number, speed?: number): TrackPoint => ({ ts, lng, lat: 30, speed });

describe('track view', () => {
  it('bands speeds at their lower bounds, and no speed apart', () => {
    expect([0, 9.9, 10, 29.9, 30, 50, 79.9, 80, 200].map(speedBand)).toEqual([0, 0, 1, 1, 2, 3, 3, 4, 4]);
    expect(speedBand(undefined)).toBe(-1);
    expect(speedBand(Number.NaN)).toBe(-1);
  });

  it('cuts the path where the band changes, runs joined at their shared point', () => {
    const runs = trackRuns([pt(0, 1, 0), pt(1, 2, 5), pt(2, 3, 6), pt(3, 4, 60), pt(4, 5, 61), pt(5, 6)]);
    expect(runs.map((r) => r.band)).toEqual([0, 3, -1]);
    expect(runs.map((r) => r.path.map((p) => p[0]))).toEqual([
      [1, 2, 3],
      [3, 4, 5],
      [5, 6],
    ]);
    expect(trackRuns([pt(0, 1, 3)])).toEqual([]);
  });

  it('lists only the incidents the unit was assigned', () => {
    const inc = (id: string, kind: string | null, who: string | null) =>
      ({
        id,
        assigneeKind: kind,
        assigneeId: who,
        timeline: [{ at: 5, type: 'assign', actor: 'd', fromState: null, toState: 'dispatched', note: null }],
      }) as HistoryIncident;
    const list = [
      inc('a', 'vehicle', 'V1'),
      inc('b', 'worker', 'V1'),
      inc('c', 'vehicle', 'V2'),
      inc('d', null, null),
    ];
    expect(handledIncidents(list, 'vehicle', 'V1', 0, 10).map((i) => i.id)).toEqual(['a']);
  });

  it("lists a case the unit held in the period, by the period's assign steps, not by who ended with it", () => {
    const ev = (at: number, type: string, toState: string, unit?: string) => ({
      at,
      type,
      actor: 'dispatcher',
      fromState: null,
      toState,
      note: null,
      ...(unit ? { assigneeKind: 'vehicle', assigneeId: unit } : {}),
    });
    // Sent to V1 at 10, relieved by V2 at 20, returned by V2 at 30, sent to V3 at 40; V3 resolved it at 50.
    const relieved = {
      id: 'R',
      assigneeKind: 'vehicle',
      assigneeId: 'V3',
      timeline: [
        ev(0, 'reported', 'reported'),
        ev(10, 'assign', 'dispatched', 'V1'),
        ev(20, 'assign', 'dispatched', 'V2'),
        ev(30, 'transition', 'returned'),
        ev(40, 'assign', 'dispatched', 'V3'),
        ev(50, 'transition', 'resolved'),
      ],
    } as HistoryIncident;
    const handlers = (from: number, to: number) =>
      ['V1', 'V2', 'V3'].filter((v) => handledIncidents([relieved], 'vehicle', v, from, to).length > 0);
    // Relieved mid-case, V1 still handled it; V3 got it only after the period.
    expect(handlers(0, 15)).toEqual(['V1']);
    expect(handlers(0, 25)).toEqual(['V1', 'V2']);
    // Held since before the period: it counts; after the 退单 nobody holds it until V3.
    expect(handlers(12, 18)).toEqual(['V1']);
    expect(handlers(32, 38)).toEqual([]);
    expect(handlers(35, 60)).toEqual(['V3']);
  });

  it('words spans to the minute and starts "today" at midnight in the display zone', () => {
    expect(formatSpan(6 * 60_000 + 20_000, 'zh')).toBe('6分钟');
    expect(formatSpan(85 * 60_000, 'en')).toBe('1 h 25 min');
    expect(formatSpan(40_000, 'zh')).toBe('40秒');
    const now = Date.UTC(2026, 11, 2, 20, 30); // 04:30 on 3 Dec in Beijing
    expect(periodRange('today', now, 'Asia/Shanghai')).toEqual([Date.UTC(2026, 11, 2, 16, 0), now]);
    expect(periodRange('4h', now)).toEqual([now - 4 * 3_600_000, now]);
  });
});

describe('playback steps', () => {
  const ev = (at: number, type: string, toState: string | null, data: unknown = null) => ({
    at,
    type,
    toState,
    data,
  });

  it('follows the unit that handled it: its own dispatch, then arrival and the end after it', () => {
    const events = [
      ev(10, 'transition', 'accepted'),
      ev(20, 'assign', 'dispatched', JSON.stringify({ assigneeKind: 'vehicle', assigneeId: 'A' })),
      ev(30, 'transition', 'on_scene'),
      ev(40, 'transition', 'returned'),
      ev(50, 'assign', 'dispatched', { assigneeKind: 'vehicle', assigneeId: 'B' }),
      ev(70, 'transition', 'on_scene'),
      ev(90, 'transition', 'resolved'),
    ];
    const steps = playbackSteps(5, events, { kind: 'vehicle', id: 'B' });
    expect(steps).toEqual([
      { kind: 'reported', at: 5 },
      { kind: 'accepted', at: 10 },
      { kind: 'dispatched', at: 50 },
      { kind: 'on_scene', at: 70 },
      { kind: 'resolved', at: 90 },
    ]);
    expect(arriveMs(steps)).toBe(20);
    expect(routeWindow(steps, 1000)).toEqual({ from: 50, to: 70 });
  });

  it('bounds a route with no arrival, and has none without a dispatch', () => {
    const open = playbackSteps(
      0,
      [ev(10, 'assign', 'dispatched', '{"assigneeKind":"worker","assigneeId":"W"}')],
      {
        kind: 'worker',
        id: 'W',
      },
    );
    expect(arriveMs(open)).toBeNull();
    expect(routeWindow(open, 10 + 10 * PLAYBACK_OPEN_ROUTE_MS)).toEqual({
      from: 10,
      to: 10 + PLAYBACK_OPEN_ROUTE_MS,
    });
    expect(routeWindow(open, 500)).toEqual({ from: 10, to: 500 });
    expect(routeWindow(playbackSteps(0, [ev(3, 'note', null, 'not json {')], null), 9)).toBeNull();
  });
});
