import type polygonClipping from 'polygon-clipping';
import { describe, expect, it } from 'vitest';
import { generateWorld, type GeneratedWorld } from './generate-world';
import { DISTRICT_PRESET } from './presets';
import { pointInMulti, type MultiPoly } from './geo';
import { RoadGraph } from './road-graph';
import { readingOrder } from './territory';
import type { GeoJsonPolygonal, WorldOptions } from './world-types';

const SMALL: Partial<WorldOptions> = {
  townsPerDistrict: 3,
  communitiesPerTown: 4,
  gridsPerCommunity: 4,
  cameras: 300,
  vehicles: 20,
  workers: 60,
  districtRadiusM: 4_000,
};

/** FNV-1a over the world's JSON: lib/ tests stay free of node: modules like the code they test. */
function fingerprint(w: GeneratedWorld): string {
  let h = 0x811c9dc5;
  const feed = (text: string) => {
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  };
  feed(JSON.stringify([w.info, w.regions, w.grids, w.departments, w.roads, w.features]));
  for (const gen of [w.vehicles(), w.workers(), w.cameras()])
    for (const batch of gen) feed(JSON.stringify(batch));
  return h.toString(16);
}

const multi = (g: GeoJsonPolygonal): polygonClipping.MultiPolygon =>
  (g.type === 'Polygon' ? [g.coordinates] : g.coordinates) as polygonClipping.MultiPolygon;
const area = (mp: polygonClipping.MultiPolygon) =>
  mp.reduce(
    (s, poly) => s + poly.reduce((a, ring, k) => a + (k === 0 ? 1 : -1) * Math.abs(ringArea(ring)), 0),
    0,
  );
function ringArea(r: polygonClipping.Ring): number {
  let s = 0;
  for (let i = 0; i < r.length - 1; i++) s += r[i]![0] * r[i + 1]![1] - r[i + 1]![0] * r[i]![1];
  return s / 2;
}

/** Children must cover their parent (areas add up) and not overlap one another. */
function expectTiling(parent: GeoJsonPolygonal, children: GeoJsonPolygonal[]): void {
  const pa = area(multi(parent));
  const sum = children.reduce((s, c) => s + area(multi(c)), 0);
  expect(Math.abs(sum - pa) / pa).toBeLessThan(1e-4); // coordinates are rounded to 1e-6°
  // No overlaps, no gaps: sampled points of the parent lie in exactly one child.
  const [minX, minY, maxX, maxY] = bbox(parent);
  for (let k = 0; k < 300; k++) {
    const x = minX + (maxX - minX) * ((k * 0.618034) % 1);
    const y = minY + (maxY - minY) * ((k * 0.414214) % 1);
    if (!pointInMulti(x, y, multi(parent) as MultiPoly)) continue;
    expect(children.filter((c) => pointInMulti(x, y, multi(c) as MultiPoly)).length).toBe(1);
  }
}

function bbox(g: GeoJsonPolygonal): [number, number, number, number] {
  const pts = multi(g).flatMap((p) => p[0] ?? []);
  return [
    Math.min(...pts.map((p) => p[0])),
    Math.min(...pts.map((p) => p[1])),
    Math.max(...pts.map((p) => p[0])),
    Math.max(...pts.map((p) => p[1])),
  ];
}

describe('readingOrder', () => {
  it('numbers north to south in bands, west to east within a band', () => {
    const pts = [
      { id: 'sw', seed: [0, 0] as [number, number] },
      { id: 'ne', seed: [10, 10] as [number, number] },
      { id: 'nw', seed: [0, 9.5] as [number, number] },
      { id: 'se', seed: [10, 0.5] as [number, number] },
    ];
    expect(readingOrder(pts, 2).map((p) => p.id)).toEqual(['nw', 'ne', 'sw', 'se']);
  });
});

