import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AREA_TILE_LAYER } from '@/lib/map/area-style';
import { openDatabase, type Db } from '../db/open-database';
import { sqliteSqlDb } from '../db/sql-db';
import { AreaTiles, areaFeaturesFromDb } from './area-tiles';

/** Lng/lat → the z/x/y tile holding it (Web Mercator). */
function tileAt(lng: number, lat: number, z: number): [number, number, number] {
  const n = 2 ** z;
  const x = Math.floor(((lng + 180) / 360) * n);
  const r = (lat * Math.PI) / 180;
  const y = Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n);
  return [z, x, y];
}

const square = (lng: number, lat: number, d: number) => ({
  type: 'Polygon',
  coordinates: [
    [
      [lng, lat],
      [lng + d, lat],
      [lng + d, lat + d],
      [lng, lat + d],
      [lng, lat],
    ],
  ],
});

let dir: string;
let db: Db;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-tiles-'));
  db = openDatabase(path.join(dir, 't.db'));
});
afterAll(() => {
  db.$client.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('area tiles', () => {
  it('is empty before a world is seeded, then serves grid polygons by code as a vector tile', async () => {
    const tiles = new AreaTiles(() => areaFeaturesFromDb(sqliteSqlDb(db.$client)));
    expect(await tiles.tile(...tileAt(120.15, 30.25, 12))).toBeNull();
    const insert = db.$client.prepare(
      'INSERT INTO grids (code, name, community_code, geometry, center_lng, center_lat) VALUES (?, ?, ?, ?, ?, ?)',
    );
    for (const [code, name, lng] of [
      ['330106001001001', '一号网格', 120.15],
      ['330106001001002', '二号网格', 120.155],
    ] as const)
      insert.run(code, name, '330106001001', JSON.stringify(square(lng, 30.25, 0.004)), lng + 0.002, 30.252);

    const gz = (await tiles.tile(...tileAt(120.152, 30.252, 12)))!;
    const layer = new VectorTile(new PbfReader(gunzipSync(gz))).layers[AREA_TILE_LAYER]!;
    const codes = Array.from({ length: layer.length }, (_, i) => layer.feature(i).properties.code).sort();
    expect(codes).toEqual(['330106001001001', '330106001001002']);
    expect(layer.feature(0).type).toBe(3); // polygon
    // Far away: nothing there.
    expect(await tiles.tile(...tileAt(100, 40, 12))).toBeNull();
  });

  it("cuts the areas in a GCJ-02 basemap's system when BASEMAP_CRS is gcj02 (~500 m east and north here)", async () => {
    const wgs = (await areaFeaturesFromDb(sqliteSqlDb(db.$client)))!.features[0]!.geometry as GeoJSON.Polygon;
    const gcj = (await areaFeaturesFromDb(sqliteSqlDb(db.$client), 'gcj02'))!.features[0]!
      .geometry as GeoJSON.Polygon;
    const [lng0, lat0] = wgs.coordinates[0]![0]!;
    const [lng1, lat1] = gcj.coordinates[0]![0]!;
    // GCJ-02 near Hangzhou sits a few thousandths of a degree off WGS-84 on both axes, under 800 m.
    expect(lng1! - lng0!).toBeGreaterThan(0.003);
    expect(Math.abs(lat1! - lat0!)).toBeGreaterThan(0.001);
    expect(Math.hypot((lng1! - lng0!) * 96_000, (lat1! - lat0!) * 111_000)).toBeLessThan(800);
  });
});
