/* global console, process */
// MapLibre 6 loads its worker at run time from a URL: serve our own copy (public/maplibre/), never a CDN,
// because command centres run on closed networks. Runs on postinstall and prebuild.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = path.resolve(import.meta.dirname, '..');
let dist;
try {
  dist = path.dirname(require.resolve('maplibre-gl/dist/maplibre-gl-worker.mjs', { paths: [root] }));
} catch {
  dist = path.join(root, 'node_modules/maplibre-gl/dist');
}
const out = path.join(root, 'public/maplibre');
fs.mkdirSync(out, { recursive: true });
for (const name of ['maplibre-gl-worker.mjs', 'maplibre-gl-worker.mjs.map']) {
  const from = path.join(dist, name);
  if (fs.existsSync(from)) fs.copyFileSync(from, path.join(out, name));
}
if (!fs.existsSync(path.join(out, 'maplibre-gl-worker.mjs'))) {
  console.error('copy-maplibre-worker: maplibre-gl-worker.mjs not found in', dist);
  process.exit(1);
}
