/**
 * B3 and B4 in Chromium: serves the province snapshot and deltas over loopback HTTP and times the wall's
 * store code applying them (bundled from lib/realtime/client-store.ts, the code the wall runs).
 */
import http from 'node:http';
import path from 'node:path';
import { build } from 'esbuild';
import { launchBrowser } from '../../tests/helpers/browser';
import { buildProvinceData, DELTA_UPDATES, PROVINCE } from './province-data';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface BrowserResult {
  apply: { medianMs: number; p95Ms: number; updates: number };
  naive: { medianMs: number; p95Ms: number };
  cold: {
    bytes: Record<string, number>;
    totalBytes: number;
    fetchMs: number;
    decodeMs: number;
    firstFullMapMs: number;
    entities: number;
  };
  chromium: string;
}

async function bundle(): Promise<string> {
  const out = await build({
    entryPoints: [path.join(import.meta.dirname, 'page-entry.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    target: 'es2022',
    alias: { '@': ROOT },
    minify: true,
  });
  return out.outputFiles[0]!.text;
}

export async function runBrowserBench(
  opts: { applyRuns: number; coldRuns: number },
  log: (s: string) => void,
): Promise<BrowserResult> {
  const t0 = Date.now();
  const data = await buildProvinceData();
  const script = await bundle();
  log(`  province snapshot built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const files: Record<string, { type: string; body: string | Uint8Array }> = {
    '/': {
      type: 'text/html',
      body: '<!doctype html><meta charset="utf-8"><title>bench</title><script src="/bench.js"></script>',
    },
    '/bench.js': { type: 'text/javascript', body: script },
    '/batch.json': { type: 'application/json', body: data.batchJson },
    '/vehicle.bin': { type: 'application/octet-stream', body: data.vehicleFull },
    '/camera.bin': { type: 'application/octet-stream', body: data.cameraFull },
    '/areas.json': { type: 'application/json', body: JSON.stringify([...data.areaTiles.keys()]) },
    '/delta.bin': { type: 'application/octet-stream', body: data.delta },
    '/naive-delta.json': { type: 'application/json', body: data.naiveDeltaJson },
  };
  const server = http.createServer((req, res) => {
    const tile = data.areaTiles.get(req.url ?? '');
    if (tile) {
      // Served as the product serves them: gzip on the wire.
      res.writeHead(200, {
        'content-type': 'application/x-protobuf',
        'content-encoding': 'gzip',
        'cache-control': 'no-store',
      });
      res.end(tile);
      return;
    }
    const f = files[req.url ?? '/'];
    if (!f) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': f.type, 'cache-control': 'no-store' });
    res.end(f.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    await page.goto(url);
    await page.waitForFunction(() => 'benchColdLoad' in globalThis);
    type Cold = BrowserResult['cold'];
    const colds: Cold[] = [];
    for (let k = 0; k < opts.coldRuns; k++) {
      colds.push(
        await page.evaluate(() =>
          (globalThis as unknown as { benchColdLoad: () => Promise<Cold> }).benchColdLoad(),
        ),
      );
    }
    // The median cold load; the first one also pays for JIT warm-up, which a real cold load pays too.
    const cold = [...colds].sort((a, b) => a.firstFullMapMs - b.firstFullMapMs)[
      Math.floor(colds.length / 2)
    ]!;
    // Tiles arrive gzipped: what crossed the wire is the gzip size, not what the page saw after inflating.
    cold.bytes.areaTiles = [...data.areaTiles.values()].reduce((a, t) => a + t.byteLength, 0);
    cold.totalBytes = Object.values(cold.bytes).reduce((a, b) => a + b, 0);
    const apply = await page.evaluate(
      (runs) =>
        (globalThis as unknown as { benchApply: (n: number) => Promise<BrowserResult['apply']> }).benchApply(
          runs,
        ),
      opts.applyRuns,
    );
    const naive = await page.evaluate(
      ([runs, fleet]) =>
        (
          globalThis as unknown as { benchNaive: (n: number, f: number) => Promise<BrowserResult['naive']> }
        ).benchNaive(runs, fleet),
      [Math.max(5, Math.floor(opts.applyRuns / 3)), PROVINCE.vehicles] as const,
    );
    if (apply.updates !== DELTA_UPDATES) throw new Error(`delta applied ${apply.updates} updates`);
    return { apply, naive, cold, chromium: browser.version() };
  } finally {
    await browser.close();
    server.close();
  }
}
