import type { MultiPoly, Pt } from './geo';
import { multiBBox, pointInMulti } from './geo';
import type { NamePool } from './names';
import { blobOutline, meander } from './outline';
import type { Rng } from './rng';
import type { RoadGraph } from './road-graph';
import type { Territory } from './territory';
import type { Poi, PoiKind, WorldOptions } from './world-types';

export interface River {
  name: string;
  widthM: number;
  points: Pt[];
}

export interface NamedShape {
  name: string;
  shape: MultiPoly;
}

export interface Water {
  rivers: River[];
  parks: NamedShape[];
  lakes: NamedShape[];
}

/**
 * Rivers cross the whole territory (a main one like 锦江 and a tributary); parks with lakes sit in the city
 * core. Made before the roads, which bridge rivers only on bigger roads and stop local streets at parks.
 */
export function generateWater(o: WorldOptions, t: Territory, rng: Rng, names: NamePool): Water {
  const [minX, minY, maxX, maxY] = multiBBox(t.outline);
  const r = Math.max(maxX - minX, maxY - minY) / 2;
  const isProvince = t.districts.length > 1;
  const specs = isProvince
    ? [
        { from: [-1.2, 0.3], to: [1.2, -0.2], widthM: 400, suffix: '江' },
        { from: [-0.6, 1.2], to: [0.1, 0], widthM: 180, suffix: '江' },
        { from: [0.5, -1.2], to: [0.6, -0.1], widthM: 150, suffix: '河' },
      ]
    : [
        { from: [-1.3, rng.range(-0.3, 0.3)], to: [1.3, rng.range(-0.4, 0.1)], widthM: 90, suffix: '江' },
        { from: [rng.range(-0.9, -0.3), 1.3], to: [rng.range(0, 0.6), -1.3], widthM: 30, suffix: '河' },
      ];
  const rivers: River[] = specs.map((s) => {
    const pts = meander(rng, [s.from[0]! * r, s.from[1]! * r], [s.to[0]! * r, s.to[1]! * r], r * 0.12);
    // Keep the part over the territory plus one point beyond each bank, so the river runs off the edge.
    const inside = pts.map(([x, y]) => pointInMulti(x, y, t.outline));
    const points = pts.filter((_, i) => inside[i] || inside[i - 1] || inside[i + 1]);
    return { name: names.placeStem() + s.suffix, widthM: s.widthM, points };
  });

  const parks: NamedShape[] = [];
  const lakes: NamedShape[] = [];
  const parkCount = isProvince ? 0 : 6;
  for (let tries = 0; parks.length < parkCount && tries < 2000; tries++) {
    const x = rng.range(minX, maxX);
    const y = rng.range(minY, maxY);
    if (!pointInMulti(x, y, t.outline) || t.density(x, y) < 0.5) continue;
    const radius = rng.range(180, 420);
    if (parks.some((p) => Math.hypot(p.shape[0]![0]![0]![0] - x, p.shape[0]![0]![0]![1] - y) < 1_500))
      continue;
    const stem = names.placeStem();
    parks.push({ name: stem + '公园', shape: blobOutline(rng, [x, y], radius, 32, 1.5) });
    if (parks.length <= 3)
      lakes.push({ name: stem + '湖', shape: blobOutline(rng, [x, y], radius * 0.4, 24, 2) });
  }
  return { rivers, parks, lakes };
}

const SCHOOL_SUFFIX = ['小学', '小学', '中学', '实验小学', '外国语学校', '第一中学'];

/** Schools, markets, stations, hospitals, squares and town halls: labels, camera hot spots, incident places. */
export function generatePois(
  o: WorldOptions,
  t: Territory,
  graph: RoadGraph,
  rng: Rng,
  names: NamePool,
): Poi[] {
  const pois: Poi[] = [];
  const urban = t.communities.filter((c) => c.isUrban);
  const pool = urban.length > 0 ? urban : t.communities;
  const place = (kind: PoiKind, name: string, near?: Pt) => {
    let at = near;
    if (!at) {
      const c = rng.pick(pool);
      const [minX, minY, maxX, maxY] = multiBBox(c.shape);
      for (let i = 0; i < 50 && !at; i++) {
        const x = rng.range(minX, maxX);
        const y = rng.range(minY, maxY);
        if (pointInMulti(x, y, c.shape)) at = [x, y];
      }
      at ??= c.seed;
    }
    const [lng, lat] = t.proj.toLngLat(at[0], at[1]);
    const node = graph.nearestNode(lng, lat);
    if (node < 0) return;
    // Set back from the kerb, the way a school gate or a market hall sits off the road.
    const [nx, ny] = t.proj.toMeters(...graph.node(node));
    const angle = rng.range(0, 2 * Math.PI);
    const [plng, plat] = t.proj.toLngLat(nx + 45 * Math.cos(angle), ny + 45 * Math.sin(angle));
    pois.push({ name, kind, lng: plng, lat: plat });
  };
  for (const d of t.districts) {
    const towns = t.towns.filter((x) => x.code.startsWith(d.code.slice(0, 6)));
    const communities = t.communities.filter((x) => x.code.startsWith(d.code.slice(0, 6)));
    for (const town of towns)
      place('government', town.name + (town.isUrban ? '办事处' : '人民政府'), town.seed);
    place('hospital', `${d.name}人民医院`);
    for (let i = 0; i < Math.ceil(towns.length / 2); i++)
      place('hospital', names.placeStem() + '社区卫生服务中心');
    for (let i = 0; i < Math.ceil(communities.length / 2); i++)
      place('school', names.placeStem() + rng.pick(SCHOOL_SUFFIX));
    for (let i = 0; i < towns.length + 2; i++) place('market', names.placeStem() + '农贸市场');
    for (let i = 0; i < (d.isUrban ? 8 : 2); i++) place('station', names.placeStem() + '地铁站');
    place('station', names.placeStem() + '汽车客运站');
    if (d.isUrban) place('station', names.placeStem() + '火车站');
    for (let i = 0; i < 3; i++) place('plaza', names.placeStem() + '广场');
  }
  return pois;
}