describe('generateWorld', () => {
  const world = generateWorld({ ...SMALL, seed: 'test' });

  it('is deterministic: same seed, same world; another seed, another world', () => {
    const again = generateWorld({ ...SMALL, seed: 'test' });
    expect(fingerprint(again)).toBe(fingerprint(world));
    expect(fingerprint(generateWorld({ ...SMALL, seed: 'other' }))).not.toBe(fingerprint(world));
  });

  it('tiles every parent with its children: district → towns → communities → grids', () => {
    const byParent = new Map<string, GeoJsonPolygonal[]>();
    for (const r of world.regions)
      if (r.parentCode && r.geometry)
        byParent.set(r.parentCode, [...(byParent.get(r.parentCode) ?? []), r.geometry]);
    for (const g of world.grids)
      byParent.set(g.communityCode, [...(byParent.get(g.communityCode) ?? []), g.geometry]);
    let checked = 0;
    for (const r of world.regions) {
      const children = byParent.get(r.code);
      if (!r.geometry || !children) continue;
      expectTiling(r.geometry, children);
      checked++;
    }
    expect(checked).toBe(1 + 3 + 12);
  });

  it('codes regions in the statistical style and numbers grids west→east, north→south', () => {
    const towns = world.regions.filter((r) => r.level === 'town');
    const communities = world.regions.filter((r) => r.level === 'community');
    for (const r of world.regions) expect(r.code).toMatch(/^\d{12}$/);
    for (const t of towns) expect(t.code).toMatch(/^510190(0\d\d|1\d\d)000$/);
    for (const c of communities) expect(c.code.slice(0, 9)).toBe(c.parentCode!.slice(0, 9));
    for (const c of communities) {
      const grids = world.grids.filter((g) => g.communityCode === c.code);
      expect(grids.map((g) => g.code)).toEqual(
        grids.map((_, i) => `${c.code}${String(i + 1).padStart(3, '0')}`),
      );
      // Reading order: the first grid is north of the last one.
      expect(grids[0]!.center[1]).toBeGreaterThan(grids[grids.length - 1]!.center[1]);
    }
    expect(new Set(world.grids.map((g) => g.name)).size).toBe(world.grids.length);
  });

  it('gives cameras unique GB/T 28181 ids near roads or key places, inside the territory', () => {
    const cams = [...world.cameras()].flat();
    expect(cams).toHaveLength(300);
    expect(new Set(cams.map((c) => c.id)).size).toBe(300);
    const graph = RoadGraph.fromJSON(world.roads);
    let nearRoad = 0;
    for (const c of cams) {
      expect(c.id).toMatch(/^510190\d{2}0[0-3]13[12][08]\d{6}$/);
      if (graph.distanceToRoadM(c.lng, c.lat) < 40) nearRoad++;
    }
    expect(nearRoad / cams.length).toBeGreaterThan(0.6);
    expect(cams.filter((c) => c.gridCode === null).length).toBeLessThan(cams.length * 0.02);
  });

  it('builds a connected road graph with every class and named roads', () => {
    const graph = RoadGraph.fromJSON(world.roads);
    expect(graph.nodeCount).toBeGreaterThan(100);
    const far = graph.routeNodes(0, graph.nodeCount - 1);
    expect(far).not.toBeNull();
    expect(new Set(graph.edgeClass)).toEqual(new Set([1, 2, 3]));
    expect(world.roads.roadNames.every((n) => /^[\u4e00-\u9fff]+$/.test(n))).toBe(true);
  });

  it('attaches vehicles to departments and workers to grids', () => {
    const vehicles = [...world.vehicles()].flat();
    const workers = [...world.workers()].flat();
    const deptIds = new Set(world.departments.map((d) => d.id));
    const gridCodes = new Set(world.grids.map((g) => g.code));
    expect(vehicles).toHaveLength(20);
    expect(vehicles.every((v) => deptIds.has(v.departmentId))).toBe(true);
    expect(new Set(vehicles.map((v) => v.kind)).size).toBeGreaterThan(2);
    expect(workers.every((w) => gridCodes.has(w.gridCode))).toBe(true);
    expect(new Set(world.departments.map((d) => d.kind))).toEqual(
      new Set([
        'police_station',
        'justice',
        'street_office',
        'urban_management',
        'fire',
        'emergency',
        'traffic_police',
      ]),
    );
  });

  it('defaults to one real district in size', () => {
    expect(
      DISTRICT_PRESET.townsPerDistrict *
        DISTRICT_PRESET.communitiesPerTown *
        DISTRICT_PRESET.gridsPerCommunity,
    ).toBe(300);
  });
});
