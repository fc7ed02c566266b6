import { systemClock, type Clock } from '@/lib/clock';
import type { CameraStatus } from '@/lib/domain/enums';
import { Rng } from '@/lib/world/rng';
import type { TelemetryKind } from '@/lib/realtime/contract';
import type { Bus } from '../bus/bus';
import type { SqlRunner } from '../db/sql-db';
import type { Logger } from '../logger';
import type { AssignmentFeed } from './assignment-feed';
import { initialCameraStatus, nextCameraStatus } from './camera-model';
import { hourlyFactor, IncidentGenerator, poisson, UNIT_CATEGORIES } from './incident-generator';
import { loadSimWorld, type SimWorld, type SimWorldLimits } from './sim-world';
import { VehicleAgent } from './vehicle-agent';
import { chinaHour, isOnShift, WorkerAgent, type Shift } from './worker-agent';

export interface SimulatorOptions {
  bus: Bus;
  db: SqlRunner;
  logger: Logger;
  clock?: Clock;
  /** Simulated seconds per real second: motion, dwell and repair times, and the incident rate. */
  speedup?: number;
  /** Mean incidents per real hour at speed-up 1 (the daily rhythm moves it between ~0.1× and ~1.5×). */
  incidentRatePerHour?: number;
  vehicleReportHz?: number;
  workerReportIntervalS?: number;
  cameraReportIntervalS?: number;
  assignments?: AssignmentFeed;
  /** Called when the simulator considers an incident handled (after a unit's time on scene, or a plausible delay). */
  resolveIncident?: (incidentId: string) => Promise<void>;
  /** Called a few minutes after an urgent unit-type incident arrives, to play the dispatcher in an unattended demo. */
  dispatchIncident?: (incidentId: string) => Promise<void>;
  /** Resolve simulated incidents that no unit took (grid workers and departments handle most). Default true. */
  isAutoResolving?: boolean;
  seed?: string;
  /** Reports per telemetry message: a gateway batches, but a province's worth in one JSON string is too big. */
  maxBatch?: number;
  limits?: SimWorldLimits;
}

interface Pending {
  resolveAt: number;
  dispatchAt: number | null;
  holder: string | null;
}

/** Unresolved simulated incidents tracked for resolution; past this, the oldest are forgotten. */
const PENDING_MAX = 50_000;
/** A cluster outage (an NVR or a street's power) about this often, simulated. */
const CLUSTER_OUTAGE_MEAN_MS = 6 * 3_600_000;
const MIN = 60_000;

/** An adopted open case is finished no sooner than this from now (simulated minutes): 5 min to 1 h, 督办 2–12 h. */
const ADOPTED_WAIT_MIN = [5, 60] as const;
const ADOPTED_SUPERVISED_WAIT_MIN = [120, 720] as const;

/** How long handling takes, by priority (simulated minutes, from arrival to 办结). */
function handleMinutes(priority: number): [number, number] {
  return priority === 1 ? [20, 60] : priority === 2 ? [60, 180] : priority === 3 ? [120, 480] : [240, 1440];
}

export class Simulation {
  readonly vehicles = new Map<string, VehicleAgent>();
  private readonly workers: WorkerAgent[] = [];
  private readonly workerLast: Float64Array;
  private readonly cameraStatus: CameraStatus[];
  private readonly cameraLast: Float64Array;
  private readonly outages = new Map<string, number>();
  private readonly pending = new Map<string, Pending>();
  private readonly incidents: IncidentGenerator;
  private readonly rng: Rng;
  private readonly clock: Clock;
  private readonly speedup: number;
  private lastReal: number;
  private lastSecond: number;
  simNow: number;
  private readonly unsubscribe: (() => void)[] = [];
  private isTicking = false;
  readonly stats = {
    vehicleReports: 0,
    workerReports: 0,
    cameraReports: 0,
    incidents: 0,
    resolved: 0,
    dispatched: 0,
  };

