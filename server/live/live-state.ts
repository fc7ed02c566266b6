import { randomUUID } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import { CAMERA_STATUSES, VEHICLE_STATUSES, WORKER_STATUSES, type VehicleStatus } from '@/lib/domain/enums';
import type { EntityKind } from '@/lib/realtime/position-codec';
import type { Clock } from '@/lib/clock';
import { flag, type SqlRunner } from '../db/sql-db';
import { tablePages, type PagedTable } from '../db/table-pages';
import { EntityStore } from './entity-store';
import { IncidentBoard } from './incident-board';

/** Ticks of change history kept for catching clients up (200 × 50 ms = 10 s); older → full snapshot. */
export const HISTORY_TICKS = 200;
/** New devices waiting to be written to the database; past it they stay live but unrecorded (and counted). */
export const REGISTRATION_QUEUE_MAX = 200_000;

export interface TickChanges {
  tick: number;
  changed: Record<EntityKind, Uint32Array>;
}

/**
 * Devices are read in pages at start: a million rows at once would be held in memory twice over (rows and
 * stores) for nothing.
 */
export const LOAD_PAGE_ROWS = 10_000;

interface DeviceRow {
  id: string;
  name: string | null;
  isDisabled: number | boolean;
}

interface CameraRow extends DeviceRow {
  program: string | null;
  lng: number | null;
  lat: number | null;
  streamUrl: string | null;
}

/** A registry's rows in pages (db/table-pages): every row once, in the table's own order on SQLite. */
async function* rowsOf<T>(
  db: SqlRunner,
  table: PagedTable,
  columns: SQL,
  pageRows: number,
): AsyncGenerator<T> {
  for await (const rows of tablePages<T>(db, table, 'id', columns, pageRows)) yield* rows;
}

export interface PendingRegistration {
  kind: EntityKind;
  id: string;
  name: string | null;
  entityKind: string | null;
  lng?: number;
  lat?: number;
  streamUrl?: string;
}

/** What a disabled device's status column reads: it sends nothing the walls should show. */
const OFFLINE_STATUS: Record<EntityKind, number> = {
  vehicle: VEHICLE_STATUSES.indexOf('offline'),
  worker: WORKER_STATUSES.indexOf('off_duty'),
  camera: CAMERA_STATUSES.indexOf('offline'),
};

/** The ingest lag is the worst of this many ticks (1 s at the default tick): steady, not flickering. */
export const LAG_WINDOW_TICKS = 20;

/**
 * Everything the walls see, in memory: the latest state of each vehicle, worker and camera, and the open
 * incidents. Changes are stamped with the current tick; `seal()` closes a tick and records what changed in it.
 */
export class LiveState {
  readonly vehicle = new EntityStore('vehicle');
  readonly worker = new EntityStore('worker');
  readonly camera = new EntityStore('camera');
  readonly incidents = new IncidentBoard();
  readonly cameraStreamUrl = new Map<string, string>();
  /** Names this process's entity numbering (idx values); see WorldInfo.epoch. */
  readonly epoch = randomUUID();
  /** The tick currently accumulating changes; sealed ticks are < tick. */
  tick = 1;
  private history: TickChanges[] = [];
  private registrations: PendingRegistration[] = [];
  registrationsDropped = 0;
  private readonly statusListeners = new Set<(id: string, status: VehicleStatus) => void>();
  private readonly withdrawnListeners = new Set<() => void>();
  /** The newest report time applied in the current tick (0: none yet). */
  private tickNewestTs = 0;
  /** Per sealed tick, how old the newest report applied in it was when the tick closed (-1: no reports). */
  private readonly lagWindow = new Float64Array(LAG_WINDOW_TICKS).fill(-1);

  constructor(readonly clock: Clock) {}

  store(kind: EntityKind): EntityStore {
    return kind === 'vehicle' ? this.vehicle : kind === 'worker' ? this.worker : this.camera;
  }

