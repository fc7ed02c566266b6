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
import { GeoJSONVT } from '@maplibre/geojson-vt';
import { fromGeojsonVt } from '@maplibre/vt-pbf';
import { AREA_TILE_MAX_ZOOM } from '@/lib/map/area-style';
import { PackedPolygons } from '@/lib/geo/packed-polygons';
import { AreaTiles, areaFeaturesFromDb, areaLevelsFromDb, areaPolygonsFromDb } from './area-tiles';

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
    const tiles = new AreaTiles(() => areaPolygonsFromDb(sqliteSqlDb(db.$client)));
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

  it('carries towns when wide, communities one zoom out from grids, and grids closer in; a missing level falls back to the next finer', async () => {
    const f = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-levels-'));
    const own = openDatabase(path.join(f, 'l.db'));
    try {
      const region = own.$client.prepare(
        'INSERT INTO regions (code, parent_code, level, name, geometry) VALUES (?, ?, ?, ?, ?)',
      );
      region.run(
        '330106001000',
        '330106000000',
        'town',
        '一号街道',
        JSON.stringify(square(120.1, 30.2, 0.1)),
      );
      region.run(
        '330106001001',
        '330106001000',
        'community',
        '一号社区',
        JSON.stringify(square(120.1, 30.2, 0.05)),
      );
      own.$client
        .prepare(
          'INSERT INTO grids (code, name, community_code, geometry, center_lng, center_lat) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(
          '330106001001001',
          '一号网格',
          '330106001001',
          JSON.stringify(square(120.1, 30.2, 0.01)),
          120.105,
          30.205,
        );
      const codesAt = async (tiles: AreaTiles, z: number) => {
        const gz = await tiles.tile(...tileAt(120.105, 30.205, z));
        if (!gz) return [];
        const layer = new VectorTile(new PbfReader(gunzipSync(gz))).layers[AREA_TILE_LAYER]!;
        return Array.from({ length: layer.length }, (_, i) => layer.feature(i).properties.code);
      };
      const tiles = new AreaTiles(() => areaLevelsFromDb(sqliteSqlDb(own.$client)));
      expect(await codesAt(tiles, 7)).toEqual(['330106001000']);
      expect(await codesAt(tiles, 8)).toEqual(['330106001000']);
      expect(await codesAt(tiles, 9)).toEqual(['330106001001']);
      expect(await codesAt(tiles, 10)).toEqual(['330106001001001']);
      expect(await codesAt(tiles, 14)).toEqual(['330106001001001']);
      // A territory imported without town outlines: its communities stand in at the towns' zooms.
      own.$client.prepare("UPDATE regions SET geometry = NULL WHERE level = 'town'").run();
      tiles.invalidate();
      expect(await codesAt(tiles, 8)).toEqual(['330106001001']);
      expect(await codesAt(tiles, 10)).toEqual(['330106001001001']);
    } finally {
      own.$client.close();
      fs.rmSync(f, { recursive: true, force: true });
    }
  });

  it('cuts each tile from the areas reaching it exactly as one index over all of them would', async () => {
    // 30 × 30 wobbly grids near Hangzhou, every fifth with a hole, every seventh in two parts.
    const features: { type: 'Feature'; properties: { code: string }; geometry: GeoJSON.Geometry }[] = [];
    const d = 0.01;
    for (let i = 0; i < 30; i++)
      for (let j = 0; j < 30; j++) {
        const [x, y] = [120 + i * d, 30 + j * d];
        const outer: [number, number][] = [];
        for (let k = 0; k < 12; k++) {
          const a = (2 * Math.PI * k) / 12;
          const r = (d / 2) * (0.8 + 0.2 * Math.sin(i * 7 + j * 3 + k));
          outer.push([x + d / 2 + r * Math.cos(a), y + d / 2 + r * Math.sin(a)]);
        }
        outer.push(outer[0]!);
        const n = features.length;
        const hole = square(x + d * 0.4, y + d * 0.4, d * 0.2)
          .coordinates[0]!.slice()
          .reverse();
        const polygon = n % 5 === 0 ? [outer, hole] : [outer];
        features.push({
          type: 'Feature',
          properties: { code: `g${n}` },
          geometry:
            n % 7 === 0
              ? {
                  type: 'MultiPolygon',
                  coordinates: [polygon, [square(x + d * 0.9, y, d * 0.05).coordinates[0]!]],
                }
              : { type: 'Polygon', coordinates: polygon as [number, number][][] },
        });
      }
    const whole = new GeoJSONVT({ type: 'FeatureCollection', features } as GeoJSON.FeatureCollection, {
      maxZoom: AREA_TILE_MAX_ZOOM,
      indexMaxZoom: 5,
      indexMaxPoints: 100_000,
      tolerance: 3,
      extent: 4096,
      buffer: 64,
    });
    const tiles = new AreaTiles(
      () => new PackedPolygons(features.map((f) => ({ code: f.properties.code, geometry: f.geometry }))),
    );
    let compared = 0;
    for (const z of [0, 6, 9, 11, 13, 14]) {
      const [, x0, y1] = tileAt(120, 30, z);
      const [, x1, y0] = tileAt(120.3, 30.3, z);
      for (let x = x0 - 1; x <= x1 + 1; x++)
        for (let y = y0 - 1; y <= y1 + 1; y++) {
          const t = whole.getTile(z, x, y);
          const expected =
            t && t.features.length > 0
              ? Buffer.from(fromGeojsonVt({ [AREA_TILE_LAYER]: t }, { version: 2, extent: 4096 }))
              : null;
          const got = await tiles.tile(z, x, y);
          expect(got === null ? null : gunzipSync(got), `tile ${z}/${x}/${y}`).toEqual(expected);
          if (expected) compared++;
        }
    }
    expect(compared).toBeGreaterThan(40);
  });
});
