import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { VectorTile } from '@mapbox/vector-tile';
import { sql, type SQL } from 'drizzle-orm';
import { PbfReader } from 'pbf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AREA_TILE_LAYER } from '@/lib/map/area-style';
import type { ImportResult } from '@/lib/import/issues';
import { configureSqlAuditChain } from '@/server/audit/audit-key';
import { sqlChainSource, verifyChain } from '@/server/audit/verify-chain';
import { STATS_REFRESH_MS } from '@/server/stats/wall-routes';
import { waitFor } from '../helpers/test-app';
import { appToolDatabase, ownToolDatabase, type ToolDatabase } from '../helpers/tool-database';
import { startImportApp, type ImportApp } from './import-app';
import {
  badTerritory,
  bytesOf,
  COMM_A1,
  DISTRICT,
  goodTerritory,
  GRID_A1_1,
  IN_GRID_A1_1,
  OUTSIDE,
  rect,
  TOWN_A,
  TOWN_B,
  zippedShapefile,
} from './import-fixtures';

const ROOT = path.resolve(import.meta.dirname, '../..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-import-'));
const GOOD = path.join(dir, 'territory.geojson');
const BAD = path.join(dir, 'bad.geojson');
fs.writeFileSync(GOOD, bytesOf(goodTerritory()));
fs.writeFileSync(BAD, bytesOf(badTerritory()));
const FEATURES = goodTerritory().features.length;

/** `npm run import -- …` as an operator runs it: tsx, its own process, a database of its own. */
function importCli(args: string[], db: ToolDatabase, env: Record<string, string> = {}) {
  return new Promise<{ code: number; result: ImportResult; stderr: string }>((resolve) => {
    execFile(
      'npx',
      ['tsx', 'scripts/import.ts', ...args],
      { cwd: ROOT, env: { ...process.env, ...db.env, ...env }, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? Number((err as { code?: number }).code ?? 1) : 0;
        let result = {} as ImportResult;
        try {
          result = JSON.parse(stdout) as ImportResult;
        } catch {
          // usage errors print no JSON
        }
        resolve({ code, result, stderr });
      },
    );
  });
}

/** Every row of the territory tables, to prove a refused import wrote nothing. */
function territoryDump(tool: ToolDatabase): Promise<string> {
  return tool.use(async (db) =>
    JSON.stringify([
      await db.all(sql`SELECT * FROM regions ORDER BY code`),
      await db.all(sql`SELECT * FROM grids ORDER BY code`),
      await db.all(sql`SELECT * FROM import_runs ORDER BY id`),
      await db.all(sql`SELECT * FROM meta WHERE key LIKE 'world.%' ORDER BY key`),
    ]),
  );
}

