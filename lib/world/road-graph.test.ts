import { describe, expect, it } from 'vitest';
import { ROAD_CLASSES, RoadGraph, type RoadGraphJSON } from './road-graph';

const cls = (c: (typeof ROAD_CLASSES)[number]) => ROAD_CLASSES.indexOf(c);

/**
 *  0 ──local── 1 ──local── 2        a short local way across the top,
 *  │                       │
 *  3 ─────arterial──────── 4        and a longer arterial way round the bottom.
 */
function sample(): RoadGraph {
  const d = 0.001; // ~100 m
  const json: RoadGraphJSON = {
    v: 1,
    nodes: [
      104,
      30.01,
      104 + 5 * d,
      30.01,
      104 + 10 * d,
      30.01,
      104,
      30.01 - 3 * d,
      104 + 10 * d,
      30.01 - 3 * d,
      105,
      31,
    ],
    edges: [
      0,
      1,
      cls('local'),
      0,
      1,
      2,
      cls('local'),
      0,
      0,
      3,
      cls('arterial'),
      1,
      3,
      4,
      cls('arterial'),
      1,
      4,
      2,
      cls('arterial'),
      1,
    ],
    roadNames: ['青石巷', '锦华大道'],
  };
  return RoadGraph.fromJSON(json);
}

describe('RoadGraph', () => {
  it('prefers the faster road over the shorter one', () => {
    const g = sample();
    const fast = g.routeNodes(0, 2)!;
    expect(fast.nodes).toEqual([0, 3, 4, 2]);
    expect(fast.speedsKmh).toEqual([40, 40, 40]);
    // ~1.6 km at 40 km/h ≈ 145 s, beating ~1 km at 20 km/h ≈ 180 s.
    expect(fast.travelTimeS).toBeGreaterThan(120);
    expect(fast.travelTimeS).toBeLessThan(170);
  });

  it('finds nearest nodes and snaps to the nearest road with its name', () => {
    const g = sample();
    expect(g.nearestNode(104.0049, 30.0101)).toBe(1);
    const s = g.snap(104.003, 30.0105)!;
    expect(s.distanceM).toBeGreaterThan(40);
    expect(s.distanceM).toBeLessThan(70);
    expect(g.roadName(s.edge)).toBe('青石巷');
    expect(g.distanceToRoadM(104.004, 30.01)).toBeLessThan(0.01);
  });

  it('reports unreachable nodes as null and Infinity', () => {
    const g = sample();
    expect(g.routeNodes(0, 5)).toBeNull();
    const times = g.travelTimesFrom(104, 30.01, [g.node(2), g.node(5)]);
    expect(times[0]).toBeCloseTo(g.routeNodes(0, 2)!.travelTimeS, 6);
    expect(times[1]).toBe(Infinity);
  });

  it('adds off-road access time at both ends', () => {
    const g = sample();
    const onRoad = g.route(...g.node(0), ...g.node(2))!;
    const offRoad = g.route(104, 30.0105, ...g.node(2))!; // ~55 m north of node 0
    expect(offRoad.nodes).toEqual(onRoad.nodes);
    expect(offRoad.travelTimeS - onRoad.travelTimeS).toBeGreaterThan(15); // 55 m at 10 km/h ≈ 20 s
  });

  it('rejects malformed graphs', () => {
    expect(() => RoadGraph.fromJSON({ v: 1, nodes: [1, 2, 3], edges: [], roadNames: [] })).toThrow();
    expect(() => RoadGraph.fromJSON({ v: 1, nodes: [1, 2], edges: [0, 7, 0, 0], roadNames: [] })).toThrow();
  });
});
