import type { IncidentView } from '@/lib/domain/incident';
import { TERMINAL_STATES } from '@/lib/domain/enums';
import { maskIncidentView } from '../auth/personal-data';

/** Changes remembered for catching clients up; a client further behind gets a full snapshot instead. */
export const INCIDENT_LOG_MAX = 20_000;
/** Open incidents held live; past it the oldest low-priority ones are dropped from the wall (never the DB). */
export const OPEN_INCIDENTS_MAX = 200_000;

interface LogEntry {
  version: number;
  id: string;
}

/**
 * One open incident at one version. The masked variant (free text without phone and ID numbers) is made the
 * first time an unentitled client needs it and then shared by every such client until the next upsert
 * replaces the entry: masking costs once per incident version, not once per client per batch.
 */
interface Entry {
  view: IncidentView;
  masked?: IncidentView;
}

/** Which copy of an incident a client is sent. */
export type IncidentVariant = 'raw' | 'masked';

/**
 * The open incidents every wall sees, with a versioned change log so each client receives exactly what
 * changed since the version it acknowledged.
 */
export class IncidentBoard {
  private readonly open = new Map<string, Entry>();
  private log: LogEntry[] = [];
  version = 0;
  private readonly listeners = new Set<(view: IncidentView, isRemoved: boolean) => void>();

  get size(): number {
    return this.open.size;
  }

  get(id: string): IncidentView | undefined {
    return this.open.get(id)?.view;
  }

  *values(): IterableIterator<IncidentView> {
    for (const e of this.open.values()) yield e.view;
  }

  /** Inserts or replaces; an incident in a terminal state leaves the board. */
  upsert(view: IncidentView): void {
    this.version++;
    if (TERMINAL_STATES.has(view.state)) {
      this.open.delete(view.id);
    } else {
      // A frozen copy: the caller's object may change after this; the board's is shared by every client.
      this.open.set(view.id, { view: Object.freeze({ ...view }) });
      if (this.open.size > OPEN_INCIDENTS_MAX) this.evictOne();
    }
    this.log.push({ version: this.version, id: view.id });
    if (this.log.length > INCIDENT_LOG_MAX) this.log = this.log.slice(-INCIDENT_LOG_MAX / 2);
    for (const l of this.listeners) l(view, TERMINAL_STATES.has(view.state));
  }

  private evictOne(): void {
    let victim: IncidentView | undefined;
    for (const { view: v } of this.open.values()) {
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
   * back that far (the caller sends a snapshot). The views are shared, read-only: never mutate them.
   */
  changesSince(
    sinceVersion: number,
    filter?: (v: IncidentView) => boolean,
    variant: IncidentVariant = 'raw',
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
      const e = this.open.get(id);
      if (e && (!filter || filter(e.view))) upserts.push(pick(e, variant));
      else removed.push(id);
    }
    return { upserts, removed };
  }

  /** Every open incident the filter keeps, in `variant`; the views are shared, read-only. */
  snapshot(filter?: (v: IncidentView) => boolean, variant: IncidentVariant = 'raw'): IncidentView[] {
    const out: IncidentView[] = [];
    for (const e of this.open.values()) if (!filter || filter(e.view)) out.push(pick(e, variant));
    return out;
  }
}

function pick(e: Entry, variant: IncidentVariant): IncidentView {
  return variant === 'raw' ? e.view : (e.masked ??= Object.freeze(maskIncidentView(e.view)));
}
