import type { IncidentView } from '@/lib/domain/incident';
import { createAssignmentHub, type AssignmentFeed } from './assignment-feed';

const ENDED = new Set(['resolved', 'closed', 'cancelled']);

/**
 * Turns a stream of incident views into assignments: a unit newly named as an open incident's assignee is
 * sent there; a unit that stops being its assignee (reassigned, resolved, cancelled) is released.
 * Used in-process (the live incident board) and by the standalone simulator (the wall feed).
 */
export function createAssigneeTracker(): AssignmentFeed & {
  see(view: IncidentView, isRemoved?: boolean): void;
  /** After a full snapshot: release every unit held by an incident no longer present. */
  retain(ids: Set<string>): void;
  /** The incident left the live set. */
  drop(incidentId: string): void;
} {
  const hub = createAssignmentHub();
  const holder = new Map<string, string>();
  const release = (incidentId: string) => {
    const vehicleId = holder.get(incidentId);
    if (!vehicleId) return;
    holder.delete(incidentId);
    hub.release({ incidentId, vehicleId });
  };
  return {
    onAssigned: hub.onAssigned,
    onReleased: hub.onReleased,
    see(v, isRemoved = false) {
      const vehicleId =
        !isRemoved && !ENDED.has(v.state) && v.assigneeKind === 'vehicle' ? v.assigneeId : null;
      const before = holder.get(v.id) ?? null;
      if (before === vehicleId) return;
      if (before) release(v.id);
      if (!vehicleId) return;
      holder.set(v.id, vehicleId);
      hub.assign({ incidentId: v.id, vehicleId, lng: v.lng, lat: v.lat });
    },
    retain(ids) {
      for (const id of [...holder.keys()]) if (!ids.has(id)) release(id);
    },
    drop: release,
  };
}

/** The in-process feed: `createBoardAssignmentFeed(board)` with the server's IncidentBoard. */
export function createBoardAssignmentFeed(board: {
  onChange(listener: (view: IncidentView, isRemoved: boolean) => void): () => void;
  values(): Iterable<IncidentView>;
}): AssignmentFeed & { close(): void } {
  const tracker = createAssigneeTracker();
  for (const v of board.values()) tracker.see(v);
  const off = board.onChange((view, isRemoved) => tracker.see(view, isRemoved));
  return { onAssigned: tracker.onAssigned, onReleased: tracker.onReleased, close: off };
}
