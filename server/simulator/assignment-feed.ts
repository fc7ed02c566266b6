/** An incident handed to a patrol unit: the unit should drive to (lng, lat). */
export interface Assignment {
  incidentId: string;
  vehicleId: string;
  lng: number;
  lat: number;
}

/**
 * How the simulator hears about dispatch decisions. In-process the lead feeds it from the live incident board;
 * the standalone simulator watches the server's wall feed (socket-assignment-feed.ts).
 */
export interface AssignmentFeed {
  onAssigned(cb: (a: Assignment) => void): () => void;
  /** Optional: the incident was taken from the unit (reassigned, cancelled, closed) so it can stand down. */
  onReleased?(cb: (a: { incidentId: string; vehicleId: string }) => void): () => void;
}

/** A feed driven by calls: for wiring in-process (board listener → assign) and for tests. */
export function createAssignmentHub(): AssignmentFeed & {
  assign(a: Assignment): void;
  release(a: { incidentId: string; vehicleId: string }): void;
} {
  const assigned = new Set<(a: Assignment) => void>();
  const released = new Set<(a: { incidentId: string; vehicleId: string }) => void>();
  return {
    onAssigned(cb) {
      assigned.add(cb);
      return () => assigned.delete(cb);
    },
    onReleased(cb) {
      released.add(cb);
      return () => released.delete(cb);
    },
    assign(a) {
      for (const cb of assigned) cb(a);
    },
    release(a) {
      for (const cb of released) cb(a);
    },
  };
}
