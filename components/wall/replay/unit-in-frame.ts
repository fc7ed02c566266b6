/**
 * A unit found by id (the search box) placed in the replayed frame, as a unit clicked on the replay map is:
 * at its idx there, so the drawer reads it from the frame and the map flies to where it stood then, not to
 * where the search says it is now. The frame carries idx only, so the server is asked which idx the id has.
 */
import { unitAt, type UnitAt } from '@/lib/history/replay-detail';
import type { EntityInfo } from '@/lib/realtime/contract';
import type { ClientState } from '@/lib/realtime/client-store';
import type { EntityKind } from '@/lib/realtime/position-codec';

export interface UnitInFrame {
  /**
   * Its idx in the frame's numbering; -1 when the server knows no such unit (no frame holds it); undefined
   * when the numbering could not be asked (offline, or the server restarted: the next frame resyncs).
   */
  idx: number | undefined;
  /** Where and how it stood at the replayed instant, or null when the frame holds none for it. */
  unit: UnitAt | null;
}

export async function unitInFrame(
  fetcher: (url: string) => Promise<Response>,
  state: Pick<ClientState, 'world' | 'entities'>,
  kind: EntityKind,
  id: string,
): Promise<UnitInFrame> {
  const epoch = state.world?.epoch;
  // No frame yet has no numbering to name: ask without one (the answer names the one it used).
  const q = epoch ? `?${new URLSearchParams({ epoch })}` : '';
  try {
    const r = await fetcher(`/api/live/${kind}/id/${encodeURIComponent(id)}${q}`);
    if (r.status === 404) return { idx: -1, unit: null };
    if (!r.ok) return { idx: undefined, unit: null };
    const e = (await r.json()) as EntityInfo;
    if (epoch && e.epoch !== epoch) return { idx: undefined, unit: null };
    return { idx: e.idx, unit: unitAt(state.entities[kind], e.idx) };
  } catch {
    return { idx: undefined, unit: null };
  }
}
