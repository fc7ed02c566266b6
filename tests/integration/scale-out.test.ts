import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VEHICLE_STATUSES } from '@/lib/domain/enums';
import type { IncidentView } from '@/lib/domain/incident';
import type { TrackResponse } from '@/lib/history/contract';
import { REDIS_KEYS } from '@/lib/realtime/contract';
import { applyBatch, createClientState } from '@/lib/realtime/client-store';
import { BenchChild } from '../../bench/lib/child';
import { TestRedis } from '../helpers/redis-server';
import { connectWall, idxOf, waitFor } from '../helpers/test-app';

/** A wall whose state is the real client store, so the assertions read what a screen would show. */
function wallAt(url: string) {
  const w = connectWall(url);
  const state = createClientState();
  w.socket.on('wall:batch', (batch) => void applyBatch(state, batch));
  return { ...w, state };
}

describe('scale-out: two server processes behind one Redis', () => {
  let redis: TestRedis;
  let dir: string;
  let a: BenchChild;
  let b: BenchChild;
  let urls: string[];
  let producer: ReturnType<typeof createClient>;

  beforeAll(async () => {
    redis = await TestRedis.start();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-scale-'));
    const env = { REDIS_URL: redis.url, DATABASE_PATH: path.join(dir, 'shared.db') };
    a = new BenchChild('server-a', 'tests/integration/scale-out-process.ts', env);
    const ua = await a.call<{ url: string }>('start'); // the first one migrates the shared database
    b = new BenchChild('server-b', 'tests/integration/scale-out-process.ts', env);
    const ub = await b.call<{ url: string }>('start');
    urls = [ua.url, ub.url];
    producer = createClient({ url: redis.url });
    producer.on('error', () => {});
    await producer.connect();
  }, 90_000);

  afterAll(async () => {
    await producer?.close().catch(() => {});
    for (const c of [a, b]) await c?.call('stop').catch(() => {});
    for (const c of [a, b]) await c?.stop();
    await redis?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves the same vehicles and incidents to a wall on each process', async () => {
    const walls = urls.map(wallAt);
    await waitFor(() => walls.every((w) => w.state.lastSeq > 0), 10_000, 'snapshots');

    // Telemetry: pub/sub reaches both processes.
    const report = { id: 'V-scale-1', lng: 120.15, lat: 30.28, status: 'patrol', ts: Date.now() };
    await waitFor(
      async () => {
        await producer.publish(REDIS_KEYS.channel.vehicle, JSON.stringify([{ ...report, ts: Date.now() }]));
        await new Promise((r) => setTimeout(r, 100));
        // Each process numbers its own entities: ask each which idx the vehicle has there.
        const idx = await Promise.all(urls.map((u) => idxOf(u, 'vehicle', 'V-scale-1')));
        return walls.every((w, k) => idx[k] !== undefined && w.state.entities.vehicle.present[idx[k]!] === 1);
      },
      10_000,
      'the vehicle on both walls',
    );

    // Its track from either process has the report, though the leader writes its bucket only minutes later:
    // the process that follows recorded it too. A follower records a new unit's points only once the leader has
    // named it, so the unit keeps reporting meanwhile, as a real one does (one report the first loop made before
    // the naming reached the follower is not in its track; CI saw that).
    for (const url of urls)
      await waitFor(
        async () => {
          await producer.publish(REDIS_KEYS.channel.vehicle, JSON.stringify([{ ...report, ts: Date.now() }]));
          await new Promise((r) => setTimeout(r, 100));
          const r = await fetch(`${url}/api/history/track/vehicle/V-scale-1`);
          return r.ok && ((await r.json()) as TrackResponse).points.length > 0;
        },
        10_000,
        `the report in the track from ${url}`,
      );

    // A unit's status set by dispatch on one process shows on the other's wall too.
    await a.call('setVehicleStatus', { id: 'V-scale-1', status: 'responding' });
    const idxOnB = (await idxOf(urls[1]!, 'vehicle', 'V-scale-1'))!;
    await waitFor(
      () => walls[1]!.state.entities.vehicle.status[idxOnB] === VEHICLE_STATUSES.indexOf('responding'),
      10_000,
      'the responding status on the other process',
    );

    // Incidents: the consumer group gives each entry to one process; the relay shows it on both walls.
    const ids = ['SCALE-1', 'SCALE-2', 'SCALE-3', 'SCALE-4'];
    for (const id of ids) {
      const inc = {
        id,
        category: 'dispute',
        title: `纠纷 ${id}`,
        lng: 120.15,
        lat: 30.28,
        priority: 2,
        source: 'grid_worker',
        reportedAt: Date.now(),
      };
      await producer.xAdd(REDIS_KEYS.incidentStream, '*', {
        [REDIS_KEYS.incidentField]: JSON.stringify(inc),
      });
    }
    const has = (w: (typeof walls)[number], id: string, state?: string) =>
      [...w.state.incidents.values()].some((v) => v.title.endsWith(id) && (!state || v.state === state));
    await waitFor(() => walls.every((w) => ids.every((id) => has(w, id))), 15_000, 'incidents on both walls');
    for (const w of walls) expect(w.state.incidents.size).toBe(ids.length);

    // A change made on one process (as dispatch would) reaches the wall on the other.
    const onA = await a.call<IncidentView[]>('board');
    const target = onA.find((v) => v.title.endsWith('SCALE-2'))!;
    await a.call('accept', target.id);
    await waitFor(() => has(walls[1]!, 'SCALE-2', 'accepted'), 10_000, 'the change on the other process');
    const onB = await b.call<IncidentView[]>('board');
    expect(onB.find((v) => v.id === target.id)?.state).toBe('accepted');

    for (const w of walls) w.socket.close();
  }, 60_000);
});
