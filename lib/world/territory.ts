import type { LngLat } from './road-graph';
import type { MultiPoly, Pt } from './geo';
import { LocalProjection, multiCentroid } from './geo';
import { type Core, makeDensity } from './density';
import { chineseNumeral, type NamePool } from './names';
import { blobOutline } from './outline';
import type { Rng } from './rng';
import { partition } from './tiling';
import type { GeoJsonPolygonal, GridRec, RegionRec, WorldOptions } from './world-types';

export interface Area {
  code: string;
  name: string;
  shape: MultiPoly;
  seed: Pt;
  /** Town: 街道 (street) or 镇; community: 社区 or 村. */
  isUrban: boolean;
}

export interface Territory {
  proj: LocalProjection;
  outline: MultiPoly;
  regions: RegionRec[];
  grids: GridRec[];
  gridShapes: MultiPoly[];
  districts: Area[];
  towns: Area[];
  communities: Area[];
  density: (x: number, y: number) => number;
}

export type Progress = (stage: string, done: number, total: number) => void;

export function toGeoJson(proj: LocalProjection, mp: MultiPoly): GeoJsonPolygonal {
  const conv = mp.map((poly) => poly.map((ring) => ring.map(([x, y]) => proj.toLngLat(x, y) as LngLat)));
  return conv.length === 1
    ? { type: 'Polygon', coordinates: conv[0]! }
    : { type: 'MultiPolygon', coordinates: conv };
}

/** Parts keyed by their centroid: numbering follows what the map shows, not where the Voronoi seed was. */
function byCentroid<T extends { shape: MultiPoly }>(parts: T[]): (T & { seed: Pt })[] {
  return parts.map((p) => ({ ...p, seed: multiCentroid(p.shape) }));
}

/**
 * Reading order on a map: split into about √n rows from north to south (each row wholly north of the next),
 * then west to east within a row. How grids (and here towns and communities) are numbered.
 */