  constructor(
    readonly world: SimWorld,
    private readonly o: SimulatorOptions,
  ) {
    this.clock = o.clock ?? systemClock;
    this.speedup = o.speedup ?? 1;
    this.rng = new Rng(o.seed ?? `sim-${this.clock.now()}`);
    this.lastReal = this.clock.now();
    this.simNow = this.lastReal;
    // The first step reports every worker and camera once, as a platform's catalog does on connecting,
    // so a wall started with the demo shows real statuses at once instead of a minute of "stale".
    this.lastSecond =
      Math.floor(this.lastReal / 1000) -
      Math.max(o.workerReportIntervalS ?? 30, o.cameraReportIntervalS ?? 60);
    const { graph } = world;
    for (const v of world.vehicles) {
      const base = Math.max(0, graph.nearestNode(v.base[0], v.base[1]));
      this.vehicles.set(v.id, new VehicleAgent(v.id, v.name, v.kind, base, graph, this.rng.fork(v.id)));
    }
    const shifts: [Shift, number][] = [
      ['day', 0.75],
      ['night', 0.15],
      ['rest', 0.1],
    ];
    for (const w of world.workers)
      this.workers.push(
        new WorkerAgent(w.id, this.rng.weighted(shifts), world.grids[w.gridIndex]!, this.rng.fork(w.id)),
      );
    this.workerLast = new Float64Array(this.workers.length).fill(-1); // -1: not reported yet
    this.cameraStatus = world.cameras.map(() => initialCameraStatus(this.rng));
    this.cameraLast = new Float64Array(world.cameras.length).fill(this.simNow);
    this.incidents = new IncidentGenerator(world, this.rng.fork('incidents'), this.lastReal.toString(36));
    if (o.assignments) {
      this.unsubscribe.push(
        o.assignments.onAssigned((a) => this.onAssigned(a.incidentId, a.vehicleId, a.lng, a.lat)),
      );
      const off = o.assignments.onReleased?.((a) => this.onReleased(a.incidentId, a.vehicleId));
      if (off) this.unsubscribe.push(off);
    }
  }

  onAssigned(incidentId: string, vehicleId: string, lng: number, lat: number): void {
    const agent = this.vehicles.get(vehicleId);
    if (!agent) return; // a unit we do not drive (registered by a real terminal)
    if (agent.incidentId === incidentId) return; // the same assignment seen again (resync)
    for (const [id, p] of this.pending) if (p.holder === vehicleId && id !== incidentId) p.holder = null;
    if (!agent.dispatchTo(incidentId, lng, lat)) {
      this.o.logger.warn({ vehicleId, incidentId }, 'simulator: no road route to the incident');
      return;
    }
    const p = this.pending.get(incidentId);
    if (p) p.holder = vehicleId;
  }

  /**
   * Takes on an open incident the simulator did not create (demo history, or a previous run's): it is resolved
   * once a plausible handling time from its arrival has passed, never sooner than a few minutes from now, and a
   * supervised (督办) case only after some hours, so the wall's 督办 list does not empty itself at once.
   */
  adopt(incidentId: string, receivedAt: number, priority: number, isSupervised = false): void {
    if (this.pending.has(incidentId)) return;
    const [lo, hi] = handleMinutes(priority);
    const [waitLo, waitHi] = isSupervised ? ADOPTED_SUPERVISED_WAIT_MIN : ADOPTED_WAIT_MIN;
    const resolveAt = Math.max(
      receivedAt + this.rng.range(lo, hi) * MIN,
      this.simNow + this.rng.range(waitLo, waitHi) * MIN,
    );
    this.pending.set(incidentId, { resolveAt, dispatchAt: null, holder: null });
  }

  onReleased(incidentId: string, vehicleId: string): void {
    const agent = this.vehicles.get(vehicleId);
    if (agent?.incidentId === incidentId) agent.release();
  }

