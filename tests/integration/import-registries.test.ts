import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql, type SQL } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { io as ioClient, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toWgs84 } from '@/lib/geo/crs';
import type { ImportResult } from '@/lib/import/issues';
import { batchLat, batchLng, decodePositions } from '@/lib/realtime/position-codec';
import type {
  ClientToServerEvents,
  EntityInfo,
  ServerToClientEvents,
  WireBatch,
} from '@/lib/realtime/contract';
import { flag, jsonValue } from '@/server/db/sql-db';
import { waitFor } from '../helpers/test-app';
import { appToolDatabase, ownToolDatabase } from '../helpers/tool-database';
import { startImportApp, type ImportApp } from './import-app';
import { bytesOf, goodTerritory, GRID_A1_1, GRID_A1_2, IN_GRID_A1_1 } from './import-fixtures';

const ROOT = path.resolve(import.meta.dirname, '../..');
const INGEST = 'import-test-ingest-token';

const utf8Bom = (text: string) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
const gbk = (text: string) => iconv.encode(text, 'gbk');

/** An XLSX made with the same library the importer reads with; every cell written as text. */
async function xlsx(rows: (string | number)[][]): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('导入');
  for (const r of rows) sheet.addRow(r);
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

let kit: ImportApp;
let admin: string;

async function post(kind: string, body: Uint8Array, name: string, dryRun = false) {
  const r = await fetch(`${kit.t.url}/api/admin/import/${kind}${dryRun ? '?dryRun=1' : ''}`, {
    method: 'POST',
    headers: { cookie: admin, 'x-file-name': encodeURIComponent(name) },
    body: body as Uint8Array<ArrayBuffer>,
  });
  expect(r.status).toBe(200);
  return (await r.json()) as ImportResult;
}

async function liveName(kind: 'vehicle' | 'worker' | 'camera', id: string): Promise<string | null> {
  const live = kit.t.app.ctx.live.store(kind);
  const idx = live.indexOf(id);
  if (idx === undefined) return null;
  const r = await fetch(`${kit.t.url}/api/live/${kind}/${idx}`, { headers: { cookie: admin } });
  return ((await r.json()) as EntityInfo).name;
}

const one = <T = Record<string, unknown>>(q: SQL) => kit.t.app.ctx.sql.get<T>(q);
const all = <T = Record<string, unknown>>(q: SQL) => kit.t.app.ctx.sql.all<T>(q);
const dump = async (table: string) =>
  JSON.stringify(await all(sql`SELECT * FROM ${sql.raw(table)} ORDER BY id`));

beforeAll(async () => {
  // As a center goes live: only registered devices may report (no auto-registration).
  kit = await startImportApp({ FIELD_AUTO_REGISTER: '0', INGEST_TOKEN: INGEST });
  admin = await kit.login('admin');
  const r = await post('territory', bytesOf(goodTerritory()), 'territory.geojson');
  expect(r.ok).toBe(true);
});
afterAll(() => kit?.close());

describe('departments', () => {
  it('CSV in UTF-8 with a BOM: created, with the categories their kind answers for', async () => {
    const csv = utf8Bom(
      'id,name,kind,regionCode,phone\n' +
        'd-ps,示范区公安分局北山派出所,police_station,330106001000,0571-87000001\n' +
        'd-fire,示范区消防救援大队,fire,330106000000,119\n',
    );
    const r = await post('departments', csv, '部门.csv');
    expect(r).toMatchObject({ ok: true, created: 2, updated: 0, unchanged: 0, errors: [] });
    const row = await one<{ categories: unknown }>(
      sql`SELECT name, kind, region_code AS r, categories FROM departments WHERE id = 'd-ps'`,
    );
    expect({ ...row, categories: jsonValue(row!.categories) }).toEqual({
      name: '示范区公安分局北山派出所',
      kind: 'police_station',
      r: '330106001000',
      categories: ['public_security', 'dispute', 'special_population'],
    });
  });

  it('CSV in GBK with Chinese headers and kinds: detected and read', async () => {
    const csv = gbk(
      '编号,名称,类型,区划代码,电话\r\nd-justice,北山司法所,司法所,330106001000,0571-87000002\r\n',
    );
    const r = await post('departments', csv, '司法所.csv');
    expect(r).toMatchObject({ ok: true, created: 1 });
    expect(await one(sql`SELECT name, kind FROM departments WHERE id = 'd-justice'`)).toEqual({
      name: '北山司法所',
      kind: 'justice',
    });
  });

  it('XLSX: upserts by id, and the same workbook again changes nothing', async () => {
    const book = await xlsx([
      ['id', 'name', 'kind', 'regionCode', 'phone'],
      ['d-fire', '示范区消防救援大队（特勤站）', 'fire', '330106000000', '119'],
      ['d-city', '北山城管中队', 'urban_management', '330106001000', ''],
    ]);
    expect(await post('departments', book, '部门.xlsx')).toMatchObject({
      ok: true,
      created: 1,
      updated: 1,
      unchanged: 0,
    });
    expect(await post('departments', book, '部门.xlsx')).toMatchObject({
      ok: true,
      created: 0,
      updated: 0,
      unchanged: 2,
    });
  });
});

