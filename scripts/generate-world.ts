/**
 * Generates the demo world into a database.
 *
 *   npm run generate-world -- [--preset district|province] [--seed pingan] [--db ./data/pingan.db] [--force]
 *       [--center 104.06,30.66] [--name 平安示范区] [--cities N] [--districts-per-city N] [--towns N]
 *       [--communities-per-town N] [--grids-per-community N] [--cameras N] [--vehicles N] [--workers N]
 *
 * (or `npx tsx scripts/generate-world.ts …`). Province scale (120,000 grids, 1,000,000 vehicles, 2,000,000
 * cameras) takes minutes and prints progress on stderr.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { openDatabase } from '@/server/db/open-database';
import { seedDemoWorld } from '@/server/world/seed-world';
import type { WorldOptions } from '@/lib/world/world-types';
import type { WorldPresetName } from '@/lib/world/presets';

const { values: a } = parseArgs({
  options: {
    preset: { type: 'string', default: 'district' },
    seed: { type: 'string' },
    db: { type: 'string', default: process.env.DATABASE_PATH ?? './data/pingan.db' },
    force: { type: 'boolean', default: false },
    center: { type: 'string' },
    name: { type: 'string' },
    cities: { type: 'string' },
    'districts-per-city': { type: 'string' },
    towns: { type: 'string' },
    'communities-per-town': { type: 'string' },
    'grids-per-community': { type: 'string' },
    cameras: { type: 'string' },
    vehicles: { type: 'string' },
    workers: { type: 'string' },
  },
});

function int(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number`);
  return n;
}

if (a.preset !== 'district' && a.preset !== 'province') throw new Error('--preset is district or province');
const overrides: Partial<WorldOptions> = {};
if (a.seed) overrides.seed = a.seed;
if (a.name) overrides.name = a.name;
if (a.center) {
  const [lng, lat] = a.center.split(',').map(Number);
  if (!Number.isFinite(lng) || !Number.isFinite(lat)) throw new Error('--center is lng,lat');
  overrides.center = [lng!, lat!];
}
const numeric: [keyof WorldOptions, string][] = [
  ['cities', 'cities'],
  ['districtsPerCity', 'districts-per-city'],
  ['townsPerDistrict', 'towns'],
  ['communitiesPerTown', 'communities-per-town'],
  ['gridsPerCommunity', 'grids-per-community'],
  ['cameras', 'cameras'],
  ['vehicles', 'vehicles'],
  ['workers', 'workers'],
];
for (const [key, flag] of numeric) {
  const v = int(flag, a[flag as keyof typeof a] as string | undefined);
  if (v !== undefined) (overrides as Record<string, unknown>)[key] = v;
}

const started = performance.now();
let lastLine = '';
const db = openDatabase(a.db!);
const result = seedDemoWorld(db, {
  preset: a.preset as WorldPresetName,
  ...overrides,
  isForced: a.force,
  onProgress: (stage, done, total) => {
    const line = `${stage} ${Math.floor((100 * done) / Math.max(1, total))}%`;
    if (line === lastLine) return;
    lastLine = line;
    process.stderr.write(
      `[${((performance.now() - started) / 1000).toFixed(1)}s] ${line} (${done.toLocaleString()}/${total.toLocaleString()})\n`,
    );
  },
});
db.$client.pragma('wal_checkpoint(TRUNCATE)');
db.$client.close();
const sizeMb = fs.existsSync(a.db!) ? fs.statSync(a.db!).size / 1e6 : 0;
if (!result.isNew) process.stderr.write('a world is already there (use --force to replace it)\n');
process.stdout.write(
  JSON.stringify(
    {
      db: a.db,
      isNew: result.isNew,
      seconds: +((performance.now() - started) / 1000).toFixed(1),
      timingsMs: result.timingsMs,
      dbMb: +sizeMb.toFixed(1),
      counts: result.info.counts,
    },
    null,
    2,
  ) + '\n',
);
