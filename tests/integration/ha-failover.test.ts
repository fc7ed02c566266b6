import { sql } from 'drizzle-orm';
import { io } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import { WallConnection } from '@/lib/realtime/socket-client';
import { TestRedis } from '../helpers/redis-server';
import type { ServerProcess } from '../helpers/server-process';
import { waitFor } from '../helpers/test-app';
import { expectAssignmentsDurable, seedAssignable } from './durable-assignments';
import {
  HA_BACKENDS,
  haproxyBinary,
  healthOf,
  login,
  startHaproxy,
  startProcesses,
  type Balancer,
  type HaStore,
} from './ha-kit';

const PAIRS = 300;
const IN_FLIGHT = 12;
/** The kill comes once this many were acknowledged; the load goes on after it until AFTER_KILL_ACKS more. */
const KILL_AFTER_ACKS = 50;
const AFTER_KILL_ACKS = 40;
const WALLS = 6;
/** Issue 19: a moved wall shows a full, consistent snapshot this soon after the kill. Reported. */
const TARGET_MOVE_MS = 5_000;
/** Asserted: generous, because this machine is shared by many test runs (the figure above is reported). */
const MOVE_BOUND_MS = 20_000;

const incidentId = (k: number) => `HA-${String(k).padStart(4, '0')}`;
const vehicleId = (k: number) => `HA-CAR-${String(k).padStart(4, '0')}`;

function seed(store: HaStore): Promise<void> {
  return seedAssignable(store.db, {
    vehicles: PAIRS,
    incidents: PAIRS,
    vehicleId,
    incidentId,
    title: (k) => `切换测试 ${k}`,
  });
}

const hasHaproxy = haproxyBinary() !== null;
if (!hasHaproxy)
  console.warn(
    'ha-failover: skipped, no haproxy binary on this machine (apt-get install haproxy; CI installs it)',
  );

/**
 * Issue 19: three processes behind HAProxy (deploy/haproxy.cfg), assignments and walls through the balancer,
 * kill -9 of the process holding the most walls. Its walls reconnect through the balancer to the others and
 * show a full snapshot that agrees with the database; nothing acknowledged is lost; one audit row per
 * assignment; the chain verifies.
 */
