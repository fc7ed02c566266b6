import { CAMERA_STATUSES } from '@/lib/domain/enums';
import type { RegistryKind } from '@/lib/import/issues';
import type { LiveState } from '../../live/live-state';

/** A registry row as written, in the columns the live state keeps. */
export interface LiveRegistryRow {
  id: string;
  name: string | null;
  kind: string | null;
  lng?: number | null;
  lat?: number | null;
  streamUrl?: string | null;
}

const OFFLINE = CAMERA_STATUSES.indexOf('offline');

/**
 * Brings the running walls up to date with an imported registry, without a restart: a new vehicle, worker or
 * camera gets the next dense index (walls learn it as "everything from index N on"), a renamed one is
 * answered by its new name at `GET /api/live/:kind/:idx`, and a camera placed or moved by the file is marked
 * changed so the next batch draws it where the file says (offline until it reports).
 */
export function applyRegistryToLive(live: LiveState, kind: RegistryKind, rows: LiveRegistryRow[]): void {
  if (kind === 'departments') return;
  const store = live.store(kind === 'cameras' ? 'camera' : kind === 'vehicles' ? 'vehicle' : 'worker');
  for (const r of rows) {
    const existing = store.indexOf(r.id);
    const i = existing ?? store.add({ id: r.id, name: r.name, kind: r.kind });
    if (i < 0) continue; // the store is at MAX_ENTITIES_PER_KIND: stored, shown after a restart
    if (existing !== undefined)
      store.setMeta(i, kind === 'cameras' ? { name: r.name } : { name: r.name, kind: r.kind });
    if (kind !== 'cameras') continue;
    if (r.streamUrl) live.cameraStreamUrl.set(r.id, r.streamUrl);
    else if (r.streamUrl === null) live.cameraStreamUrl.delete(r.id);
    // A disabled camera stays off the walls: a registry file placing it again must not draw it.
    if (store.isDisabled[i] === 1) continue;
    if (
      typeof r.lng === 'number' &&
      typeof r.lat === 'number' &&
      (store.lng[i] !== r.lng || store.lat[i] !== r.lat)
    ) {
      store.lng[i] = r.lng;
      store.lat[i] = r.lat;
      if (store.ts[i] === 0) store.status[i] = OFFLINE;
      store.touch(i, live.tick);
    }
  }
}
