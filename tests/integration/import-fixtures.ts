/**
 * Territory and registry fixtures made by the tests themselves: a district with two towns (one a
 * MultiPolygon), communities (one with a hole), grids, and a file full of deliberate mistakes; and a minimal
 * zipped Shapefile writer (polygons + a GBK .dbf + .cpg) so the Shapefile path is read by the real reader.
 */
import { zipSync } from 'fflate';
import iconv from 'iconv-lite';

type Pos = [number, number];
type Ring = Pos[];

/** A closed counter-clockwise rectangle ring. */
export function rect(x0: number, y0: number, x1: number, y1: number): Ring {
  return [
    [x0, y0],
    [x1, y0],
    [x1, y1],
    [x0, y1],
    [x0, y0],
  ];
}

const poly = (...rings: Ring[]) => ({ type: 'Polygon' as const, coordinates: rings });
const feature = (code: string, name: string, geometry: unknown, extra: Record<string, unknown> = {}) => ({
  type: 'Feature' as const,
  properties: { code, name, ...extra },
  geometry,
});

export const DISTRICT = '330106000000';
export const TOWN_A = '330106001000';
export const TOWN_B = '330106002000';
export const COMM_A1 = '330106001001';
export const COMM_A2 = '330106001002';
export const COMM_B1 = '330106002001';
export const GRID_A1_1 = '330106001001001';
export const GRID_A1_2 = '330106001001002';
export const GRID_A2_1 = '330106001002001';
export const GRID_B1_1 = '330106002001001';

/** Where nothing of the fixture is: an entity here lies in no grid. */
export const OUTSIDE: Pos = [120.9, 30.9];
/** Inside grid GRID_A1_1. */
export const IN_GRID_A1_1: Pos = [120.02, 30.15];

/** The good territory: 1 district, 2 towns (B a MultiPolygon), 3 communities (A2 with a hole), 4 grids. */
export function goodTerritory() {
  return {
    type: 'FeatureCollection',
    features: [
      feature(DISTRICT, '示范区', poly(rect(120.0, 30.1, 120.4, 30.4))),
      feature(TOWN_A, '北山街道', poly(rect(120.0, 30.1, 120.2, 30.4))),
      feature(TOWN_B, '西溪街道', {
        type: 'MultiPolygon',
        coordinates: [[rect(120.2, 30.1, 120.4, 30.25)], [rect(120.2, 30.26, 120.4, 30.4)]],
      }),
      feature(COMM_A1, '曙光社区', poly(rect(120.0, 30.1, 120.1, 30.2))),
      // A lake in the middle: the hole is not the community's.
      feature(COMM_A2, '湖畔社区', poly(rect(120.1, 30.1, 120.2, 30.2), rect(120.14, 30.14, 120.16, 30.16))),
      feature(COMM_B1, '古荡社区', poly(rect(120.2, 30.1, 120.3, 30.2))),
      feature(GRID_A1_1, '曙光一网格', poly(rect(120.0, 30.1, 120.05, 30.2))),
      feature(GRID_A1_2, '曙光二网格', poly(rect(120.05, 30.1, 120.1, 30.2))),
      feature(GRID_A2_1, '湖畔一网格', poly(rect(120.1, 30.1, 120.14, 30.2))),
      feature(GRID_B1_1, '古荡一网格', poly(rect(120.2, 30.1, 120.3, 30.2))),
    ],
  };
}

/** Each feature here is wrong in one way (index → what): see the tests for the expected messages. */
export function badTerritory() {
  return {
    type: 'FeatureCollection',
    features: [
      feature(DISTRICT, '示范区', poly(rect(120.0, 30.1, 120.4, 30.4))), // 0: fine
      feature('330106009001', '孤儿社区', poly(rect(120.0, 30.1, 120.1, 30.2))), // 1: town 330106009000 missing
      feature(TOWN_A, '', poly(rect(120.0, 30.1, 120.2, 30.4))), // 2: no name
      feature('3301060010', '短代码', poly(rect(120.0, 30.1, 120.1, 30.2))), // 3: bad code
      feature(COMM_A1, '蝴蝶社区', {
        // 4: self-intersecting (a bow tie)
        type: 'Polygon',
        coordinates: [
          [
            [120.0, 30.1],
            [120.1, 30.2],
            [120.1, 30.1],
            [120.0, 30.2],
            [120.0, 30.1],
          ],
        ],
      }),
      feature(COMM_A2, '湖畔社区', poly(rect(120.1, 30.1, 120.2, 30.2))), // 5: fine
      feature(GRID_A2_1, '越界网格', poly(rect(120.15, 30.1, 120.25, 30.2))), // 6: half outside its community
      feature('330106001002002', '未闭合网格', {
        // 7: ring not closed
        type: 'Polygon',
        coordinates: [
          [
            [120.1, 30.1],
            [120.12, 30.1],
            [120.12, 30.12],
            [120.1, 30.12],
          ],
        ],
      }),
      feature('330106001002003', '点网格', { type: 'Point', coordinates: [120.1, 30.1] }), // 8: not a polygon
    ],
  };
}

