import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GeoJSONVT } from '@maplibre/geojson-vt';
import { fromGeojsonVt } from '@maplibre/vt-pbf';
import gcoord from 'gcoord';
import { zxyToTileId } from 'pmtiles';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, watchPage } from '../helpers/browser';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';

/**
 * A deployment's own basemap (issue #15): a .pmtiles archive made here (the `pmtiles` package reads archives
 * but has no writer, so the v3 layout is written below from MVT tiles cut by geojson-vt), served with
 * BASEMAP_PMTILES and drawn by the wall; and BASEMAP_CRS=gcj02, where every position is drawn where a GCJ-02
 * basemap has it, a few hundred metres from its WGS-84 place.
 */
const PASSWORD = 'pingan-demo';
const INGEST_TOKEN = 'basemap-browser-test-token-012345678';
/** The demo district (lib/world/presets.ts) lies within this box. */
const AREA = { west: 103.8, south: 30.4, east: 104.35, north: 30.95 };
const LAKE_NAME = 'PMTiles测试湖';
const ARCHIVE_MAX_ZOOM = 10;

let browser: Browser;

// --- A minimal PMTiles v3 writer: one root directory, no compression, tiles in tile-id order. ---

function varint(out: number[], n: number): void {
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
}

function directory(entries: { tileId: number; offset: number; length: number }[]): Buffer {
  const out: number[] = [];
  varint(out, entries.length);
  let last = 0;
  for (const e of entries) {
    varint(out, e.tileId - last);
    last = e.tileId;
  }
  for (const _ of entries) varint(out, 1); // run length
  for (const e of entries) varint(out, e.length);
  entries.forEach((e, i) => {
    const prev = entries[i - 1];
    varint(out, prev && e.offset === prev.offset + prev.length ? 0 : e.offset + 1);
  });
  return Buffer.from(out);
}

function writePmtiles(
  file: string,
  tiles: { z: number; x: number; y: number; data: Uint8Array }[],
  metadata: object,
) {
  const sorted = tiles
    .map((t) => ({ ...t, tileId: zxyToTileId(t.z, t.x, t.y) }))
    .sort((a, b) => a.tileId - b.tileId);
  let offset = 0;
  const entries = sorted.map((t) => {
    const e = { tileId: t.tileId, offset, length: t.data.length };
    offset += t.data.length;
    return e;
  });
  const root = directory(entries);
  const meta = Buffer.from(JSON.stringify(metadata));
  const tileData = Buffer.concat(sorted.map((t) => Buffer.from(t.data)));
  const h = Buffer.alloc(127);
  h.write('PMTiles', 0, 'ascii');
  h.writeUInt8(3, 7);
  const rootAt = 127;
  const metaAt = rootAt + root.length;
  const leafAt = metaAt + meta.length;
  const dataAt = leafAt;
  h.writeBigUInt64LE(BigInt(rootAt), 8);
  h.writeBigUInt64LE(BigInt(root.length), 16);
  h.writeBigUInt64LE(BigInt(metaAt), 24);
  h.writeBigUInt64LE(BigInt(meta.length), 32);
  h.writeBigUInt64LE(BigInt(leafAt), 40);
  h.writeBigUInt64LE(0n, 48);
  h.writeBigUInt64LE(BigInt(dataAt), 56);
  h.writeBigUInt64LE(BigInt(tileData.length), 64);
  h.writeBigUInt64LE(BigInt(entries.length), 72); // addressed tiles
  h.writeBigUInt64LE(BigInt(entries.length), 80); // tile entries
  h.writeBigUInt64LE(BigInt(entries.length), 88); // tile contents
  h.writeUInt8(1, 96); // clustered
  h.writeUInt8(1, 97); // internal compression: none
  h.writeUInt8(1, 98); // tile compression: none
  h.writeUInt8(1, 99); // tile type: MVT
  h.writeUInt8(0, 100);
  h.writeUInt8(ARCHIVE_MAX_ZOOM, 101);
  h.writeInt32LE(Math.round(AREA.west * 1e7), 102);
  h.writeInt32LE(Math.round(AREA.south * 1e7), 106);
  h.writeInt32LE(Math.round(AREA.east * 1e7), 110);
  h.writeInt32LE(Math.round(AREA.north * 1e7), 114);
  h.writeUInt8(ARCHIVE_MAX_ZOOM, 118);
  h.writeInt32LE(Math.round(((AREA.west + AREA.east) / 2) * 1e7), 119);
  h.writeInt32LE(Math.round(((AREA.south + AREA.north) / 2) * 1e7), 123);
  fs.writeFileSync(file, Buffer.concat([h, root, meta, tileData]));
}