  /**
   * Loads the registered devices (and camera positions) so walls show them before their first report;
   * disabled ones are known (so no report can register them afresh) but flagged and never drawn.
   */
  async loadFromDb(db: SqlRunner, pageRows = LOAD_PAGE_ROWS): Promise<void> {
    for await (const r of rowsOf<DeviceRow & { kind: string | null }>(
      db,
      'vehicles',
      sql`id, name, kind, disabled_at IS NOT NULL AS "isDisabled"`,
      pageRows,
    )) {
      const i = this.vehicle.add({ id: r.id, name: r.name, kind: r.kind });
      if (i >= 0 && flag(r.isDisabled)) this.vehicle.disable(i, OFFLINE_STATUS.vehicle);
    }
    for await (const r of rowsOf<DeviceRow & { role: string | null }>(
      db,
      'workers',
      sql`id, name, role, disabled_at IS NOT NULL AS "isDisabled"`,
      pageRows,
    )) {
      const i = this.worker.add({ id: r.id, name: r.name, kind: r.role });
      if (i >= 0 && flag(r.isDisabled)) this.worker.disable(i, OFFLINE_STATUS.worker);
    }
    for await (const r of rowsOf<CameraRow>(
      db,
      'cameras',
      sql`id, name, program, lng, lat, stream_url AS "streamUrl", disabled_at IS NOT NULL AS "isDisabled"`,
      pageRows,
    )) {
      const i = this.camera.add({ id: r.id, name: r.name, kind: r.program });
      if (i >= 0 && flag(r.isDisabled)) this.camera.disable(i, OFFLINE_STATUS.camera);
      else if (i >= 0 && r.lng !== null && r.lat !== null) {
        this.camera.lng[i] = r.lng;
        this.camera.lat[i] = r.lat;
        this.camera.status[i] = CAMERA_STATUSES.indexOf('offline');
      }
      if (r.streamUrl) this.cameraStreamUrl.set(r.id, r.streamUrl);
    }
  }

  queueRegistration(r: PendingRegistration): void {
    if (this.registrations.length >= REGISTRATION_QUEUE_MAX) {
      this.registrationsDropped++;
      return;
    }
    this.registrations.push(r);
  }

  takeRegistrations(): PendingRegistration[] {
    const r = this.registrations;
    this.registrations = [];
    return r;
  }

  /**
   * The oldest `max` queued registrations, left in the queue: the registrar settles them once its write
   * committed, so a failed write loses none. One writer at a time, or two would write the same ones.
   */
  peekRegistrations(max: number): PendingRegistration[] {
    return this.registrations.slice(0, max);
  }

  /** Drops the oldest `n` queued registrations: written (or refused for good) by the registrar. */
  settleRegistrations(n: number): void {
    this.registrations.splice(0, n);
  }

  /**
   * An administrator disabled (or enabled again) a device. Disabled, its reports are refused (`disabled`, by
   * the telemetry ingest) and it leaves the walls at once: its position is forgotten and every wall is sent
   * a fresh snapshot (onWithdrawn), since a delta cannot say "gone". Enabled, it is accepted again and shows
   * with its next report; a camera comes back at once where the registry places it (`position`).
   * A device this process has not loaded yet (written by another process) is added disabled, so that no
   * report can register it afresh. False when it cannot be (the store is full) or enabling an unknown id.
   */
  setDisabled(
    kind: EntityKind,
    id: string,
    isDisabled: boolean,
    opts: { name?: string | null; position?: { lng: number | null; lat: number | null } } = {},
  ): boolean {
    const store = this.store(kind);
    const known = store.indexOf(id);
    if (known === undefined && !isDisabled) return false;
    const i = known ?? store.add({ id, name: opts.name ?? null, kind: null });
    if (i < 0) return false;
    if ((store.isDisabled[i] === 1) === isDisabled) return true;
    if (isDisabled) {
      store.disable(i, OFFLINE_STATUS[kind]);
      for (const l of this.withdrawnListeners) l();
      return true;
    }
    store.isDisabled[i] = 0;
    const position = opts.position;
    if (position && position.lng !== null && position.lat !== null) {
      store.lng[i] = position.lng;
      store.lat[i] = position.lat;
      store.status[i] = OFFLINE_STATUS[kind]; // offline until it reports
      store.touch(i, this.tick);
    }
    return true;
  }

