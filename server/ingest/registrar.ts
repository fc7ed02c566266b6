import type Database from 'better-sqlite3';
import type { LiveState } from '../live/live-state';

/**
 * Writes devices first seen in telemetry to SQLite as unassigned, once per tick in one transaction, so the
 * hot ingest path never waits on the disk. Only with FIELD_AUTO_REGISTER (demo) does an unknown id get this
 * far: otherwise the telemetry ingest refuses it (`unknown_id`) and units come from the registries.
 */
export function createRegistrar(sqlite: Database.Database, live: LiveState): () => number {
  const vehicle = sqlite.prepare(
    `INSERT OR IGNORE INTO vehicles (id, name, kind, is_unassigned, created_at) VALUES (?, ?, ?, 1, ?)`,
  );
  const worker = sqlite.prepare(
    `INSERT OR IGNORE INTO workers (id, is_unassigned, created_at) VALUES (?, 1, ?)`,
  );
  const camera = sqlite.prepare(
    `INSERT OR IGNORE INTO cameras (id, name, lng, lat, stream_url, is_unassigned, created_at)
     VALUES (?, ?, ?, ?, ?, 1, ?)`,
  );
  const write = sqlite.transaction((regs: ReturnType<LiveState['takeRegistrations']>, now: number) => {
    for (const r of regs) {
      if (r.kind === 'vehicle') vehicle.run(r.id, r.name, r.entityKind, now);
      else if (r.kind === 'worker') worker.run(r.id, now);
      else camera.run(r.id, r.name, r.lng ?? null, r.lat ?? null, r.streamUrl ?? null, now);
    }
  });
  return () => {
    const regs = live.takeRegistrations();
    if (regs.length > 0) write(regs, live.clock.now());
    return regs.length;
  };
}