function lonToTileX(lng: number, z: number) {
  return Math.floor(((lng + 180) / 360) * 2 ** z);
}
function latToTileY(lat: number, z: number) {
  const r = (lat * Math.PI) / 180;
  return Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * 2 ** z);
}

/** An archive with two layers: `earth` (the whole box) and `water` (a named lake over the district's middle). */
function makeArchive(file: string) {
  const box = (w: number, s: number, e: number, n: number) => [
    [
      [w, s],
      [e, s],
      [e, n],
      [w, n],
      [w, s],
    ],
  ];
  const layers = {
    earth: {
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          properties: {},
          geometry: { type: 'Polygon', coordinates: box(AREA.west, AREA.south, AREA.east, AREA.north) },
        },
      ],
    },
    water: {
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          properties: { name: LAKE_NAME },
          geometry: { type: 'Polygon', coordinates: box(103.98, 30.58, 104.14, 30.74) },
        },
      ],
    },
  } as const;
  const indexes = Object.fromEntries(
    Object.entries(layers).map(([k, fc]) => [
      k,
      new GeoJSONVT(fc as unknown as GeoJSON.FeatureCollection, {
        maxZoom: ARCHIVE_MAX_ZOOM,
        indexMaxZoom: ARCHIVE_MAX_ZOOM,
        extent: 4096,
      }),
    ]),
  );
  const tiles: { z: number; x: number; y: number; data: Uint8Array }[] = [];
  for (let z = 0; z <= ARCHIVE_MAX_ZOOM; z++)
    for (let x = lonToTileX(AREA.west, z); x <= lonToTileX(AREA.east, z); x++)
      for (let y = latToTileY(AREA.north, z); y <= latToTileY(AREA.south, z); y++) {
        const parts: Record<string, ReturnType<GeoJSONVT['getTile']>> = {};
        for (const [k, index] of Object.entries(indexes)) {
          const t = index.getTile(z, x, y);
          if (t) parts[k] = t;
        }
        if (Object.keys(parts).length === 0) continue;
        tiles.push({ z, x, y, data: fromGeojsonVt(parts as never, { version: 2, extent: 4096 }) });
      }
  writePmtiles(file, tiles, {
    name: 'test archive',
    vector_layers: [
      { id: 'earth', fields: {} },
      { id: 'water', fields: { name: 'String' } },
    ],
  });
  return tiles.length;
}

// --- Helpers shared by both products under test. ---

async function signedInWall(server: ServerProcess, page: Page) {
  await page.goto(`${server.url}/login?next=%2Fwall`);
  await page.fill('input[name="username"]', 'duty');
  await page.fill('input[name="password"]', PASSWORD);
  await Promise.all([page.waitForURL((u) => u.pathname === '/wall'), page.click('button[type="submit"]')]);
  await page.waitForSelector('[data-testid="link-indicator"][data-status="live"]', { timeout: 90_000 });
  await page.waitForFunction('!!window.__pinganMapView', undefined, { timeout: 60_000 });
  await mapSettled(page);
}

async function mapSettled(page: Page) {
  await page.waitForFunction(
    `(() => { const m = window.__pinganMap; return !!m && m.loaded() && !m.isMoving(); })()`,
    undefined,
    { timeout: 60_000 },
  );
  await page.waitForTimeout(1_500);
}

const realErrors = (errors: string[]) => errors.filter((e) => !/GL Driver Message|GPU stall/.test(e));

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

