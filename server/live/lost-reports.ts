import { markLostReports } from '@/lib/realtime/lost-reports';
import { ENTITY_KINDS, type EntityKind } from '@/lib/realtime/position-codec';
import type { LiveState } from './live-state';

/**
 * After telemetry may have been lost (the pub/sub subscription dropped), any unit that was live may have
 * sent a later report we never got: its position is not known to be current, so it must not be drawn,
 * counted or recommended as live. Staleness is one rule everywhere (wall paint, stats, dispatch, admin
 * lists): `now − ts > STALE_AFTER_MS[kind]`. So each live unit's report time is moved back to just past that
 * edge (lib/realtime/lost-reports.ts): it keeps its last position, reads as stale at once, and its next
 * report makes it live again through the ordinary latest-wins path. The price: until then its "last report"
 * reads up to STALE_AFTER_MS older than it was. Not touched: history records changed units, and this is no
 * report. The caller tells the walls (Hub.reportsLost): they apply the same rule to their copies.
 */
export function markReportsLost(live: LiveState, now: number): Record<EntityKind, number> {
  const out = { vehicle: 0, worker: 0, camera: 0 } as Record<EntityKind, number>;
  for (const kind of ENTITY_KINDS) {
    const store = live.store(kind);
    const disabled = store.isDisabled;
    out[kind] = markLostReports(store.ts, store.count, kind, now, (i) => disabled[i] === 1);
  }
  return out;
}