  /** One step: move everything to now and publish what is due. Safe to call at any rate. */
  async tick(): Promise<void> {
    if (this.isTicking) return;
    this.isTicking = true;
    try {
      const now = this.clock.now();
      const dtReal = Math.max(0, now - this.lastReal);
      this.lastReal = now;
      const dtSim = dtReal * this.speedup;
      this.simNow += dtSim;
      await this.stepVehicles(now, dtSim);
      await this.stepDue(now);
      await this.stepIncidents(now, dtReal);
    } finally {
      this.isTicking = false;
    }
  }

  private async stepVehicles(now: number, dtSim: number): Promise<void> {
    const reports = [];
    for (const agent of this.vehicles.values()) {
      if (agent.advance(dtSim / 1000, this.simNow) === 'arrived') {
        agent.until = this.simNow + this.rng.range(10, 35) * MIN;
      }
      if (agent.mode === 'on_scene' && this.simNow >= agent.until && agent.incidentId) {
        const id = agent.incidentId;
        agent.release();
        this.pending.delete(id);
        void this.resolve(id);
      }
      reports.push(agent.report(now));
    }
    this.stats.vehicleReports += reports.length;
    await this.publish('vehicle', reports);
  }

  /** Workers every `workerReportIntervalS`, cameras every `cameraReportIntervalS`, spread over the interval. */
  private async stepDue(now: number): Promise<void> {
    const second = Math.floor(now / 1000);
    const workerEvery = this.o.workerReportIntervalS ?? 30;
    const cameraEvery = this.o.cameraReportIntervalS ?? 60;
    const workerReports = [];
    const cameraReports = [];
    const hour = chinaHour(now);
    if (
      this.rng.chance(
        1 - Math.exp(-((second - this.lastSecond) * 1000 * this.speedup) / CLUSTER_OUTAGE_MEAN_MS),
      )
    ) {
      const cam = this.world.cameras[this.rng.int(0, Math.max(0, this.world.cameras.length - 1))];
      if (cam?.gridCode) this.outages.set(cam.gridCode, this.simNow + this.rng.range(20, 90) * MIN);
    }
    // Catch up at most one full interval after a stall, rather than replaying every missed second.
    for (
      let s = Math.max(this.lastSecond + 1, second - Math.max(workerEvery, cameraEvery) + 1);
      s <= second;
      s++
    ) {
      for (let i = s % workerEvery; i < this.workers.length; i += workerEvery) {
        const w = this.workers[i]!;
        const isOnDuty = isOnShift(w.shift, hour);
        const wasOnDuty = w.isOnDuty;
        w.isOnDuty = isOnDuty;
        const last = this.workerLast[i]!;
        if (isOnDuty && last >= 0) w.advance((this.simNow - last) / 1000, this.simNow);
        this.workerLast[i] = this.simNow;
        // Off duty: one off_duty report at the change (and one at start), then silence, as a phone app does.
        if (isOnDuty || wasOnDuty || last < 0) workerReports.push(w.report(now));
      }
      for (let i = s % cameraEvery; i < this.world.cameras.length; i += cameraEvery) {
        const cam = this.world.cameras[i]!;
        let status = nextCameraStatus(this.cameraStatus[i]!, this.simNow - this.cameraLast[i]!, this.rng);
        this.cameraStatus[i] = status;
        this.cameraLast[i] = this.simNow;
        const outageUntil = cam.gridCode ? this.outages.get(cam.gridCode) : undefined;
        if (outageUntil !== undefined) {
          if (this.simNow < outageUntil) status = 'offline';
          else this.outages.delete(cam.gridCode!);
        }
        cameraReports.push({ id: cam.id, status, ts: now });
      }
    }
    this.lastSecond = second;
    this.stats.workerReports += workerReports.length;
    this.stats.cameraReports += cameraReports.length;
    await this.publish('worker', workerReports);
    await this.publish('camera', cameraReports);
  }