describe('vehicles', () => {
  it('XLSX: new vehicles get a dense index and their names reach the walls; a rename too', async () => {
    const before = kit.t.app.ctx.live.vehicle.count;
    const book = await xlsx([
      ['id', 'name', 'plate', 'kind', 'terminal', 'departmentId'],
      ['v-001', '北山巡逻一号', '浙A·P0001', 'patrol_car', '013800000001', 'd-ps'],
      ['v-002', '消防一号', '浙A·F0002', 'fire_engine', '013800000002', 'd-fire'],
    ]);
    expect(await post('vehicles', book, '车辆.xlsx')).toMatchObject({ ok: true, created: 2 });
    expect(kit.t.app.ctx.live.vehicle.count).toBe(before + 2);
    expect(await liveName('vehicle', 'v-001')).toBe('北山巡逻一号');
    const v2 = await one<{ u: number | boolean }>(
      sql`SELECT plate, terminal_phone AS t, department_id AS d, is_unassigned AS u FROM vehicles WHERE id = 'v-002'`,
    );
    expect({ ...v2, u: flag(v2!.u) }).toEqual({
      plate: '浙A·F0002',
      t: '13800000002', // as the JT/T 808 gateway keys it: no BCD zero padding
      d: 'd-fire',
      u: false,
    });
    // A CSV without the plate column renames and keeps the stored plate.
    const csv = utf8Bom(
      'id,name,kind,terminal,departmentId\nv-001,北山巡逻1号,patrol_car,013800000001,d-ps\n',
    );
    expect(await post('vehicles', csv, '改名.csv')).toMatchObject({ ok: true, updated: 1, created: 0 });
    expect(await liveName('vehicle', 'v-001')).toBe('北山巡逻1号');
    expect(await one(sql`SELECT plate FROM vehicles WHERE id = 'v-001'`)).toEqual({
      plate: '浙A·P0001',
    });
  });

  it('with auto-registration off, an imported vehicle’s reports are accepted at once, an unknown one’s refused', async () => {
    const report = (id: string) =>
      fetch(`${kit.t.url}/api/ingest/vehicles`, {
        method: 'POST',
        headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/json' },
        body: JSON.stringify({ id, lng: IN_GRID_A1_1[0], lat: IN_GRID_A1_1[1], ts: kit.clock.now() }),
      });
    const known = await report('v-002');
    expect(known.status).toBe(202);
    expect(await known.json()).toMatchObject({ accepted: 1 });
    const unknown = await report('v-unknown');
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(await unknown.json())).toContain('unknown_id');
  });

  it('GBK CSV: a taken terminal, an unknown department and a duplicate id are refused by row and field', async () => {
    const before = await dump('vehicles');
    const csv = gbk(
      'id,name,plate,kind,terminal,departmentId\n' +
        'v-003,巡逻三号,浙A·P0003,patrol_car,013800000001,d-ps\n' +
        'v-004,巡逻四号,浙A·P0004,patrol_car,013800000004,d-none\n' +
        'v-004,巡逻四号,浙A·P0004,patrol_car,013800000005,d-ps\n',
    );
    const r = await post('vehicles', csv, '车辆.csv');
    expect(r.ok).toBe(false);
    expect(r.errors).toEqual([
      { at: 'row 2', field: 'terminal', message: '终端号 13800000001 已属于车辆 v-001' },
      { at: 'row 3', field: 'departmentId', message: '部门 d-none 不存在：请先导入部门' },
      { at: 'row 4', field: 'id', message: 'id v-004 与第 3 行重复' },
    ]);
    expect(await dump('vehicles')).toBe(before);
  });
});

