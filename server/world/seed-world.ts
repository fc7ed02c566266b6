import { eq, like } from 'drizzle-orm';
import { generateWorld, type GeneratedWorld } from '@/lib/world/generate-world';
import { WORLD_PRESETS, type WorldPresetName } from '@/lib/world/presets';
import type { Progress } from '@/lib/world/territory';
import type { WorldInfo, WorldOptions } from '@/lib/world/world-types';
import type { Db } from '../db/open-database';
import { cameras, departments, grids, meta, regions, vehicles, workers } from '../db/schema';
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

export function isWorldSeeded(db: Db): boolean {
  return readMetaJson<WorldInfo>(db, WORLD_META_KEYS.info) !== null;
}

/**
 * Generates the demo world and writes it to the database: regions, grids, departments, vehicles, workers and
 * cameras as rows; the road graph, basemap features and department bases as JSON in `meta`. Does nothing if a
 * world is already there (unless forced), so DEMO=1 can call it on every start.
 */
export function seedDemoWorld(db: Db, opts: SeedOptions = {}): SeedResult {
  const existing = readMetaJson<WorldInfo>(db, WORLD_META_KEYS.info);
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
  // Millions of random-order primary keys thrash the default 2 MB page cache; 256 MB while seeding.
  const cacheSize = db.$client.pragma('cache_size', { simple: true }) as number;
  db.$client.pragma('cache_size = -262144');
  try {
    writeWorld(db, world, now, onProgress, lap);
  } finally {
    db.$client.pragma(`cache_size = ${cacheSize}`);
  }
  // Last: its presence is what marks the world complete.
  writeMetaJson(db, WORLD_META_KEYS.info, world.info, now);
  return { info: world.info, isNew: true, timingsMs: timings };
}

function writeWorld(
  db: Db,
  world: GeneratedWorld,
  now: number,
  onProgress: Progress,
  lap: (name: string) => void,
): void {
  clearWorld(db);
  lap('clear');
  writeStructure(db, world, now);
  lap('structure');
  writeBatches(
    db,
    'vehicles',
    world.info.counts.vehicles,
    world.vehicles(),
    (batch) =>
      bulkInsert(
        db,
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
  writeBatches(
    db,
    'workers',
    world.info.counts.workers,
    world.workers(),
    (batch) =>
      bulkInsert(
        db,
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
  writeBatches(
    db,
    'cameras',
    world.info.counts.cameras,
    world.cameras(),
    (batch) =>
      bulkInsert(
        db,
        cameras,
        batch.map((c) => ({ ...c, streamUrl: null, isUnassigned: false, createdAt: now })),
        'replace',
      ),
    onProgress,
  );
  lap('cameras');
}

function clearWorld(db: Db): void {
  db.transaction((tx) => {
    tx.delete(meta).where(like(meta.key, 'world.%')).run();
    for (const table of [regions, grids, departments]) tx.delete(table).run();
    // Units and cameras registered by their own reports (is_unassigned) are real devices: keep them.
    for (const table of [vehicles, workers, cameras])
      tx.delete(table).where(eq(table.isUnassigned, false)).run();
  });
}

function writeStructure(db: Db, world: GeneratedWorld, now: number): void {
  db.transaction(() => {
    bulkInsert(
      db,
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
    bulkInsert(
      db,
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
    bulkInsert(
      db,
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
    writeMetaJson(db, WORLD_META_KEYS.options, world.options, now);
    writeMetaJson(db, WORLD_META_KEYS.roads, world.roads, now);
    writeMetaJson(db, WORLD_META_KEYS.features, world.features, now);
    writeMetaJson(
      db,
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
function writeBatches<T>(
  db: Db,
  stage: string,
  total: number,
  batches: Iterable<T[]>,
  write: (b: T[]) => void,
  progress: Progress,
): void {
  let done = 0;
  const tx = db.$client.transaction((b: T[]) => write(b));
  for (const batch of batches) {
    tx(batch);
    done += batch.length;
    progress(stage, done, total);
  }
}