  private async stepIncidents(now: number, dtReal: number): Promise<void> {
    const rate = this.o.incidentRatePerHour ?? 60;
    const n = poisson((rate * this.speedup * hourlyFactor(now) * dtReal) / 3_600_000, this.rng);
    for (let k = 0; k < n; k++) {
      const report = this.incidents.make(now);
      try {
        await this.o.bus.addIncident(JSON.stringify(report));
        this.stats.incidents++;
      } catch (err) {
        this.o.logger.warn({ err: (err as Error).message }, 'simulator: incident not sent');
        continue;
      }
      const p = report.priority;
      const handleMin = handleMinutes(p);
      const needsUnit = UNIT_CATEGORIES.has(report.category) && (p <= 2 || this.rng.chance(0.3));
      this.pending.set(report.id, {
        resolveAt: this.simNow + this.rng.range(...handleMin) * MIN,
        dispatchAt:
          needsUnit && this.o.dispatchIncident
            ? this.simNow + this.rng.range(p <= 2 ? 1 : 3, p <= 2 ? 4 : 10) * MIN
            : null,
        holder: null,
      });
      if (this.pending.size > PENDING_MAX) this.pending.delete(this.pending.keys().next().value!);
    }
    for (const [id, p] of this.pending) {
      if (p.dispatchAt !== null && this.simNow >= p.dispatchAt && !p.holder) {
        p.dispatchAt = null;
        this.stats.dispatched++;
        void this.o
          .dispatchIncident?.(id)
          .catch((err: Error) =>
            this.o.logger.debug({ id, err: err.message }, 'simulator: auto-dispatch failed'),
          );
      }
      if (!p.holder && this.simNow >= p.resolveAt && (this.o.isAutoResolving ?? true)) {
        this.pending.delete(id);
        void this.resolve(id);
      }
    }
  }

  private async resolve(id: string): Promise<void> {
    if (!this.o.resolveIncident) return;
    try {
      await this.o.resolveIncident(id);
      this.stats.resolved++;
    } catch (err) {
      this.o.logger.debug({ id, err: (err as Error).message }, 'simulator: resolve failed');
    }
  }

  private async publish(kind: TelemetryKind, reports: unknown[]): Promise<void> {
    const size = this.o.maxBatch ?? 5_000;
    for (let i = 0; i < reports.length; i += size) {
      try {
        await this.o.bus.publishTelemetry(kind, JSON.stringify(reports.slice(i, i + size)));
      } catch (err) {
        // Telemetry is latest-wins: a lost batch is replaced by the next one.
        this.o.logger.debug({ kind, err: (err as Error).message }, 'simulator: telemetry not sent');
      }
    }
  }

  dispose(): void {
    for (const off of this.unsubscribe) off();
    this.unsubscribe.length = 0;
  }
}

export async function createSimulation(o: SimulatorOptions): Promise<Simulation | null> {
  const world = await loadSimWorld(o.db, o.limits);
  return world ? new Simulation(world, o) : null;
}

/**
 * Starts the simulator on a timer (vehicle report rate). Returns a handle whose `stop()` waits for the tick in
 * flight. Throws if the database holds no world: seed it first (`seedDemoWorld`).
 */
export async function startSimulator(
  o: SimulatorOptions,
): Promise<{ stop(): Promise<void>; simulation: Simulation }> {
  const sim = await createSimulation(o);
  if (!sim) throw new Error('no demo world in the database: call seedDemoWorld first');
  const intervalMs = Math.max(20, Math.round(1000 / (o.vehicleReportHz ?? 1)));
  let inFlight: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    inFlight = sim
      .tick()
      .catch((err: Error) => o.logger.error({ err: err.message }, 'simulator tick failed'));
  }, intervalMs);
  o.logger.info(
    {
      vehicles: sim.vehicles.size,
      workers: sim.world.workers.length,
      cameras: sim.world.cameras.length,
      intervalMs,
      speedup: o.speedup ?? 1,
    },
    'simulator started',
  );
  return {
    simulation: sim,
    async stop() {
      clearInterval(timer);
      await inFlight;
      sim.dispose();
    },
  };
}
