import { beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '@/lib/clock';
import { CameraReportSchema } from '@/lib/domain/camera';
import { IncidentReportSchema, type IncidentReportInput } from '@/lib/domain/incident';
import { VehicleReportSchema, type VehicleReportInput } from '@/lib/domain/vehicle';
import { WorkerReportSchema } from '@/lib/domain/worker';
import { haversineM } from '@/lib/world/geo';
import type { TelemetryKind } from '@/lib/realtime/contract';
import { payloadText } from '@/server/bus/bus';
import { InProcessBus } from '@/server/bus/in-process-bus';
import { openDatabase, type Db } from '@/server/db/open-database';
import { sqliteSqlDb } from '@/server/db/sql-db';
import { createLogger } from '@/server/logger';
import { createAssignmentHub } from '@/server/simulator/assignment-feed';
import { createSimulation } from '@/server/simulator/simulator';
import { seedDemoWorld } from '@/server/world/seed-world';

const SMALL = {
  townsPerDistrict: 3,
  communitiesPerTown: 3,
  gridsPerCommunity: 3,
  cameras: 120,
  vehicles: 12,
  workers: 30,
  districtRadiusM: 3_000,
};

interface Captured {
  telemetry: Record<TelemetryKind, unknown[]>;
  incidents: IncidentReportInput[];
}

async function harness(db: Db, opts: { speedup?: number; rate?: number }) {
  const bus = new InProcessBus();
  const captured: Captured = { telemetry: { vehicle: [], worker: [], camera: [] }, incidents: [] };
  await bus.onTelemetry((kind, raw) =>
    captured.telemetry[kind].push(...(JSON.parse(payloadText(raw)) as unknown[])),
  );
  await bus.consumeIncidents(async (entries) => {
    for (const e of entries) captured.incidents.push(JSON.parse(e.raw!) as IncidentReportInput);
  });
  // 19:00 in China: day-shift workers on duty, the evening incident peak.
  const clock = new FakeClock(Date.UTC(2026, 0, 5, 11, 0, 0));
  const hub = createAssignmentHub();
  const resolved: string[] = [];
  const sim = (await createSimulation({
    bus,
    db: sqliteSqlDb(db.$client),
    logger: createLogger('silent'),
    clock,
    seed: 'sim-test',
    speedup: opts.speedup ?? 1,
    incidentRatePerHour: opts.rate ?? 60,
    assignments: hub,
    resolveIncident: async (id) => void resolved.push(id),
  }))!;
  const run = async (seconds: number, until?: () => boolean) => {
    for (let i = 0; i < seconds && !until?.(); i++) {
      clock.advance(1_000);
      await sim.tick();
      await new Promise((r) => setImmediate(r)); // let the in-process bus deliver
    }
  };
  return { sim, hub, captured, resolved, run, clock };
}

describe('simulator', () => {
  let db: Db;
  beforeAll(async () => {
    db = openDatabase(':memory:');
    await seedDemoWorld(sqliteSqlDb(db.$client), { ...SMALL, seed: 'sim-world' });
  });

  it('emits valid telemetry and incidents; every vehicle position lies on a road', async () => {
    const { sim, captured, run } = await harness(db, { speedup: 20, rate: 120 });
    await run(120);
    const vehicleReports = captured.telemetry.vehicle as VehicleReportInput[];
    expect(vehicleReports).toHaveLength(12 * 120);
    for (const r of vehicleReports) {
      expect(VehicleReportSchema.safeParse(r).success).toBe(true);
      expect(sim.world.graph.distanceToRoadM(r.lng, r.lat)).toBeLessThan(0.5);
    }
    // Units move at plausible speeds: no jump between consecutive reports faster than 90 km/h (× speed-up).
    const last = new Map<string, VehicleReportInput>();
    for (const r of vehicleReports) {
      const prev = last.get(r.id);
      if (prev) expect(haversineM(prev.lng, prev.lat, r.lng, r.lat)).toBeLessThan((90 / 3.6) * 20 * 1.01);
      last.set(r.id, r);
    }
    expect(vehicleReports.filter((r) => (r.speed ?? 0) > 0).length).toBeGreaterThan(
      vehicleReports.length / 2,
    );
    for (const r of captured.telemetry.worker) expect(WorkerReportSchema.safeParse(r).success).toBe(true);
    expect(captured.telemetry.worker.length).toBeGreaterThan(30);
    for (const r of captured.telemetry.camera) expect(CameraReportSchema.safeParse(r).success).toBe(true);
    // Every camera once at start (the catalog), then every 60 s: over 120 s, 2 or 3 reports each.
    const perCamera = new Map<string, number>();
    for (const r of captured.telemetry.camera as { id: string }[])
      perCamera.set(r.id, (perCamera.get(r.id) ?? 0) + 1);
    expect(perCamera.size).toBe(120);
    for (const n of perCamera.values()) expect(n === 2 || n === 3).toBe(true);
    expect(captured.incidents.length).toBeGreaterThan(5);
    for (const i of captured.incidents) {
      expect(IncidentReportSchema.safeParse(i).success).toBe(true);
      expect(i.title).toMatch(/[\u4e00-\u9fff]/);
    }
    expect(new Set(captured.incidents.map((i) => i.id)).size).toBe(captured.incidents.length);
  });

  it('drives an assigned unit along the roads to the incident: responding, then on scene, then resolves it', async () => {
    const { sim, hub, captured, resolved, run } = await harness(db, { speedup: 5, rate: 0 });
    await run(3);
    const vehicleId = [...sim.vehicles.keys()][0]!;
    // A point in the far corner of the graph from the unit's start.
    const graph = sim.world.graph;
    const start = sim.vehicles.get(vehicleId)!.position;
    let far = 0;
    for (let n = 0; n < graph.nodeCount; n++) {
      if (haversineM(...start, ...graph.node(n)) > haversineM(...start, ...graph.node(far))) far = n;
    }
    const [lng, lat] = graph.node(far);
    hub.assign({ incidentId: 'inc-1', vehicleId, lng: lng + 0.0001, lat });
    const agent = sim.vehicles.get(vehicleId)!;
    await run(3_600, () => agent.mode === 'on_scene');
    expect(agent.mode).toBe('on_scene');
    expect(haversineM(...agent.position, lng, lat)).toBeLessThan(1);
    const mine = (captured.telemetry.vehicle as VehicleReportInput[]).filter((r) => r.id === vehicleId);
    const statuses = mine.map((r) => r.status).filter((s, i, a) => s !== a[i - 1]);
    expect(statuses.slice(-2)).toEqual(['responding', 'on_scene']);
    // Time on scene is 10–35 simulated minutes (≤ 7 real minutes at ×5); then the incident is resolved.
    await run(8 * 60, () => resolved.length > 0);
    expect(resolved).toEqual(['inc-1']);
    expect(agent.mode).toBe('patrol');
  });
});
