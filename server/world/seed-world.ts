import { sql } from 'drizzle-orm';
import { generateWorld, type GeneratedWorld } from '@/lib/world/generate-world';
import { WORLD_PRESETS, type WorldPresetName } from '@/lib/world/presets';
import type { Progress } from '@/lib/world/territory';
import type { WorldInfo, WorldOptions } from '@/lib/world/world-types';
import type { SqlDb, SqliteSqlDb, SqlRunner } from '../db/sql-db';
import { cameras, departments, grids, regions, vehicles, workers } from '../db/schema';
import { bulkInsert } from './bulk-insert';
import { readMetaJson, WORLD_META_KEYS, writeMetaJson } from './world-meta';

export interface SeedOptions extends Partial<WorldOptions> {
  preset?: WorldPresetName;
  onProgress?: Progress;
  /** Seed even if a world is already there (replacing it). */
  isForced?: boolean;
  /** Stamp for created_at columns; defaults to the wall clock. */
  now?: number;
}

export interface SeedResult {
  info: WorldInfo;
  isNew: boolean;
  timingsMs: Record<string, number>;
}

export async function isWorldSeeded(db: SqlRunner): Promise<boolean> {
  return (await readMetaJson<WorldInfo>(db, WORLD_META_KEYS.info)) !== null;
}

/**
 * Generates the demo world and writes it to the database: regions, grids, departments, vehicles, workers and
 * cameras as rows; the road graph, basemap features and department bases as JSON in `meta`. Does nothing if a
 * world is already there (unless forced), so DEMO=1 can call it on every start.
 */
export async function seedDemoWorld(db: SqlDb, opts: SeedOptions = {}): Promise<SeedResult> {
  const existing = await readMetaJson<WorldInfo>(db, WORLD_META_KEYS.info);
  if (existing && !opts.isForced) return { info: existing, isNew: false, timingsMs: {} };
  const { preset, onProgress = () => {}, now = Date.now(), isForced: _f, ...overrides } = opts;
  const timings: Record<string, number> = {};
  let t = performance.now();
  const lap = (name: string) => {
    const n = performance.now();
    timings[name] = Math.round(n - t);
    t = n;
  };
  const world = generateWorld({ ...WORLD_PRESETS[preset ?? 'district'], ...overrides }, onProgress);
  lap('generate');
  // Millions of random-order primary keys thrash SQLite's default 2 MB page cache; 256 MB while seeding.
  const sqlite = db.dialect === 'sqlite' ? (db as SqliteSqlDb).sqlite : null;
  const cacheSize = sqlite?.pragma('cache_size', { simple: true }) as number | undefined;
  sqlite?.pragma('cache_size = -262144');
  try {
    await writeWorld(db, world, now, onProgress, lap);
  } finally {
    if (sqlite?.open) sqlite.pragma(`cache_size = ${cacheSize}`);
  }
  // Last: its presence is what marks the world complete.
  await writeMetaJson(db, WORLD_META_KEYS.info, world.info, now);
  return { info: world.info, isNew: true, timingsMs: timings };
}