describe('territory import from the command line', () => {
  let cliDb: ToolDatabase;
  beforeAll(async () => {
    cliDb = await ownToolDatabase(path.join(dir, 'cli.db'));
  });

  it('a dry run reports the counts and writes nothing', async () => {
    const before = await territoryDump(cliDb);
    const r = await importCli(['territory', GOOD, '--dry-run'], cliDb);
    expect(r.code, r.stderr).toBe(0);
    expect(r.result).toMatchObject({ ok: true, dryRun: true, created: FEATURES, updated: 0, unchanged: 0 });
    expect(r.result.errors).toEqual([]);
    expect(await territoryDump(cliDb)).toBe(before);
  });

  it('imports towns, communities and grids (a multipolygon, a hole) in one versioned, audited run', async () => {
    const r = await importCli(['territory', GOOD], cliDb);
    expect(r.code, r.stderr).toBe(0);
    expect(r.result).toMatchObject({ ok: true, dryRun: false, created: FEATURES, updated: 0, unchanged: 0 });
    await cliDb.use(async (db) => {
      const regions = await db.all<{
        code: string;
        parent: string | null;
        level: string;
        name: string;
        geometry: string;
      }>(sql`SELECT code, parent_code AS parent, level, name, geometry FROM regions ORDER BY code`);
      expect(regions.map((x) => [x.code, x.parent, x.level])).toEqual([
        [DISTRICT, null, 'district'],
        [TOWN_A, DISTRICT, 'town'],
        [COMM_A1, TOWN_A, 'community'],
        ['330106001002', TOWN_A, 'community'],
        [TOWN_B, DISTRICT, 'town'],
        ['330106002001', TOWN_B, 'community'],
      ]);
      expect(JSON.parse(regions.find((x) => x.code === TOWN_B)!.geometry).type).toBe('MultiPolygon');
      expect(JSON.parse(regions.find((x) => x.code === '330106001002')!.geometry).coordinates).toHaveLength(
        2,
      );
      expect(await db.get(sql`SELECT count(*) AS n FROM grids`)).toEqual({ n: 4 });
      const run = (await db.get<Record<string, unknown>>(sql`SELECT * FROM import_runs`))!;
      expect(run).toMatchObject({ kind: 'territory', file_name: 'territory.geojson', created: FEATURES });
      expect(run.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(String(run.actor)).toMatch(/^cli:/);
      const audit = await db.all(sql`SELECT action, result FROM audit_log WHERE action = 'import.territory'`);
      expect(audit).toEqual([{ action: 'import.territory', result: 'ok' }]);
      const info = JSON.parse(
        (await db.get<{ value: string }>(sql`SELECT value FROM meta WHERE key = 'world.info'`))!.value,
      );
      expect(info).toMatchObject({ name: '示范区', rootCode: DISTRICT, bbox: [120, 30.1, 120.4, 30.4] });
      expect(info.counts).toMatchObject({ towns: 2, communities: 3, grids: 4 });
    });
  });

  it('re-importing the same file changes nothing', async () => {
    const before = await territoryDump(cliDb);
    const r = await importCli(['territory', GOOD], cliDb);
    expect(r.result).toMatchObject({ ok: true, created: 0, updated: 0, unchanged: FEATURES });
    const [regions, grids, , meta] = JSON.parse(before);
    const [regions2, grids2, runs2, meta2] = JSON.parse(await territoryDump(cliDb));
    expect([regions2, grids2]).toEqual([regions, grids]);
    expect(meta2.map((m: { value: string }) => m.value)).toEqual(meta.map((m: { value: string }) => m.value));
    expect(runs2).toHaveLength(2);
  });

  it('imports into a production database’s keyed audit chain with its AUDIT_KEY, and says so without it', async () => {
    const keyedDb = await ownToolDatabase(path.join(dir, 'keyed.db'));
    const key = 'the-server-audit-key-of-this-centre-0123456789';
    // As a production server's first start leaves it: the chain keyed with AUDIT_KEY from the next row.
    await keyedDb.use((db) => configureSqlAuditChain(db, { auditKey: key }));

    const without = await importCli(['territory', GOOD], keyedDb, { AUDIT_KEY: '' });
    expect(without.code).toBe(2);
    expect(without.stderr).toMatch(/cannot import: .*AUDIT_KEY/);
    expect(JSON.parse(await territoryDump(keyedDb))[0]).toEqual([]);

    const keyed = await importCli(['territory', GOOD], keyedDb, { AUDIT_KEY: key });
    expect(keyed.code, keyed.stderr).toBe(0);
    expect(keyed.result).toMatchObject({ ok: true, created: FEATURES });
    await keyedDb.use(async (db) => {
      const chain = await configureSqlAuditChain(db, { auditKey: key });
      expect(await verifyChain(sqlChainSource(db), { chain })).toMatchObject({ ok: true, rows: 1 });
    });
  });

  it('a file with mistakes names each feature by index and code, exits 1 and writes nothing', async () => {
    const before = await territoryDump(cliDb);
    const r = await importCli(['territory', BAD], cliDb);
    expect(r.code).toBe(1);
    expect(r.result.ok).toBe(false);
    const at = (i: number) =>
      r.result.errors.filter((e) => e.at.startsWith(`feature ${i} `) || e.at === `feature ${i}`);
    expect(at(0)).toEqual([]);
    expect(at(1)[0]).toMatchObject({ at: 'feature 1 (330106009001)', field: 'code' });
    expect(at(1)[0]!.message).toContain('330106009000');
    expect(at(2)[0]).toMatchObject({ at: `feature 2 (${TOWN_A})`, field: 'name' });
    expect(at(3)[0]).toMatchObject({ at: 'feature 3 (3301060010)', field: 'code' });
    expect(at(4)[0]).toMatchObject({ at: `feature 4 (${COMM_A1})`, field: 'geometry' });
    expect(at(4)[0]!.message).toContain('自相交');
    expect(at(5)).toEqual([]);
    expect(at(6)[0]!.message).toMatch(/网格只有 50\.0% 在社区 330106001002 之内/);
    expect(at(7)[0]!.message).toContain('未闭合');
    expect(at(8)[0]!.message).toContain('Polygon');
    expect(await territoryDump(cliDb)).toBe(before);
  });

  it('reads a zipped Shapefile with GBK attributes (as its .cpg says)', async () => {
    const shp = path.join(dir, 'towns.zip');
    fs.writeFileSync(
      shp,
      zippedShapefile([
        { code: TOWN_A, name: '北山街道（新界）', rings: [rect(120.0, 30.1, 120.2, 30.4)] },
        {
          code: '330106003000',
          name: '灵隐街道',
          rings: [rect(120.0, 30.0, 120.1, 30.1), rect(120.02, 30.02, 120.03, 30.03)],
        },
      ]),
    );
    const r = await importCli(['territory', shp], cliDb);
    expect(r.code, JSON.stringify(r.result.errors)).toBe(0);
    expect(r.result).toMatchObject({ created: 1, updated: 1, unchanged: 0 });
    expect(r.result.warnings.some((w) => w.message.includes('不在本文件中'))).toBe(true);
    expect(
      await cliDb.use((db) =>
        db.all(sql`SELECT name FROM regions WHERE code IN (${TOWN_A}, '330106003000') ORDER BY code`),
      ),
    ).toEqual([{ name: '北山街道（新界）' }, { name: '灵隐街道' }]);
  });
});

describe('territory import through the admin API, seen by the running walls', () => {
  let kit: ImportApp;
  let admin: string;

  beforeAll(async () => {
    kit = await startImportApp();
    admin = await kit.login('admin');
  });
  afterAll(() => kit?.close());
  const one = (q: SQL) => kit.t.app.ctx.sql.get(q);

  async function post(
    kind: string,
    body: Uint8Array,
    opts: { dryRun?: boolean; cookie?: string; name?: string } = {},
  ) {
    const r = await fetch(`${kit.t.url}/api/admin/import/${kind}${opts.dryRun ? '?dryRun=1' : ''}`, {
      method: 'POST',
      headers: {
        cookie: opts.cookie ?? admin,
        'content-type': 'application/octet-stream',
        'x-file-name': encodeURIComponent(opts.name ?? '辖区.geojson'),
      },
      body: body as Uint8Array<ArrayBuffer>,
    });
    return { status: r.status, body: (await r.json()) as ImportResult & { error?: string } };
  }

  /** The area tile holding a point. */
  function tileUrl(lng: number, lat: number, z = 12): string {
    const n = 2 ** z;
    const x = Math.floor(((lng + 180) / 360) * n);
    const rad = (lat * Math.PI) / 180;
    const y = Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n);
    return `${kit.t.url}/api/wall/areas/${z}/${x}/${y}`;
  }

  /** Grid and community codes in the area tile holding a point. */
  async function tileCodes(lng: number, lat: number, z = 12): Promise<string[]> {
    const r = await fetch(tileUrl(lng, lat, z), { headers: { cookie: admin } });
    expect(r.status).toBe(200);
    const buf = Buffer.from(await r.arrayBuffer());
    if (buf.length === 0) return [];
    const body = buf[0] === 0x1f ? gunzipSync(buf) : buf;
    const layer = new VectorTile(new PbfReader(body)).layers[AREA_TILE_LAYER];
    return layer
      ? Array.from({ length: layer.length }, (_, i) => String(layer.feature(i).properties.code))
      : [];
  }

  it('refuses roles other than admin', async () => {
    const dispatcher = await kit.login('dispatcher');
    expect((await post('territory', bytesOf(goodTerritory()), { cookie: dispatcher })).status).toBe(403);
    expect((await fetch(`${kit.t.url}/api/admin/imports`, { headers: { cookie: dispatcher } })).status).toBe(
      403,
    );
    expect((await post('nonsense', bytesOf({}))).status).toBe(404);
  });

  it('refuses a body over the bound with 413 before reading it', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const u = new URL(`${kit.t.url}/api/admin/import/territory`);
      const req = http.request(
        {
          host: u.hostname,
          port: u.port,
          path: u.pathname,
          method: 'POST',
          headers: { cookie: admin, 'content-length': String(300 * 1024 * 1024) },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.write('{');
    });
    expect(status).toBe(413);
  });

  it('a dry run answers the counts and the walls still have no areas', async () => {
    expect(await tileCodes(...IN_GRID_A1_1)).toEqual([]);
    const r = await post('territory', bytesOf(goodTerritory()), { dryRun: true });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ok: true, dryRun: true, created: FEATURES, errors: [] });
    expect(await one(sql`SELECT count(*) AS n FROM regions`)).toEqual({ n: 0 });
    expect(await one(sql`SELECT count(*) AS n FROM import_runs`)).toEqual({ n: 0 });
    expect(await tileCodes(...IN_GRID_A1_1)).toEqual([]);
    expect((await fetch(`${kit.t.url}/api/map/world.json`)).status).toBe(200);
    expect((await (await fetch(`${kit.t.url}/api/map/world.json`)).json()).name).toBeNull();
  });

  it('imports, and the running app shows the new towns without a restart; outsiders are listed, not lost', async () => {
    // A camera and an open incident outside every grid, a camera inside one.
    const now = kit.clock.now();
    const camera = (id: string, name: string, [lng, lat]: readonly [number, number]) =>
      kit.t.app.ctx.sql.run(sql`INSERT INTO cameras (id, name, lng, lat, created_at)
        VALUES (${id}, ${name}, ${lng}, ${lat}, ${now})`);
    await camera('33010600001320000001', '湖边摄像机', OUTSIDE);
    await camera('33010600001320000002', '路口摄像机', IN_GRID_A1_1);
    await kit.t.app.ctx.sql.run(
      sql`INSERT INTO incidents (id, category, title, lng, lat, priority, source, reported_at, received_at, updated_at)
          VALUES ('far-1', 'other', '远处事件', ${OUTSIDE[0]}, ${OUTSIDE[1]}, 3, 'hotline_12345', ${now}, ${now}, ${now})`,
    );
    const vehicles = kit.t.app.ctx.live.vehicle;
    const v = vehicles.add({ id: 'veh-far', name: '远处巡逻车', kind: 'patrol_car' });
    [vehicles.lng[v], vehicles.lat[v], vehicles.ts[v]] = [...OUTSIDE, now];

    // A wall's browser holds the empty tile; it revalidates (304) until an import changes the areas.
    const etagBefore = (await fetch(tileUrl(...IN_GRID_A1_1), { headers: { cookie: admin } })).headers.get(
      'etag',
    )!;
    const revalidate = (etag: string) =>
      fetch(tileUrl(...IN_GRID_A1_1), { headers: { cookie: admin, 'if-none-match': etag } });
    expect((await revalidate(etagBefore)).status).toBe(304);

    const r = await post('territory', bytesOf(goodTerritory()));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ok: true, dryRun: false, created: FEATURES, updated: 0, unchanged: 0 });
    expect(r.body.runId).toBeGreaterThan(0);
    expect((await revalidate(etagBefore)).status).toBe(200);
    const warned = r.body.warnings.map((w) => w.at);
    expect(warned).toEqual(
      expect.arrayContaining(['camera 33010600001320000001', 'incident far-1', 'vehicle veh-far']),
    );
    expect(warned).not.toContain('camera 33010600001320000002');
    expect(await one(sql`SELECT count(*) AS n FROM incidents WHERE id = 'far-1'`)).toEqual({ n: 1 });
    // The camera inside a grid now belongs to it.
    expect(await one(sql`SELECT grid_code AS g FROM cameras WHERE id = '33010600001320000002'`)).toEqual({
      g: GRID_A1_1,
    });

    // Area tiles, world info, basemap places and stats, from the same running app.
    expect(await tileCodes(...IN_GRID_A1_1)).toContain(GRID_A1_1);
    const world = await (await fetch(`${kit.t.url}/api/map/world.json`)).json();
    expect(world).toMatchObject({ name: '示范区', rootCode: DISTRICT, bbox: [120, 30.1, 120.4, 30.4] });
    const places = await (await fetch(`${kit.t.url}/api/map/data/places.geojson`)).json();
    expect(places.features.map((f: { properties: { name: string } }) => f.properties.name)).toEqual(
      expect.arrayContaining(['北山街道', '西溪街道']),
    );
    const stats = await (await fetch(`${kit.t.url}/api/wall/stats`, { headers: { cookie: admin } })).json();
    expect(stats.children.map((c: { name: string }) => c.name)).toEqual(['北山街道', '西溪街道']);
    const town = await (
      await fetch(`${kit.t.url}/api/wall/stats?region=${TOWN_A}`, { headers: { cookie: admin } })
    ).json();
    expect(town.region.name).toBe('北山街道');
    expect(town.children.map((c: { code: string }) => c.code)).toEqual([COMM_A1, '330106001002']);
    // A new incident in the grid is placed by the reloaded grid locator.
    expect(kit.t.app.ctx.grids().locate(...IN_GRID_A1_1)).toBe(GRID_A1_1);

    const runs = await (await fetch(`${kit.t.url}/api/admin/imports`, { headers: { cookie: admin } })).json();
    expect(runs.runs[0]).toMatchObject({
      kind: 'territory',
      fileName: '辖区.geojson',
      created: FEATURES,
      actor: 'admin',
    });
  });

  it('a re-import through the API is a no-op; a bad file is refused whole', async () => {
    const r = await post('territory', bytesOf(goodTerritory()));
    expect(r.body).toMatchObject({ ok: true, created: 0, updated: 0, unchanged: FEATURES });
    const before = await kit.t.app.ctx.sql.all(sql`SELECT * FROM regions ORDER BY code`);
    const bad = await post('territory', bytesOf(badTerritory()));
    expect(bad.status).toBe(200);
    expect(bad.body.ok).toBe(false);
    expect(bad.body.errors.length).toBeGreaterThan(5);
    expect(await kit.t.app.ctx.sql.all(sql`SELECT * FROM regions ORDER BY code`)).toEqual(before);
    const refused = await one(
      sql`SELECT result FROM audit_log WHERE action = 'import.territory' ORDER BY id DESC LIMIT 1`,
    );
    expect(refused).toEqual({ result: 'error' });
  });

  it('a later import that renames a town and adds one reaches the caches built from the first', async () => {
    // Everything below was already served (and cached) from the first import.
    expect(await tileCodes(120.05, 30.05)).toEqual([]);
    const places = async () =>
      (await (await fetch(`${kit.t.url}/api/map/data/places.geojson`)).json()).features.map(
        (f: { properties: { name: string } }) => f.properties.name,
      );
    expect(await places()).not.toContain('灵隐街道');
    const children = async () =>
      (
        await (await fetch(`${kit.t.url}/api/wall/stats`, { headers: { cookie: admin } })).json()
      ).children.map((c: { name: string }) => c.name);
    expect(await children()).toEqual(['北山街道', '西溪街道']);

    const zip = zippedShapefile([
      { code: TOWN_A, name: '北山街道（新界）', rings: [rect(120.0, 30.1, 120.2, 30.4)] },
      { code: '330106003000', name: '灵隐街道', rings: [rect(120.0, 30.0, 120.1, 30.1)] },
      { code: '330106003001', name: '灵隐社区', rings: [rect(120.0, 30.0, 120.1, 30.1)] },
      { code: '330106003001001', name: '灵隐一网格', rings: [rect(120.0, 30.0, 120.1, 30.1)] },
    ]);
    const r = await post('territory', zip, { name: 'towns.zip' });
    expect(r.body, JSON.stringify(r.body.errors)).toMatchObject({
      ok: true,
      created: 3,
      updated: 1,
      unchanged: 0,
    });

    kit.clock.advance(STATS_REFRESH_MS + 1);
    expect(await tileCodes(120.05, 30.05)).toContain('330106003001001');
    expect(await places()).toEqual(expect.arrayContaining(['灵隐街道', '北山街道（新界）']));
    expect(await children()).toEqual(['北山街道（新界）', '西溪街道', '灵隐街道']);
    expect(kit.t.app.ctx.grids().locate(120.05, 30.05)).toBe('330106003001001');
  });

  it('an import from the command line into the running server’s database reaches its walls too', async () => {
    const file = path.join(dir, 'zhuantang.geojson');
    const sq = (x0: number, y0: number, x1: number, y1: number) => ({
      type: 'Polygon',
      coordinates: [rect(x0, y0, x1, y1)],
    });
    fs.writeFileSync(
      file,
      bytesOf({
        type: 'FeatureCollection',
        features: [
          {
            type: 'Feature',
            properties: { code: '330106004000', name: '转塘街道' },
            geometry: sq(120.3, 30.3, 120.4, 30.4),
          },
          {
            type: 'Feature',
            properties: { code: '330106004001', name: '转塘社区' },
            geometry: sq(120.3, 30.3, 120.4, 30.4),
          },
          {
            type: 'Feature',
            properties: { code: '330106004001001', name: '转塘一网格' },
            geometry: sq(120.3, 30.3, 120.4, 30.4),
          },
        ],
      }),
    );
    expect(await tileCodes(120.35, 30.35)).toEqual([]);
    const r = await importCli(['territory', file], appToolDatabase(kit.t));
    expect(r.result, r.stderr).toMatchObject({ ok: true, created: 3 });
    await waitFor(
      async () => (await tileCodes(120.35, 30.35)).includes('330106004001001'),
      20_000,
      'CLI import on the wall',
    );
    kit.clock.advance(STATS_REFRESH_MS + 1);
    const stats = await (await fetch(`${kit.t.url}/api/wall/stats`, { headers: { cookie: admin } })).json();
    expect(stats.children.map((c: { name: string }) => c.name)).toContain('转塘街道');
  });
});