describe.skipIf(!hasHaproxy).each(HA_BACKENDS)(
  '3 processes behind HAProxy on $name, one killed mid-load',
  (backend) => {
    let redis: TestRedis | undefined;
    let procs: ServerProcess[] = [];
    let lb: Balancer | undefined;
    let store: HaStore | undefined;
    const walls: WallConnection[] = [];
    afterAll(async () => {
      for (const w of walls) w.stop();
      await lb?.stop();
      await Promise.all(procs.map((p) => p.stop('SIGKILL')));
      await redis?.stop();
      await store?.close();
    });

    it.skipIf(backend.unavailable !== null)(
      'moves the walls, keeps every acknowledged assignment with one audit row each',
      async () => {
        store = await backend.open();
        await seed(store);
        redis = await TestRedis.start();
        procs = await startProcesses(3, store, redis.url);
        lb = await startHaproxy(procs);
        const url = lb.url;

        // Walls on a display token, through the balancer: round robin spreads them over the processes.
        const admin = await login(url, 'admin');
        const tokenRes = await fetch(`${url}/api/display-tokens`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie: admin },
          body: JSON.stringify({ name: '切换测试屏', regionCode: null }),
        });
        expect(tokenRes.status).toBe(201);
        const { token } = (await tokenRes.json()) as { token: string };
        const fullAt: number[][] = [];
        for (let w = 0; w < WALLS; w++) {
          const wall = new WallConnection({ url, regionCode: null, token, connect: io });
          const mine: number[] = [];
          fullAt.push(mine);
          wall.subscribe((result) => {
            if (result.ok && result.isFull) mine.push(Date.now());
          });
          wall.start();
          walls.push(wall);
        }
        await waitFor(
          () => walls.every((w) => w.state.incidents.has(incidentId(PAIRS - 1))),
          30_000,
          'every wall has its first snapshot',
        );
        // The victim: the process serving the most walls (asked directly, not through the balancer).
        const clients = await Promise.all(
          procs.map(
            async (p) => ((await (await fetch(`${p.url}/api/health`)).json()) as { clients: number }).clients,
          ),
        );
        const victim = clients.indexOf(Math.max(...clients));
        const movedCount = clients[victim]!;
        expect(movedCount).toBeGreaterThan(0);

        const dispatcher = await login(url, 'dispatcher');
        const acked = new Set<number>();
        const refused: string[] = [];
        let started = 0;
        let cutOff = 0;
        let isStopped = false;
        let killedAt = 0;
        const assign = async (k: number) => {
          try {
            const r = await fetch(`${url}/api/incidents/${incidentId(k)}/assign`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', cookie: dispatcher },
              body: JSON.stringify({ vehicleId: vehicleId(k) }),
            });
            const body = await r.text();
            if (r.status >= 200 && r.status < 300) acked.add(k);
            // 502/503: the balancer lost the process mid-request; not acknowledged, may or may not be committed.
            else if (killedAt > 0 && r.status >= 502 && r.status <= 504) cutOff++;
            else refused.push(`${incidentId(k)}: ${r.status} ${body.slice(0, 120)}`);
          } catch {
            cutOff++;
          }
        };
        const lane = async () => {
          while (!isStopped && started < PAIRS) await assign(started++);
        };
        const lanes = Array.from({ length: IN_FLIGHT }, lane);
        await waitFor(
          () => acked.size >= KILL_AFTER_ACKS,
          60_000,
          `${KILL_AFTER_ACKS} acknowledged assignments`,
        );
        const snapshotsBefore = fullAt.map((f) => f.length);
        killedAt = Date.now();
        await procs[victim]!.stop('SIGKILL');
        const ackedAtKill = acked.size;
        await waitFor(
          () => acked.size >= ackedAtKill + AFTER_KILL_ACKS || started >= PAIRS,
          60_000,
          'assignments acknowledged after the kill',
        );
        isStopped = true;
        await Promise.all(lanes);
        expect(refused, 'assignments refused (not by the kill)').toEqual([]);
        expect(acked.size).toBeGreaterThanOrEqual(ackedAtKill + AFTER_KILL_ACKS);

        // The moved walls: a new full snapshot each, through the balancer, from a surviving process.
        await waitFor(
          () => fullAt.filter((f, w) => f.length > snapshotsBefore[w]!).length >= movedCount,
          MOVE_BOUND_MS,
          `${movedCount} walls to show a full snapshot from another process`,
        );
        const movedNow = fullAt.map((_, w) => w).filter((w) => fullAt[w]!.length > snapshotsBefore[w]!);
        const moveMs = Math.max(...movedNow.map((w) => fullAt[w]![snapshotsBefore[w]!]! - killedAt));
        expect(movedNow.length).toBeGreaterThanOrEqual(movedCount);

        const { committed } = await expectAssignmentsDurable(store.db, acked, { incidentId, vehicleId }, url);

        // Every wall, moved or not, agrees with the database: state and assignee of each incident.
        const rows = await store.db.all<{ id: string; state: string; assigneeId: string | null }>(
          sql`SELECT id, state, assignee_id AS "assigneeId" FROM incidents WHERE id LIKE 'HA-%'`,
        );
        await waitFor(
          () => walls.every((w) => rows.every((r) => w.state.incidents.get(r.id)?.state === r.state)),
          15_000,
          'every wall to agree with the database',
        );
        // An upper bound: the load ran on after the kill, and the checks above took their time too.
        const agreedMs = Date.now() - killedAt;
        for (const w of walls)
          for (const r of rows)
            expect(w.state.incidents.get(r.id), r.id).toMatchObject({
              state: r.state,
              assigneeId: r.assigneeId,
            });

        // One leader among the survivors (a new one, if the victim led: within a lease and a renewal).
        const survivors = procs.filter((_, i) => i !== victim);
        await waitFor(
          async () =>
            (await Promise.all(survivors.map((p) => healthOf(p.url)))).filter((h) => h?.leader).length === 1,
          15_000,
          'one leader among the survivors',
        );
        console.info(
          `HA failover (${backend.name}): 3 processes behind HAProxy, kill -9 of the one with ${movedCount} of ${WALLS} walls; ` +
            `${acked.size} assignments acknowledged (${ackedAtKill} before the kill), ${cutOff} cut off, ` +
            `${committed} committed, one audit row each; moved walls showed a full snapshot ` +
            `${moveMs} ms after the kill (target ≤ ${TARGET_MOVE_MS} ms); every wall agreed with the database ` +
            `≤ ${agreedMs} ms after it`,
        );
        expect(moveMs).toBeLessThan(MOVE_BOUND_MS);
      },
      240_000,
    );
  },
);
