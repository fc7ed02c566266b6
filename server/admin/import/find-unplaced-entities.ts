import type { ImportIssue } from '@/lib/import/issues';
import { sql } from 'drizzle-orm';
import type { SqlRunner } from '../../db/sql-db';
import type { GridLocator } from '../../live/grid-locator';
import type { LiveState } from '../../live/live-state';

/** Entities listed by id per kind; the rest are counted in that kind's summary line. */
export const UNPLACED_LISTED_MAX = 20;

const KIND_WORDS = { camera: '摄像机', vehicle: '车辆', worker: '网格员', incident: '未结事件' } as const;
type Kind = keyof typeof KIND_WORDS;

/**
 * After a territory import: cameras, vehicles and workers (by their last position) and open incidents whose
 * position falls in no grid. They are kept as they are (a wall still shows them; a later import may cover
 * them); the import answers with them as warnings so the operator sees what the new boundaries leave out.
 * Vehicles and workers have positions only in the running app's live state, so the command line reports
 * cameras and incidents.
 */
export async function findUnplacedEntities(
  q: SqlRunner,
  grids: GridLocator,
  live?: LiveState,
): Promise<ImportIssue[]> {
  if (grids.size === 0) return [];
  const found: Record<Kind, { id: string; lng: number; lat: number }[]> = {
    camera: [],
    vehicle: [],
    worker: [],
    incident: [],
  };
  const counts: Record<Kind, number> = { camera: 0, vehicle: 0, worker: 0, incident: 0 };
  const note = (kind: Kind, id: string, lng: number, lat: number) => {
    if (grids.locate(lng, lat) !== null) return;
    counts[kind]++;
    if (found[kind].length < UNPLACED_LISTED_MAX) found[kind].push({ id, lng, lat });
  };
  for (const r of await q.all<{ id: string; lng: number; lat: number }>(
    sql`SELECT id, lng, lat FROM cameras WHERE lng IS NOT NULL AND lat IS NOT NULL`,
  ))
    note('camera', r.id, r.lng, r.lat);
  for (const r of await q.all<{ id: string; lng: number; lat: number }>(
    sql`SELECT id, lng, lat FROM incidents WHERE state NOT IN ('closed', 'cancelled')`,
  ))
    note('incident', r.id, r.lng, r.lat);
  if (live)
    for (const kind of ['vehicle', 'worker'] as const) {
      const store = live.store(kind);
      for (let i = 0; i < store.count; i++) {
        const lng = store.lng[i]!;
        const lat = store.lat[i]!;
        if (store.ts[i]! > 0 && Number.isFinite(lng) && Number.isFinite(lat))
          note(kind, store.idOf(i), lng, lat);
      }
    }
  const out: ImportIssue[] = [];
  for (const kind of Object.keys(found) as Kind[]) {
    if (counts[kind] === 0) continue;
    const listed = found[kind].length;
    out.push({
      at: kind,
      message: `${counts[kind]} 个${KIND_WORDS[kind]}的位置不在任何网格内（已保留，未删除）${
        counts[kind] > listed ? `；以下列出前 ${listed} 个` : ''
      }`,
    });
    for (const e of found[kind])
      out.push({
        at: `${kind} ${e.id}`,
        message: `位置 (${e.lng.toFixed(6)}, ${e.lat.toFixed(6)}) 不在任何网格内`,
      });
  }
  return out;
}