export function bytesOf(json: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(json));
}

// ---- a minimal Shapefile writer (test fixture only; the product reads with the `shapefile` package) ----

function clockwise(ring: Ring): Ring {
  let a = 0;
  for (let i = 0; i + 1 < ring.length; i++)
    a += (ring[i + 1]![0] - ring[i]![0]) * (ring[i + 1]![1] + ring[i]![1]);
  return a > 0 ? ring : [...ring].reverse(); // shoelace sum > 0 → clockwise
}

/** Polygons (outer rings clockwise, holes counter-clockwise, as the format wants) with code and name. */
export function zippedShapefile(
  features: { code: string; name: string; rings: Ring[] }[],
  opts: { cpg?: string | null; nameEncoding?: 'gbk' | 'utf-8' } = {},
): Uint8Array {
  const records = features.map((f) => {
    const rings = f.rings.map((r, i) => (i === 0 ? clockwise(r) : clockwise(r).reverse()));
    const points = rings.flat();
    const len = 44 + 4 * rings.length + 16 * points.length;
    const b = Buffer.alloc(8 + len);
    b.writeInt32BE(0, 0);
    b.writeInt32BE(len / 2, 4);
    b.writeInt32LE(5, 8);
    const xs = points.map((p) => p[0]);
    const ys = points.map((p) => p[1]);
    [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)].forEach((v, i) =>
      b.writeDoubleLE(v, 12 + 8 * i),
    );
    b.writeInt32LE(rings.length, 44);
    b.writeInt32LE(points.length, 48);
    let start = 0;
    rings.forEach((r, i) => {
      b.writeInt32LE(start, 52 + 4 * i);
      start += r.length;
    });
    let o = 52 + 4 * rings.length;
    for (const [x, y] of points) {
      b.writeDoubleLE(x, o);
      b.writeDoubleLE(y, o + 8);
      o += 16;
    }
    return b;
  });
  records.forEach((r, i) => r.writeInt32BE(i + 1, 0));
  const header = Buffer.alloc(100);
  const total = 100 + records.reduce((s, r) => s + r.length, 0);
  header.writeInt32BE(9994, 0);
  header.writeInt32BE(total / 2, 24);
  header.writeInt32LE(1000, 28);
  header.writeInt32LE(5, 32);
  const all = features.flatMap((f) => f.rings.flat());
  [
    Math.min(...all.map((p) => p[0])),
    Math.min(...all.map((p) => p[1])),
    Math.max(...all.map((p) => p[0])),
    Math.max(...all.map((p) => p[1])),
  ].forEach((v, i) => header.writeDoubleLE(v, 36 + 8 * i));
  const shp = Buffer.concat([header, ...records]);

  const enc = (s: string) =>
    opts.nameEncoding === 'utf-8' ? Buffer.from(s, 'utf8') : iconv.encode(s, 'gbk');
  const fields = [
    { name: 'CODE', len: 15 },
    { name: 'NAME', len: 60 },
  ];
  const recordLen = 1 + fields.reduce((s, f) => s + f.len, 0);
  const headerLen = 32 + 32 * fields.length + 1;
  const dbf = Buffer.alloc(headerLen + recordLen * features.length + 1, 0x20);
  dbf.fill(0, 0, headerLen);
  dbf.writeUInt8(0x03, 0);
  dbf.writeUInt8(126, 1);
  dbf.writeUInt8(12, 2);
  dbf.writeUInt8(1, 3);
  dbf.writeUInt32LE(features.length, 4);
  dbf.writeUInt16LE(headerLen, 8);
  dbf.writeUInt16LE(recordLen, 10);
  fields.forEach((f, i) => {
    dbf.write(f.name, 32 + 32 * i, 'ascii');
    dbf.write('C', 32 + 32 * i + 11, 'ascii');
    dbf.writeUInt8(f.len, 32 + 32 * i + 16);
  });
  dbf.writeUInt8(0x0d, headerLen - 1);
  features.forEach((f, k) => {
    const o = headerLen + k * recordLen;
    dbf.write(' ', o, 'ascii');
    Buffer.from(f.code, 'ascii').copy(dbf, o + 1);
    enc(f.name).copy(dbf, o + 1 + fields[0]!.len);
  });
  dbf.writeUInt8(0x1a, dbf.length - 1);

  const files: Record<string, Uint8Array> = { 'territory/area.shp': shp, 'territory/area.dbf': dbf };
  const cpg = opts.cpg === undefined ? 'GBK' : opts.cpg;
  if (cpg !== null) files['territory/area.cpg'] = Buffer.from(cpg);
  files['territory/area.prj'] = Buffer.from(
    'GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]',
  );
  return zipSync(files);
}
