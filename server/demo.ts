import { sql } from 'drizzle-orm';
import { STALE_AFTER_MS } from '@/lib/realtime/contract';
import type { IncidentCommand } from '@/lib/domain/incident-lifecycle';
import type { AppContext } from './app';
import type { DispatchModule } from './dispatch/dispatch-module';
import { availableVehicle, departmentsFor, rankUnits } from './dispatch/recommend';
import type { Principal } from './http/router';
import { startSimulator } from './simulator/simulator';
import { createBoardAssignmentFeed } from './simulator/board-assignment-feed';
import { loadRoadGraph } from './world/load-world';

/** The simulator acts as a dispatcher of its own; every step it takes is audited under this name. */
const SIMULATOR: Principal = { username: 'simulator', role: 'dispatcher', isDisplay: false };
const SIMULATOR_ADDRESS = 'demo-simulator';

/**
 * Demo mode: the simulator drives the world through the same bus real sources use, and plays the dispatcher
 * through the same dispatch service (audited) when nobody is at the console.
 */
export function startDemo(ctx: AppContext, dispatch: DispatchModule) {
  const { live, logger, clock, config, bus } = ctx;
  const run = (id: string, command: IncidentCommand) =>
    dispatch.service.execute(id, command, SIMULATOR, SIMULATOR_ADDRESS);
  const stateOf = (id: string) =>
    ctx.sql.get<{ state: string; category: string; gridCode: string | null; lng: number; lat: number }>(
      sql`SELECT state, category, grid_code AS "gridCode", lng, lat FROM incidents WHERE id = ${id}`,
    );

  /** Walks an incident to 办结 then 结案 from wherever it is, as a department or unit would. */
  async function resolveIncident(id: string): Promise<void> {
    for (let step = 0; step < 5; step++) {
      const inc = await stateOf(id);
      if (!inc) return;
      let command: IncidentCommand | null = null;
      switch (inc.state) {
        case 'reported':
          command = { type: 'transition', to: 'accepted', note: '已受理' };
          break;
        case 'accepted': {
          const dept = (await departmentsFor(ctx.sql, inc.category, inc.gridCode))[0];
          if (!dept) return;
          command = {
            type: 'assign',
            assignee: { kind: 'department', id: dept.id },
            note: '中心吹哨，部门报到',
          };
          break;
        }
        case 'dispatched':
        case 'on_scene':
        case 'escalated':
          command = { type: 'transition', to: 'resolved', note: '处置完毕' };
          break;
        case 'resolved':
          command = { type: 'transition', to: 'closed', note: '核查通过' };
          break;
        default:
          return;
      }
      if (!(await run(id, command)).ok) return;
    }
  }

  /** Assigns the nearest free vehicle by road travel time, like a dispatcher following the recommendation. */
  async function dispatchIncident(id: string): Promise<void> {
    const inc = await stateOf(id);
    if (!inc || (inc.state !== 'reported' && inc.state !== 'accepted')) return;
    if (
      inc.state === 'reported' &&
      !(await run(id, { type: 'transition', to: 'accepted', note: '已受理' })).ok
    )
      return;
    const busy = new Set(
      (
        await ctx.sql.all<{ id: string }>(
          sql`SELECT assignee_id AS id FROM incidents WHERE assignee_kind = 'vehicle' AND state IN ('dispatched', 'on_scene')`,
        )
      ).map((r) => r.id),
    );
    const best = rankUnits(live.vehicle, inc, {
      isAvailable: availableVehicle(busy),
      now: clock.now(),
      staleAfterMs: STALE_AFTER_MS.vehicle,
      estimator: (await loadRoadGraph(ctx.sql)) ?? undefined,
    })[0];
    if (best)
      await run(id, {
        type: 'assign',
        assignee: { kind: 'vehicle', id: best.id },
        note: '按推荐派最近巡逻车',
      });
  }

  const feed = createBoardAssignmentFeed(live.incidents);
  // The world is read asynchronously; the handle is returned at once so a leadership change can stop a
  // simulator that is still starting.
  const starting = startSimulator({
    bus,
    db: ctx.sql,
    logger,
    clock,
    speedup: config.SIM_SPEEDUP,
    incidentRatePerHour: config.SIM_INCIDENTS_PER_HOUR,
    vehicleReportHz: config.SIM_VEHICLE_HZ,
    assignments: feed,
    resolveIncident,
    dispatchIncident,
  });
  const started = starting.then(
    (sim) => {
      // Open cases from before this start (demo history, a previous run) are the simulator's to finish too.
      for (const v of live.incidents.values()) {
        sim.simulation.adopt(v.id, v.receivedAt, v.priority, v.supervision >= 2);
        // A unit already sent (before this start) drives there and reports 出警/到场, not "patrol": the board
        // feed told of it before the simulator was listening.
        if (
          v.assigneeKind === 'vehicle' &&
          v.assigneeId &&
          (v.state === 'dispatched' || v.state === 'on_scene')
        )
          sim.simulation.onAssigned(v.id, v.assigneeId, v.lng, v.lat);
      }
      logger.info(
        { speedup: config.SIM_SPEEDUP, incidentsPerHour: config.SIM_INCIDENTS_PER_HOUR },
        'demo simulator running',
      );
      return sim;
    },
    (err: unknown) => {
      logger.error({ err }, 'demo simulator did not start');
      return null;
    },
  );
  return {
    async stop() {
      await (await started)?.stop();
      feed.close();
    },
  };
}
