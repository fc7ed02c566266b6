import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '@/server/db/open-database';
import { cameras, grids, regions, vehicles, workers } from '@/server/db/schema';
import { sqliteSqlDb } from '@/server/db/sql-db';
import { createMapRoutes } from '@/server/http/routes/map';
import { createRouter, HttpError } from '@/server/http/router';
import { loadRoadGraph, loadWorldInfo } from '@/server/world/load-world';
import { isWorldSeeded, seedDemoWorld } from '@/server/world/seed-world';

const SMALL = {
  townsPerDistrict: 3,
  communitiesPerTown: 3,
  gridsPerCommunity: 3,
  cameras: 150,
  vehicles: 12,
  workers: 30,
  districtRadiusM: 3_000,
};

function serve(db: Db): Promise<{ url: string; close: () => void }> {
  const match = createRouter(
    createMapRoutes({
      db: sqliteSqlDb(db.$client),
      config: { BASEMAP_CRS: 'wgs84', DISPLAY_TZ: 'Asia/Shanghai' },
    }),
  );
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    const m = match(req.method ?? 'GET', url.pathname);
    if (!m) return void res.writeHead(404).end();
    try {
      await m.route.handler({ req, res, url, params: m.params, principal: null, clientAddress: '127.0.0.1' });
    } catch (err) {
      res.writeHead(err instanceof HttpError ? err.status : 500).end(String((err as Error).message));
    }
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => server.close(),
      }),
    ),
  );
}

describe('seedDemoWorld', () => {
  let db: Db;
  beforeAll(() => {
    db = openDatabase(':memory:');
  });

  it('seeds once, and a second call is a no-op', async () => {
    const sqlDb = sqliteSqlDb(db.$client);
    expect(await isWorldSeeded(sqlDb)).toBe(false);
    expect(await loadRoadGraph(sqlDb)).toBeNull();
    const first = await seedDemoWorld(sqlDb, { ...SMALL, seed: 'seed-test' });
    expect(first.isNew).toBe(true);
    expect(await isWorldSeeded(sqlDb)).toBe(true);
    expect(db.select().from(grids).all()).toHaveLength(27);
    expect(db.select().from(regions).all()).toHaveLength(1 + 1 + 3 + 9); // city, district, towns, communities
    expect(db.select().from(vehicles).all()).toHaveLength(12);
    expect(db.select().from(workers).all()).toHaveLength(30);
    expect(db.select().from(cameras).all()).toHaveLength(150);
    const again = await seedDemoWorld(sqlDb, { ...SMALL, seed: 'seed-test' });
    expect(again.isNew).toBe(false);
    expect(again.info).toEqual(first.info);
  });

  it('stores a road graph that routes', async () => {
    const sqlDb = sqliteSqlDb(db.$client);
    const graph = (await loadRoadGraph(sqlDb))!;
    expect(graph.nodeCount).toBe((await loadWorldInfo(sqlDb))!.counts.roadNodes);
    const route = graph.routeNodes(0, graph.nodeCount - 1)!;
    expect(route.path.length).toBeGreaterThan(2);
    expect(route.travelTimeS).toBeGreaterThan(0);
  });
});

describe('map routes', () => {
  let db: Db;
  let server: { url: string; close: () => void };
  beforeAll(async () => {
    db = openDatabase(':memory:');
    await seedDemoWorld(sqliteSqlDb(db.$client), { ...SMALL, seed: 'map-test' });
    server = await serve(db);
  });
  afterAll(() => server.close());

  it('serves a style whose every URL points back at this server', async () => {
    const style = (await (await fetch(`${server.url}/api/map/style.json`)).json()) as {
      sources: Record<string, { data: string }>;
      glyphs?: string;
      layers: unknown[];
    };
    expect(style.glyphs).toBeUndefined(); // labels are drawn from local fonts: no glyph server, no network
    const urls = JSON.stringify(style).match(/https?:\/\/[^"]+/g) ?? [];
    expect(urls.length).toBeGreaterThan(0);
    for (const u of urls) expect(u.startsWith(server.url)).toBe(true);
    for (const [name, src] of Object.entries(style.sources)) {
      const res = await fetch(src.data);
      expect(res.status, name).toBe(200);
      const body = (await res.json()) as { type: string; features: unknown[] };
      expect(body.type).toBe('FeatureCollection');
      if (name !== 'parks') expect(body.features.length, name).toBeGreaterThan(0);
    }
  });

  it('gzips and revalidates the GeoJSON', async () => {
    const res = await fetch(`${server.url}/api/map/data/roads.geojson`, {
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(res.headers.get('content-type')).toContain('geo+json');
    const etag = res.headers.get('etag')!;
    const again = await new Promise<number>((resolve) =>
      http.get(`${server.url}/api/map/data/roads.geojson`, { headers: { 'if-none-match': etag } }, (r) =>
        resolve(r.statusCode!),
      ),
    );
    expect(again).toBe(304);
    const raw = await new Promise<Buffer>((resolve) =>
      http.get(
        `${server.url}/api/map/data/places.geojson`,
        { headers: { 'accept-encoding': 'gzip' } },
        (r) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks)));
        },
      ),
    );
    const places = JSON.parse(gunzipSync(raw).toString()) as { features: { properties: { name: string } }[] };
    expect(places.features.some((f) => /街道|镇/.test(f.properties.name))).toBe(true);
  });

  it('says where the world is, and refuses unknown sources', async () => {
    const world = (await (await fetch(`${server.url}/api/map/world.json`)).json()) as {
      basemap: string;
      bbox: number[];
    };
    expect(world.basemap).toBe('builtin');
    expect(world.bbox).toHaveLength(4);
    expect((await fetch(`${server.url}/api/map/data/secrets.geojson`)).status).toBe(404);
    expect((await fetch(`${server.url}/api/map/basemap.pmtiles`)).status).toBe(404);
  });
});
