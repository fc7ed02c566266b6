/**
 * B6: the wall route's first-load JS, gzipped. Builds the product into its own folder (NEXT_DIST_DIR, so a
 * running dev server's .next is untouched) and sums the chunks a browser loads before the page is usable:
 * Next's root main files plus the entry chunks of /wall's layouts and page. Lazy chunks (charts, map) are
 * split out of it by design and are not counted.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const ROOT = path.resolve(import.meta.dirname, '../..');
export const BENCH_DIST_DIR = '.next-bench';
/** Entry keys of the client reference manifest that belong to /wall's first load. */
const WALL_ENTRIES = ['[project]/app/layout', '[project]/app/wall/layout', '[project]/app/wall/page'];

export type FirstLoadResult =
  | { ok: true; gzipBytes: number; rawBytes: number; files: number; buildS: number }
  | { ok: false; reason: string };

export function measureWallFirstLoad(log: (s: string) => void): FirstLoadResult {
  if (!fs.existsSync(path.join(ROOT, 'app/wall/page.tsx')))
    return { ok: false, reason: 'app/wall does not exist yet' };
  const t0 = Date.now();
  log(`  next build into ${BENCH_DIST_DIR} (takes a minute or more)`);
  // next build adds the other dist folder's types to tsconfig.json; a bench run must not edit the tree.
  const tsconfig = path.join(ROOT, 'tsconfig.json');
  const tsconfigText = fs.readFileSync(tsconfig, 'utf8');
  const build = spawnSync('npx', ['next', 'build'], {
    cwd: ROOT,
    env: { ...process.env, NEXT_DIST_DIR: BENCH_DIST_DIR, NEXT_TELEMETRY_DISABLED: '1' },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  fs.writeFileSync(tsconfig, tsconfigText);
  const buildS = (Date.now() - t0) / 1000;
  if (build.status !== 0) {
    const tail = `${build.stdout}\n${build.stderr}`.trim().split('\n').slice(-8).join(' | ');
    return { ok: false, reason: `next build failed: ${tail}` };
  }
  const dist = path.join(ROOT, BENCH_DIST_DIR);
  const manifestFile = path.join(dist, 'server/app/wall/page_client-reference-manifest.js');
  if (!fs.existsSync(manifestFile)) return { ok: false, reason: 'no client reference manifest for /wall' };
  // The manifest is a script assigning globalThis.__RSC_MANIFEST[...] = {...}; its JSON object is all we need.
  const text = fs.readFileSync(manifestFile, 'utf8');
  const manifest = JSON.parse(text.slice(text.indexOf('= {') + 2).replace(/;\s*$/, '')) as {
    entryJSFiles?: Record<string, string[]>;
  };
  const buildManifest = JSON.parse(fs.readFileSync(path.join(dist, 'build-manifest.json'), 'utf8')) as {
    rootMainFiles: string[];
  };
  const files = new Set<string>(buildManifest.rootMainFiles);
  for (const [key, chunks] of Object.entries(manifest.entryJSFiles ?? {})) {
    if (WALL_ENTRIES.includes(key)) for (const c of chunks) files.add(c);
  }
  let gzipBytes = 0;
  let rawBytes = 0;
  for (const f of files) {
    const body = fs.readFileSync(path.join(dist, f));
    rawBytes += body.byteLength;
    gzipBytes += zlib.gzipSync(body, { level: 9 }).byteLength;
  }
  return { ok: true, gzipBytes, rawBytes, files: files.size, buildS };
}