describe('workers', () => {
  it('CSV in GBK and XLSX: grid and role (Chinese labels too) are checked and stored', async () => {
    const csv = gbk(`id,name,phone,gridCode,role\nw-001,张网格,13900000001,${GRID_A1_1},专职网格员\n`);
    expect(await post('workers', csv, '网格员.csv')).toMatchObject({ ok: true, created: 1 });
    const book = await xlsx([
      ['id', 'name', 'phone', 'gridCode', 'role'],
      ['w-002', '李协管', '13900000002', GRID_A1_2, 'assistant'],
      ['w-003', '王民警', '13900000003', '330106009009009', 'community_police'],
    ]);
    const bad = await post('workers', book, '网格员.xlsx');
    expect(bad.errors).toEqual([
      { at: 'row 3', field: 'gridCode', message: '网格 330106009009009 不存在：请先导入辖区' },
    ]);
    const good = await xlsx([
      ['id', 'name', 'phone', 'gridCode', 'role'],
      ['w-002', '李协管', '13900000002', GRID_A1_2, 'assistant'],
    ]);
    expect(await post('workers', good, '网格员.xlsx')).toMatchObject({ ok: true, created: 1 });
    expect(await all(sql`SELECT id, name, role, grid_code AS g FROM workers ORDER BY id`)).toEqual([
      { id: 'w-001', name: '张网格', role: 'full_time', g: GRID_A1_1 },
      { id: 'w-002', name: '李协管', role: 'assistant', g: GRID_A1_2 },
    ]);
    expect(await liveName('worker', 'w-002')).toBe('李协管');
  });
});

describe('cameras', () => {
  const CAM = '33010600001320000101';

  it('GBK CSV with a GCJ-02 position: stored in WGS-84 in its grid, and drawn on a connected wall at once', async () => {
    const wall = ioClient(kit.t.url, {
      transports: ['websocket'],
      extraHeaders: { cookie: admin },
    }) as Socket<ServerToClientEvents, ClientToServerEvents>;
    const batches: WireBatch[] = [];
    wall.on('wall:batch', (b, ack) => {
      batches.push(b);
      ack({ ok: true });
    });
    try {
      await waitFor(() => batches.length > 0, 5_000, 'first batch');
      const [gx, gy] = [IN_GRID_A1_1[0] + 0.0045, IN_GRID_A1_1[1] - 0.0025];
      const csv = gbk(
        `id,name,lng,lat,crs,regionCode,streamUrl\n${CAM},北山路口东,${gx},${gy},gcj02,330106001000,rtsp://10.0.0.9/ch1\n`,
      );
      const r = await post('cameras', csv, '摄像机.csv');
      expect(r).toMatchObject({ ok: true, created: 1, errors: [] });
      const [lng, lat] = toWgs84(gx, gy, 'gcj02');
      const row = (await one(
        sql`SELECT name, lng, lat, grid_code AS g, region_code AS r, stream_url AS s FROM cameras WHERE id = ${CAM}`,
      ))!;
      expect(row).toMatchObject({
        name: '北山路口东',
        g: GRID_A1_1,
        r: '330106001000',
        s: 'rtsp://10.0.0.9/ch1',
      });
      expect(row.lng as number).toBeCloseTo(lng, 6);
      expect(row.lat as number).toBeCloseTo(lat, 6);
      expect(await liveName('camera', CAM)).toBe('北山路口东');
      const idx = kit.t.app.ctx.live.camera.indexOf(CAM)!;
      const drawn = await waitFor(
        () => {
          for (const b of batches) {
            if (!b.camera) continue;
            const d = decodePositions(b.camera as Uint8Array);
            for (let i = 0; i < d.count; i++) if (d.idx[i] === idx) return [batchLng(d, i), batchLat(d, i)];
          }
          return undefined;
        },
        5_000,
        'imported camera on the wall',
      );
      expect(drawn[0]).toBeCloseTo(lng, 4);
      expect(drawn[1]).toBeCloseTo(lat, 4);
    } finally {
      wall.close();
    }
  });

  it('errors name the row and field; an id typed as a number in Excel is caught; nothing is written', async () => {
    const before = await dump('cameras');
    const csv = utf8Bom(
      'id,name,lng,lat,crs,regionCode,streamUrl\n' +
        `${CAM.slice(0, -1)}2,好摄像机,120.02,30.15,,,\n` +
        `${CAM.slice(0, -1)}3,经度错,220.5,30.15,,,\n` +
        `1234,短编号,120.02,30.15,wgs84,,\n` +
        `${CAM.slice(0, -1)}5,坐标系错,120.02,30.15,mars,,ftp://x\n`,
    );
    const r = await post('cameras', csv, '摄像机.csv');
    expect(r.ok).toBe(false);
    expect(r.errors).toEqual([
      { at: 'row 3', field: 'lng', message: '经度超出范围（70–140）："220.5"' },
      { at: 'row 4', field: 'id', message: 'id 须为 20 位国标编码（GB/T 28181），而不是 "1234"' },
      { at: 'row 5', field: 'crs', message: '坐标系须为 wgs84、gcj02 或 bd09，而不是 "mars"' },
      { at: 'row 5', field: 'streamUrl', message: '视频流地址须为 rtsp/rtmp/http(s)/ws(s) 地址："ftp://x"' },
    ]);
    const book = await xlsx([
      ['id', 'name', 'lng', 'lat'],
      // Typed as a number, as Excel does with a digits-only column: past 15 digits it is no longer exact.
      [Number('33010600001320000199'), '数字编号', 120.02, 30.15],
    ]);
    const x = await post('cameras', book, '摄像机.xlsx');
    expect(x.errors[0]).toMatchObject({ at: 'row 2', field: 'id' });
    expect(x.errors[0]!.message).toContain('文本格式');
    expect(await dump('cameras')).toBe(before);
    expect(await post('cameras', csv, '摄像机.csv', true)).toMatchObject({ ok: false, dryRun: true });
  });

  it('an XLSX of cameras with text ids; a dry run writes nothing; the import runs are listed', async () => {
    const book = await xlsx([
      ['id', 'name', 'lng', 'lat', 'crs', 'regionCode', 'streamUrl'],
      ['33010600001320000201', '古荡桥北', '120.25', '30.15', 'wgs84', '', ''],
    ]);
    const before = await dump('cameras');
    expect(await post('cameras', book, 'cams.xlsx', true)).toMatchObject({
      ok: true,
      dryRun: true,
      created: 1,
    });
    expect(await dump('cameras')).toBe(before);
    expect(await post('cameras', book, 'cams.xlsx')).toMatchObject({ ok: true, created: 1 });
    const runs = (await (
      await fetch(`${kit.t.url}/api/admin/imports`, { headers: { cookie: admin } })
    ).json()) as {
      runs: { kind: string; fileName: string }[];
    };
    expect(runs.runs[0]).toMatchObject({ kind: 'cameras', fileName: 'cams.xlsx' });
    expect(new Set(runs.runs.map((r) => r.kind))).toEqual(
      new Set(['territory', 'departments', 'vehicles', 'workers', 'cameras']),
    );
    const audited = await all<{ action: string }>(
      sql`SELECT DISTINCT action FROM audit_log WHERE action LIKE 'import.%' AND result = 'ok'`,
    );
    // Sorted here: the database's collation need not be byte order.
    expect(audited.map((a) => a.action).sort()).toEqual([
      'import.cameras',
      'import.departments',
      'import.territory',
      'import.vehicles',
      'import.workers',
    ]);
  });
});