async function writeWorld(
  db: SqlDb,
  world: GeneratedWorld,
  now: number,
  onProgress: Progress,
  lap: (name: string) => void,
): Promise<void> {
  await clearWorld(db);
  lap('clear');
  await writeStructure(db, world, now);
  lap('structure');
  await writeBatches(
    db,
    'vehicles',
    world.info.counts.vehicles,
    world.vehicles(),
    (tx, batch) =>
      bulkInsert(
        tx,
        vehicles,
        batch.map((v) => ({
          id: v.id,
          name: v.name,
          kind: v.kind,
          departmentId: v.departmentId,
          terminalPhone: v.terminalPhone,
          // Demo plates (川A, Chengdu like the demo territory) so a dispatcher can search by plate as in a real fleet.
          plate: `川A·${v.id.replace(/\D/g, '').slice(-5).padStart(5, '0')}`,
          isUnassigned: false,
          createdAt: now,
        })),
        'replace',
      ),
    onProgress,
  );
  lap('vehicles');
  await writeBatches(
    db,
    'workers',
    world.info.counts.workers,
    world.workers(),
    (tx, batch) =>
      bulkInsert(
        tx,
        workers,
        batch.map((w) => ({
          id: w.id,
          name: w.name,
          role: w.role,
          gridCode: w.gridCode,
          phone: w.phone,
          isUnassigned: false,
          createdAt: now,
        })),
        'replace',
      ),
    onProgress,
  );
  lap('workers');
  await writeBatches(
    db,
    'cameras',
    world.info.counts.cameras,
    world.cameras(),
    (tx, batch) =>
      bulkInsert(
        tx,
        cameras,
        batch.map((c) => ({ ...c, streamUrl: null, isUnassigned: false, createdAt: now })),
        'replace',
      ),
    onProgress,
  );
  lap('cameras');
}

function clearWorld(db: SqlDb): Promise<void> {
  return db.transaction(async (tx) => {
    await tx.run(sql`DELETE FROM meta WHERE key LIKE 'world.%'`);
    for (const table of ['regions', 'grids', 'departments'])
      await tx.run(sql`DELETE FROM ${sql.identifier(table)}`);
    // Units and cameras registered by their own reports (is_unassigned) are real devices: keep them.
    for (const table of ['vehicles', 'workers', 'cameras'])
      await tx.run(sql`DELETE FROM ${sql.identifier(table)} WHERE is_unassigned = ${false}`);
  });
}

function writeStructure(db: SqlDb, world: GeneratedWorld, now: number): Promise<void> {
  return db.transaction(async (tx) => {
    await bulkInsert(
      tx,
      regions,
      lazyMap(world.regions, (r) => {
        const geometry = r.geometry;
        return {
          code: r.code,
          parentCode: r.parentCode,
          level: r.level,
          name: r.name,
          geometry: geometry ? JSON.stringify(geometry) : null,
          centerLng: r.center[0],
          centerLat: r.center[1],
        };
      }),
    );
    await bulkInsert(
      tx,
      grids,
      lazyMap(world.grids, (g) => ({
        code: g.code,
        communityCode: g.communityCode,
        name: g.name,
        geometry: JSON.stringify(g.geometry),
        centerLng: g.center[0],
        centerLat: g.center[1],
      })),
    );
    await bulkInsert(
      tx,
      departments,
      world.departments.map((d) => ({
        id: d.id,
        name: d.name,
        kind: d.kind,
        regionCode: d.regionCode,
        categories: JSON.stringify(d.categories),
        phone: d.phone,
      })),
    );
    await writeMetaJson(tx, WORLD_META_KEYS.options, world.options, now);
    await writeMetaJson(tx, WORLD_META_KEYS.roads, world.roads, now);
    await writeMetaJson(tx, WORLD_META_KEYS.features, world.features, now);
    await writeMetaJson(
      tx,
      WORLD_META_KEYS.bases,
      Object.fromEntries(world.departments.map((d) => [d.id, d.base])),
      now,
    );
  });
}

/**
 * Rows made one at a time as the writer takes them: a province's 120,000 grid outlines as JSON text never
 * sit in memory together.
 */
function* lazyMap<T, R>(items: Iterable<T>, f: (item: T) => R): Generator<R> {
  for (const item of items) yield f(item);
}

/** One transaction per batch: bounded WAL growth, and progress the user can watch. */
async function writeBatches<T>(
  db: SqlDb,
  stage: string,
  total: number,
  batches: Iterable<T[]>,
  write: (tx: SqlRunner, b: T[]) => Promise<unknown>,
  progress: Progress,
): Promise<void> {
  let done = 0;
  for (const batch of batches) {
    await db.transaction((tx) => write(tx, batch));
    done += batch.length;
    progress(stage, done, total);
  }
}
