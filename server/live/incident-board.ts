import type { IncidentView } from '@/lib/domain/incident';
import { TERMINAL_STATES } from '@/lib/domain/enums';

/** Changes remembered for catching clients up; a client further behind gets a full snapshot instead. */
export const INCIDENT_LOG_MAX = 20_000;
/** Open incidents held live; past it the oldest low-priority ones are dropped from the wall (never the DB). */
export const OPEN_INCIDENTS_MAX = 200_000;

interface LogEntry {
  version: number;
  id: string;
}

/**
 * The open incidents every wall sees, with a versioned change log so each client receives exactly what
 * changed since the version it acknowledged.
 */
export class IncidentBoard {
  private readonly open = new Map<string, IncidentView & { version: number }>();
  private log: LogEntry[] = [];
  version = 0;
  private readonly listeners = new Set<(view: IncidentView, isRemoved: boolean) => void>();

  get size(): number {
    return this.open.size;
  }

  get(id: string): IncidentView | undefined {
    return this.open.get(id);
  }

  values(): IterableIterator<IncidentView> {
    return this.open.values();
  }

  /** Inserts or replaces; an incident in a terminal state leaves the board. */
  upsert(view: IncidentView): void {
    this.version++;
    if (TERMINAL_STATES.has(view.state)) {
      this.open.delete(view.id);
    } else {
      this.open.set(view.id, { ...view, version: this.version });
      if (this.open.size > OPEN_INCIDENTS_MAX) this.evictOne();
    }
    this.log.push({ version: this.version, id: view.id });
    if (this.log.length > INCIDENT_LOG_MAX) this.log = this.log.slice(-INCIDENT_LOG_MAX / 2);
    for (const l of this.listeners) l(view, TERMINAL_STATES.has(view.state));
  }

  private evictOne(): void {
    let victim: (IncidentView & { version: number }) | undefined;
    for (const v of this.open.values()) {
      if (
        !victim ||
        v.priority > victim.priority ||
        (v.priority === victim.priority && v.reportedAt < victim.reportedAt)
      )
        victim = v;
    }
    if (victim) this.open.delete(victim.id);
  }

  /** Called for every change (dispatch, simulator, stats). */
  onChange(listener: (view: IncidentView, isRemoved: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * What changed after `sinceVersion`: upserted views and removed ids; null when the log no longer reaches
   * back that far (the caller sends a snapshot).
   */
  changesSince(
    sinceVersion: number,
    filter?: (v: IncidentView) => boolean,
  ): { upserts: IncidentView[]; removed: string[] } | null {
    if (sinceVersion >= this.version) return { upserts: [], removed: [] };
    const first = this.log[0];
    if (!first || first.version > sinceVersion + 1) return null;
    const ids = new Set<string>();
    // Binary search would do; the log is short between acknowledgements, so scan from the end.
    for (let k = this.log.length - 1; k >= 0; k--) {
      const e = this.log[k]!;
      if (e.version <= sinceVersion) break;
      ids.add(e.id);
    }
    const upserts: IncidentView[] = [];
    const removed: string[] = [];
    for (const id of ids) {
      const v = this.open.get(id);
      if (v && (!filter || filter(v))) upserts.push(strip(v));
      else removed.push(id);
    }
    return { upserts, removed };
  }

  snapshot(filter?: (v: IncidentView) => boolean): IncidentView[] {
    const out: IncidentView[] = [];
    for (const v of this.open.values()) if (!filter || filter(v)) out.push(strip(v));
    return out;
  }
}

function strip(v: IncidentView & { version: number }): IncidentView {
  const { version: _version, ...view } = v;
  return view;
}