export function readingOrder<T extends { seed: Pt }>(
  items: T[],
  rows = Math.max(1, Math.round(Math.sqrt(items.length))),
): T[] {
  const byLat = [...items].sort((a, b) => b.seed[1] - a.seed[1] || a.seed[0] - b.seed[0]);
  const perRow = Math.ceil(byLat.length / rows);
  const out: T[] = [];
  for (let i = 0; i < byLat.length; i += perRow)
    out.push(...byLat.slice(i, i + perRow).sort((a, b) => a.seed[0] - b.seed[0]));
  return out;
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/** Cities → districts → towns → communities → grids, each level tiling its parent. */
export function generateTerritory(o: WorldOptions, rng: Rng, names: NamePool, progress: Progress): Territory {
  const proj = new LocalProjection(o.center[0], o.center[1]);
  const districtCount = o.cities * o.districtsPerCity;
  const isSingleDistrict = districtCount === 1;
  const outlineR = o.districtRadiusM * Math.sqrt(districtCount);
  const outline = blobOutline(rng.fork('outline'), [0, 0], outlineR, isSingleDistrict ? 128 : 256);
  const regions: RegionRec[] = [];
  // Region and grid outlines in degrees are computed when read (once, by the writer), not held: a province's
  // 133,000 polygons would otherwise sit in memory twice, in metres for the generators and in degrees.
  const geo = (mp: MultiPoly) => toGeoJson(proj, mp);
  const center = (mp: MultiPoly) => proj.toLngLat(...multiCentroid(mp)) as LngLat;

  // Cities and districts.
  const districts: Area[] = [];
  if (isSingleDistrict) {
    const cityCode = `${o.provinceCode}${o.cityCode}00000000`;
    regions.push({
      code: cityCode,
      parentCode: null,
      level: 'city',
      name: o.cityName,
      geometry: null,
      center: o.center,
    });
    const code = `${o.provinceCode}${o.cityCode}${o.districtCode}000000`;
    districts.push({ code, name: o.name, shape: outline, seed: [0, 0], isUrban: true });
    regions.push({
      code,
      parentCode: cityCode,
      level: 'district',
      name: o.name,
      get geometry() {
        return geo(outline);
      },
      center: o.center,
    });
  } else {
    const cities = readingOrder(
      byCentroid(partition(outline, o.cities, rng.fork('cities'), { wiggle: 0.12 })),
    );
    cities.forEach((c, ci) => {
      const cityCode = `${o.provinceCode}${pad(ci + 1, 2)}`;
      const cityName = names.placeStem() + '市';
      regions.push({
        code: `${cityCode}00000000`,
        parentCode: null,
        level: 'city',
        name: cityName,
        get geometry() {
          return geo(c.shape);
        },
        center: center(c.shape),
      });
      const parts = partition(c.shape, o.districtsPerCity, rng.fork(`districts-${ci}`), {
        relaxSteps: 2,
        wiggle: 0.12,
      });
      readingOrder(byCentroid(parts)).forEach((d, di) => {
        const code = `${cityCode}${pad(di + 1, 2)}000000`;
        const isUrban = di < 3; // a city's first few districts are its urban 区, the rest 县
        const name = names.placeStem() + (isUrban ? '区' : '县');
        districts.push({ code, name, shape: d.shape, seed: d.seed, isUrban });
        regions.push({
          code,
          parentCode: `${cityCode}00000000`,
          level: 'district',
          name,
          get geometry() {
            return geo(d.shape);
          },
          center: center(d.shape),
        });
      });
      progress('cities', ci + 1, cities.length);
    });
  }

  // A core per district; its town seats add smaller cores once they are known.
  const districtCores: Core[] = districts.map((d) => ({
    at: isSingleDistrict ? [rng.range(-0.15, 0.15) * outlineR, rng.range(-0.15, 0.15) * outlineR] : d.seed,
    radiusM: o.districtRadiusM * (d.isUrban ? 0.55 : 0.3),
    weight: d.isUrban ? 1 : 0.6,
  }));
  const coarse = makeDensity(districtCores);

  const towns: Area[] = [];
  districts.forEach((d, di) => {
    const parts = partition(d.shape, o.townsPerDistrict, rng.fork(`towns-${d.code}`), {
      density: coarse,
      relaxSteps: 2,
      wiggle: 0.12,
    });
    let streets = 0;
    let zhen = 0;
    for (const t of readingOrder(byCentroid(parts))) {
      const isUrban = coarse(t.seed[0], t.seed[1]) > 0.45;
      // 街道 are numbered from 001, 镇 from 101 (the statistical coding convention).
      const code = `${d.code.slice(0, 6)}${isUrban ? pad(++streets, 3) : pad(100 + ++zhen, 3)}000`;
      const name = names.placeStem() + (isUrban ? '街道' : '镇');
      towns.push({ code, name, shape: t.shape, seed: t.seed, isUrban });
      regions.push({
        code,
        parentCode: d.code,
        level: 'town',
        name,
        get geometry() {
          return geo(t.shape);
        },
        center: center(t.shape),
      });
    }
    progress('towns', di + 1, districts.length);
  });

  const density = makeDensity([
    ...districtCores,
    ...towns
      .filter((t) => !t.isUrban)
      .map((t) => ({ at: t.seed, radiusM: o.districtRadiusM * 0.12, weight: 0.55 })),
  ]);

  const communities: Area[] = [];
  towns.forEach((t, ti) => {
    const parts = partition(t.shape, o.communitiesPerTown, rng.fork(`communities-${t.code}`), {
      density,
      relaxSteps: 2,
      wiggle: 0.1,
    });
    let shequ = 0;
    let cun = 0;
    for (const c of readingOrder(byCentroid(parts))) {
      const isUrban = t.isUrban || density(c.seed[0], c.seed[1]) > 0.35;
      // 社区 (居委会) from 001, 村 (村委会) from 201.
      const code = `${t.code.slice(0, 9)}${isUrban ? pad(++shequ, 3) : pad(200 + ++cun, 3)}`;
      const name = names.placeStem() + (isUrban ? '社区' : '村');
      communities.push({ code, name, shape: c.shape, seed: c.seed, isUrban });
      regions.push({
        code,
        parentCode: t.code,
        level: 'community',
        name,
        get geometry() {
          return geo(c.shape);
        },
        center: center(c.shape),
      });
    }
    if (ti % 10 === 0 || ti === towns.length - 1) progress('communities', ti + 1, towns.length);
  });

  const grids: GridRec[] = [];
  const gridShapes: MultiPoly[] = [];
  communities.forEach((c, ci) => {
    const parts = partition(c.shape, o.gridsPerCommunity, rng.fork(`grids-${c.code}`), { relaxSteps: 1 });
    readingOrder(byCentroid(parts)).forEach((g, gi) => {
      grids.push({
        code: `${c.code}${pad(gi + 1, 3)}`,
        communityCode: c.code,
        name: `${c.name}第${chineseNumeral(gi + 1)}网格`,
        get geometry() {
          return geo(g.shape);
        },
        center: center(g.shape),
      });
      gridShapes.push(g.shape);
    });
    if (ci % 200 === 0 || ci === communities.length - 1) progress('grids', ci + 1, communities.length);
  });

  return { proj, outline, regions, grids, gridShapes, districts, towns, communities, density };
}