  /** Hears every device taken off the walls (disabled): the app resyncs its walls. */
  onWithdrawn(listener: () => void): () => void {
    this.withdrawnListeners.add(listener);
    return () => this.withdrawnListeners.delete(listener);
  }

  /** Sets a vehicle's status from dispatch (assignment → responding). False when the vehicle is unknown. */
  setVehicleStatus(id: string, status: VehicleStatus): boolean {
    const i = this.vehicle.indexOf(id);
    if (i === undefined) return false;
    this.vehicle.status[i] = VEHICLE_STATUSES.indexOf(status);
    // A disabled vehicle is off the walls: a delta carrying it would draw it with no position.
    if (this.vehicle.isDisabled[i] === 0) this.vehicle.touch(i, this.tick);
    for (const l of this.statusListeners) l(id, status);
    return true;
  }

  /** Hears every status set by dispatch (not by telemetry): the scale-out relay passes them on. */
  onVehicleStatus(listener: (id: string, status: VehicleStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Telemetry ingest notes each applied report's time: the freshest one per tick measures the lag. */
  noteReport(ts: number): void {
    if (ts > this.tickNewestTs) this.tickNewestTs = ts;
  }

  /**
   * How far ingest is behind: over the last LAG_WINDOW_TICKS ticks, the largest age of a tick's newest
   * report. A healthy pipeline applies fresh reports every tick (0–50 ms); a backlog in Redis shows as
   * seconds. The newest report per tick, not the average, so terminals uploading buffered history (blind
   * spots, tunnels) do not read as lag. 0 when no telemetry arrived in the window.
   */
  get ingestLagMs(): number {
    let lag = 0;
    for (const v of this.lagWindow) if (v > lag) lag = v;
    return lag;
  }

  /** Closes the current tick: records its changes and starts the next one. */
  seal(): TickChanges {
    this.lagWindow[this.tick % LAG_WINDOW_TICKS] =
      this.tickNewestTs > 0 ? Math.max(0, this.clock.now() - this.tickNewestTs) : -1;
    this.tickNewestTs = 0;
    const changes: TickChanges = {
      tick: this.tick,
      changed: {
        vehicle: this.vehicle.takeDirty(),
        worker: this.worker.takeDirty(),
        camera: this.camera.takeDirty(),
      },
    };
    this.history.push(changes);
    if (this.history.length > HISTORY_TICKS) this.history.shift();
    this.tick++;
    return changes;
  }

  /** The last sealed tick (0 before the first seal). */
  get sealedTick(): number {
    return this.tick - 1;
  }

  /**
   * Indexes of `kind` whose latest change lies in (fromTick, toTick], each once. From the per-tick lists while
   * the history reaches back to fromTick; past it, from every entity's change tick (one pass over a column).
   * A province's wall on software GL often acknowledged more than HISTORY_TICKS late: it was sent a full
   * snapshot (~30 MB, 2 M cameras that had not moved) that took it longer still, and it never caught up to a
   * single delta (issue 20).
   */
  changedBetween(kind: EntityKind, fromTick: number, toTick: number): Uint32Array {
    const store = this.store(kind);
    const ct = store.changedTick;
    const oldest = this.history[0];
    if (fromTick < toTick && (!oldest || oldest.tick > fromTick + 1)) {
      const picked: number[] = [];
      for (let i = 0; i < store.count; i++) {
        const t = ct[i]!;
        if (t > fromTick && t <= toTick) picked.push(i);
      }
      return Uint32Array.from(picked);
    }
    let total = 0;
    for (const h of this.history) if (h.tick > fromTick && h.tick <= toTick) total += h.changed[kind].length;
    const out = new Uint32Array(total);
    let n = 0;
    for (const h of this.history) {
      if (h.tick <= fromTick || h.tick > toTick) continue;
      const list = h.changed[kind];
      const t = h.tick;
      // An entity listed in several ticks is taken only from the tick of its latest change.
      for (let k = 0; k < list.length; k++) if (ct[list[k]!] === t) out[n++] = list[k]!;
    }
    return out.subarray(0, n);
  }
}
