import { STALE_AFTER_MS } from '@/lib/realtime/contract';
import { ENTITY_KINDS, type EntityKind } from '@/lib/realtime/position-codec';
import type { LiveState } from './live-state';

/**
 * After telemetry may have been lost (the pub/sub subscription dropped), any unit that was live may have
 * sent a later report we never got: its position is not known to be current, so it must not be drawn,
 * counted or recommended as live. Staleness is one rule everywhere (wall paint, stats, dispatch, admin
 * lists): `now − ts > STALE_AFTER_MS[kind]`. So each live unit's report time is moved back to just past that
 * edge: it keeps its last position, reads as stale (数据延迟/离线 on the wall) at once, and its next report —
 * which is always newer — makes it live again through the ordinary latest-wins path. The price: until then
 * its "last report" reads up to STALE_AFTER_MS older than it was. Not touched: history records changed
 * units, and this is no report; the caller resyncs the walls (a full snapshot carries the new ages).
 */
export function markReportsLost(live: LiveState, now: number): Record<EntityKind, number> {
  const out = { vehicle: 0, worker: 0, camera: 0 } as Record<EntityKind, number>;
  for (const kind of ENTITY_KINDS) {
    const store = live.store(kind);
    const staleTs = now - STALE_AFTER_MS[kind] - 1;
    for (let i = 0; i < store.count; i++) {
      if (store.isDisabled[i] === 1 || !(store.ts[i]! > staleTs)) continue;
      store.ts[i] = staleTs;
      out[kind]++;
    }
  }
  return out;
}