describe('basemap', () => {
  it('draws a deployment’s own .pmtiles archive (BASEMAP_PMTILES)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-pmtiles-'));
    const file = path.join(dir, 'test.pmtiles');
    expect(makeArchive(file)).toBeGreaterThan(10);
    const server = await startServerProcess({ DEMO: '1', BASEMAP_PMTILES: file });
    try {
      const style = (await (await fetch(`${server.url}/api/map/style.json`)).json()) as {
        sources: Record<string, { url?: string }>;
        layers: { id: string }[];
      };
      expect(style.sources.basemap?.url).toMatch(/^pmtiles:\/\/.*\/api\/map\/basemap\.pmtiles$/);
      expect(style.layers.map((l) => l.id)).toEqual(expect.arrayContaining(['earth-fill', 'water-fill']));

      const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
      const watch = watchPage(page);
      const archiveReads: number[] = [];
      page.on('response', (r) => {
        if (r.url().includes('/api/map/basemap.pmtiles')) archiveReads.push(r.status());
      });
      await signedInWall(server, page);
      expect(archiveReads.length).toBeGreaterThan(0);
      expect(archiveReads.every((s) => s === 200 || s === 206)).toBe(true);
      // The lake from the archive is drawn in the middle of the wall (decoded, styled, rendered).
      const lake = (await page.evaluate(`(() => {
        const m = window.__pinganMap;
        const c = m.project(m.getCenter());
        return m.queryRenderedFeatures([c.x, c.y], { layers: ['water-fill'] }).map((f) => f.properties.name);
      })()`)) as string[];
      expect(lake).toContain(LAKE_NAME);
      const sourceUrl = await page.evaluate('window.__pinganMap.getStyle().sources.basemap.url');
      expect(sourceUrl).toMatch(/^pmtiles:\/\//);
      await screenshot(page, 'basemap-pmtiles');
      expect(realErrors(watch.consoleErrors)).toEqual([]);
      await page.close();
    } finally {
      await server.stop();
    }
  });

  it('BASEMAP_CRS=gcj02 draws a unit where a GCJ-02 basemap has it, ~500 m from its WGS-84 place', async () => {
    const server = await startServerProcess({ DEMO: '1', BASEMAP_CRS: 'gcj02', INGEST_TOKEN });
    try {
      const world = (await (await fetch(`${server.url}/api/map/world.json`)).json()) as {
        crs: string;
        center: [number, number];
      };
      expect(world.crs).toBe('gcj02');
      const cam = {
        id: '51019000001320097001',
        name: '坐标系测试球机',
        lng: world.center[0] + 0.004,
        lat: world.center[1] + 0.002,
      };
      const r = await fetch(`${server.url}/api/ingest/cameras`, {
        method: 'POST',
        headers: { authorization: `Bearer ${INGEST_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ ...cam, status: 'online', ts: Date.now() }),
      });
      expect(r.status).toBe(202);
      const gcj = gcoord.transform([cam.lng, cam.lat], gcoord.WGS84, gcoord.GCJ02) as [number, number];

      const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
      const watch = watchPage(page);
      await signedInWall(server, page);
      expect(await page.evaluate('window.__pinganMapView.crs')).toBe('gcj02');
      for (const layer of ['grids', 'incidents', 'vehicles', 'workers', 'trails'])
        await page.click(`[data-layer="${layer}"]`);
      const pts = (await page.evaluate(
        ([g, w]) => {
          const m = (
            window as unknown as {
              __pinganMap: {
                jumpTo(o: unknown): void;
                project(p: number[]): { x: number; y: number };
                getZoom(): number;
              };
            }
          ).__pinganMap;
          m.jumpTo({ center: g, zoom: 16 });
          return { gcj: m.project(g!), wgs: m.project(w!), zoom: m.getZoom() };
        },
        [gcj, [cam.lng, cam.lat]],
      )) as { gcj: { x: number; y: number }; wgs: { x: number; y: number }; zoom: number };
      await mapSettled(page);
      // Metres between the two screen points at this zoom and latitude (512 px tiles).
      const mPerPx = (40_075_016.7 * Math.cos((cam.lat * Math.PI) / 180)) / (512 * 2 ** pts.zoom);
      const apartM = Math.hypot(pts.gcj.x - pts.wgs.x, pts.gcj.y - pts.wgs.y) * mPerPx;
      expect(apartM).toBeGreaterThan(300);
      expect(apartM).toBeLessThan(800);
      // Where it is drawn: a click on the WGS-84 place finds nothing, a click on the GCJ-02 place opens it.
      await page.mouse.click(pts.wgs.x, pts.wgs.y);
      await page.waitForTimeout(1_500);
      expect(await page.locator('[data-testid="detail-drawer"]').count()).toBe(0);
      await page.mouse.click(pts.gcj.x, pts.gcj.y);
      const drawer = page.locator('[data-testid="detail-drawer"][data-kind="camera"]');
      await drawer.waitFor({ timeout: 10_000 });
      await expect.poll(() => drawer.textContent()).toContain(cam.name);
      // The product's own basemap is served in GCJ-02 too, so the camera sits on its road, not beside it.
      const style = (await (await fetch(`${server.url}/api/map/style.json`)).json()) as {
        metadata: Record<string, unknown>;
      };
      expect(style.metadata['pingan:crs']).toBe('gcj02');
      await screenshot(page, 'basemap-gcj02');
      expect(realErrors(watch.consoleErrors)).toEqual([]);
      await page.close();
    } finally {
      await server.stop();
    }
  });
});
