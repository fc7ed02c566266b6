/**
 * Seeds a world into the product's database (DATABASE_PATH): regions, grids, departments, vehicles,
 * workers and cameras through the same writer DEMO=1 uses, then a day of incidents played through the real
 * ingest and the audited dispatch service (the demo history backfill).
 *
 *   npm run world -- [--preset tiny|district|province] [--seed pingan] [--db ./data/pingan.db] [--force]
 *       [--incidents-per-day N] [--days 1]
 *       [--center 104.06,30.66] [--name 平安示范区] [--cities N] [--districts-per-city N] [--towns N]
 *       [--communities-per-town N] [--grids-per-community N] [--cameras N] [--vehicles N] [--workers N]
 *
 * Province scale (120,000 grids, 1,000,000 vehicles, 2,000,000 cameras, 60,000 incidents) takes minutes and
 * prints progress on stderr. Memory is bounded: the npm script caps the V8 heap at 1.5 GB (the province's live
 * set is well under it; without a cap V8 lets garbage grow to ~3 GB before collecting), SQLite's page cache
 * is 256 MB while loading, and entities are made and written in batches of 10,000–20,000 rows. Run the file
 * directly (`npx tsx --max-old-space-size=1536 scripts/generate-world.ts …`) with the same cap.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { configureSqlAuditChain } from '@/server/audit/audit-key';
import { openDatabase } from '@/server/db/open-database';
import { sqliteSqlDb } from '@/server/db/sql-db';
import { createLogger } from '@/server/logger';
import { backfillDemoHistory } from '@/server/simulator/history-backfill';
import { isSeedPresetName, SEED_PRESETS } from '@/server/world/seed-presets';
import { seedDemoWorld } from '@/server/world/seed-world';
import type { WorldOptions } from '@/lib/world/world-types';

/** SQLite page cache while the day of incidents is played (KiB). */
const INCIDENT_CACHE_KB = 262_144;

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
    'incidents-per-day': { type: 'string' },
    days: { type: 'string', default: '1' },
  },
});

function int(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number`);
  return n;
}

if (!isSeedPresetName(a.preset!))
  throw new Error(`--preset is one of ${Object.keys(SEED_PRESETS).join(', ')}`);
const preset = SEED_PRESETS[a.preset];
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
// CPU seconds beside the wall clock: on a shared machine the wall clock mostly measures the neighbours.
const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
let lastLine = '';
let peakRssMb = 0;
const sampleRss = () => (peakRssMb = Math.max(peakRssMb, process.memoryUsage.rss() / 1e6));
const db = openDatabase(a.db!);
const sqlDb = sqliteSqlDb(db.$client);
// The backfill's dispatch rows continue the chain: keyed when the server's AUDIT_KEY is set.
await configureSqlAuditChain(sqlDb, { auditKey: process.env.AUDIT_KEY || undefined });
const result = await seedDemoWorld(sqlDb, {
  ...preset.world,
  ...overrides,
  isForced: a.force,
  onProgress: (stage, done, total) => {
    sampleRss();
    const line = `${stage} ${Math.floor((100 * done) / Math.max(1, total))}%`;
    if (line === lastLine) return;
    lastLine = line;
    process.stderr.write(
      `[${((performance.now() - started) / 1000).toFixed(1)}s] ${line} (${done.toLocaleString()}/${total.toLocaleString()}) rss ${Math.round(process.memoryUsage.rss() / 1e6)} MB\n`,
    );
  },
});
const worldSeconds = (performance.now() - started) / 1000;
const worldCpuSeconds = cpuSeconds();
// A day of incidents (skipped when the database already holds any: a re-seed keeps real cases).
const incidentsStarted = performance.now();
process.stderr.write(`[${worldSeconds.toFixed(1)}s] incidents…\n`);
// The replay is one transaction: a page cache that holds its dirty pages (tens of MB for a province's day)
// spares SQLite spilling them to the WAL mid-transaction and reading them back. Restored afterwards.
const cacheSize = db.$client.pragma('cache_size', { simple: true }) as number;
db.$client.pragma(`cache_size = -${INCIDENT_CACHE_KB}`);
const incidents = await backfillDemoHistory({
  db: sqlDb,
  logger: createLogger('warn'),
  days: int('days', a.days) ?? 1,
  now: Date.now(),
  incidentsPerDay: int('incidents-per-day', a['incidents-per-day']) ?? preset.incidentsPerDay,
  // Incidents are placed in grids and handed to workers and vehicles; the camera list is not needed.
  worldLimits: { maxCameras: 0 },
});
db.$client.pragma(`cache_size = ${cacheSize}`);
sampleRss();
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
      worldSeconds: +worldSeconds.toFixed(1),
      incidentSeconds: +((performance.now() - incidentsStarted) / 1000).toFixed(1),
      cpuSeconds: {
        world: +worldCpuSeconds.toFixed(1),
        incidents: +(cpuSeconds() - worldCpuSeconds).toFixed(1),
      },
      timingsMs: result.timingsMs,
      peakRssMb: Math.round(peakRssMb),
      dbMb: +sizeMb.toFixed(1),
      counts: { ...result.info.counts, incidents: incidents.incidents },
      incidentsOpen: incidents.open,
    },
    null,
    2,
  ) + '\n',
);
