import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WorldInfo } from '@/lib/world/world-types';
import { openDatabase, type Db } from '../../db/open-database';
import { sqliteSqlDb } from '../../db/sql-db';
import { readMetaJson, WORLD_META_KEYS, writeMetaJson } from '../../world/world-meta';
import { refreshWorldInfo } from './refresh-world-info';

let db: Db;
const square = (x: number, y: number, d: number) =>
  JSON.stringify({
    type: 'Polygon',
    coordinates: [
      [
        [x, y],
        [x + d, y],
        [x + d, y + d],
        [x, y + d],
        [x, y],
      ],
    ],
  });

beforeEach(() => {
  db = openDatabase(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-wi-')), 't.db'));
  const add = db.$client.prepare(
    'INSERT INTO regions (code, parent_code, level, name, geometry, center_lng, center_lat) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  add.run('510100000000', null, 'city', '成都市', null, 104, 30.6);
  add.run('510104000000', '510100000000', 'district', '锦江区', square(104, 30.5, 0.2), 104.1, 30.6);
  add.run('510104001000', '510104000000', 'town', '春熙路街道', square(104, 30.5, 0.1), 104.05, 30.55);
  add.run('510104002000', '510104000000', 'town', '书院街街道', square(104.1, 30.5, 0.1), 104.15, 30.55);
});
afterEach(() => db.$client.close());

const info = async () => (await readMetaJson<WorldInfo>(sqliteSqlDb(db.$client), WORLD_META_KEYS.info))!;

describe('refreshWorldInfo', () => {
  it('an imported territory is named after its top region (descending through a single child), boxed by its outlines', async () => {
    await refreshWorldInfo(sqliteSqlDb(db.$client), 1, { isTerritory: true });
    expect(await info()).toMatchObject({
      seed: 'import',
      name: '锦江区',
      rootCode: '510104000000',
      center: [104.1, 30.6],
      bbox: [104, 30.5, 104.2, 30.7],
    });
    expect((await info()).counts).toMatchObject({
      cities: 1,
      districts: 1,
      towns: 2,
      communities: 0,
      grids: 0,
    });
    expect(await readMetaJson(sqliteSqlDb(db.$client), WORLD_META_KEYS.features)).toEqual({
      rivers: [],
      lakes: [],
      parks: [],
      pois: [],
      roads: [],
    });
  });

  it('a generated demo world keeps its name; a registry import changes only the counts', async () => {
    const demo = {
      seed: 'demo-7',
      name: '平安示范区',
      center: [104.1, 30.6],
      bbox: [104, 30.5, 104.2, 30.7],
      rootCode: '510104000000',
      counts: {
        cities: 1,
        districts: 1,
        towns: 9,
        communities: 0,
        grids: 0,
        departments: 0,
        vehicles: 0,
        workers: 0,
        cameras: 0,
        roadNodes: 5,
        roadEdges: 6,
      },
    };
    await writeMetaJson(sqliteSqlDb(db.$client), WORLD_META_KEYS.info, demo, 1);
    await refreshWorldInfo(sqliteSqlDb(db.$client), 2, { isTerritory: true });
    expect(await info()).toMatchObject({
      seed: 'demo-7',
      name: '平安示范区',
      counts: { towns: 2, roadNodes: 5, roadEdges: 6 },
    });
    db.$client
      .prepare(`INSERT INTO departments (id, name, kind) VALUES ('d1', '派出所', 'police_station')`)
      .run();
    db.$client
      .prepare(
        `INSERT INTO regions (code, parent_code, level, name) VALUES ('510104003000', '510104000000', 'town', '督院街街道')`,
      )
      .run();
    await refreshWorldInfo(sqliteSqlDb(db.$client), 3, { isTerritory: false });
    expect((await info()).counts).toMatchObject({ towns: 2, departments: 1 });
  });
});