describe('the command line', () => {
  it('imports a GBK departments CSV into its own database and exits 0; a bad one exits 1', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-reg-'));
    const good = path.join(dir, 'depts.csv');
    const bad = path.join(dir, 'bad.csv');
    fs.writeFileSync(good, gbk('id,name,kind,regionCode,phone\nd-1,城西派出所,派出所,,110\n'));
    fs.writeFileSync(bad, gbk('id,name,kind\nd-2,,police_station\n'));
    const db = await ownToolDatabase(path.join(dir, 'x.db'));
    const run = (file: string) =>
      new Promise<{ code: number; out: string }>((resolve) =>
        execFile(
          'npx',
          ['tsx', 'scripts/import.ts', 'departments', file],
          { cwd: ROOT, env: { ...process.env, ...db.env } },
          (err, stdout) =>
            resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: stdout }),
        ),
      );
    const ok = await run(good);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({ ok: true, created: 1 });
    const no = await run(bad);
    expect(no.code).toBe(1);
    expect(JSON.parse(no.out).errors).toEqual([{ at: 'row 2', field: 'name', message: '缺少名称' }]);
    expect(await db.use((d) => d.all(sql`SELECT id, name, kind FROM departments`))).toEqual([
      { id: 'd-1', name: '城西派出所', kind: 'police_station' },
    ]);
  });

  it('a CLI import into the running server’s database reaches its live state (names on the walls)', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-reg-')), 'workers.csv');
    fs.writeFileSync(file, gbk(`id,name,phone,gridCode,role\nw-cli,赵巡查,13900000009,${GRID_A1_1},辅警\n`));
    const code = await new Promise<number>((resolve) =>
      execFile(
        'npx',
        ['tsx', 'scripts/import.ts', 'workers', file],
        { cwd: ROOT, env: { ...process.env, ...appToolDatabase(kit.t).env } },
        (err) => resolve(err ? Number((err as { code?: number }).code ?? 1) : 0),
      ),
    );
    expect(code).toBe(0);
    expect(await waitFor(() => liveName('worker', 'w-cli'), 20_000, 'CLI-imported worker live')).toBe(
      '赵巡查',
    );
  });
});
