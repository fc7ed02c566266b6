/**
 * Issue 16 item 11: the scale-out relay must not trust whoever can PUBLISH on Redis. Two real server
 * processes share one redis-server and one SQLite file (as behind a load balancer) and one SESSION_SECRET;
 * a forged message that would close an incident, or a genuine one replayed, changes nothing on any wall,
 * while genuine relaying still works.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VEHICLE_STATUSES } from '@/lib/domain/enums';
import type { IncidentView } from '@/lib/domain/incident';
import { REDIS_KEYS } from '@/lib/realtime/contract';
import { applyBatch, createClientState } from '@/lib/realtime/client-store';
import { INCIDENT_RELAY_CHANNEL } from '@/server/scale/incident-relay';
import { BenchChild } from '../../bench/lib/child';
import { TestRedis } from '../helpers/redis-server';
import { connectWall, idxOf, waitFor } from '../helpers/test-app';

const SESSION_SECRET = 'relay-test-session-secret-0123456789abcdef';

function wallAt(url: string) {
  const w = connectWall(url);
  const state = createClientState();
  w.socket.on('wall:batch', (batch) => void applyBatch(state, batch));
  return { ...w, state };
}
type Wall = ReturnType<typeof wallAt>;

describe('scale-out relay: only messages from a process holding the shared secret count', () => {
  let redis: TestRedis;
  let dir: string;
  let a: BenchChild;
  let b: BenchChild;
  let urls: string[];
  let walls: Wall[];
  let producer: ReturnType<typeof createClient>;
  let tap: ReturnType<typeof createClient>;
  const tapped: string[] = [];

  beforeAll(async () => {
    redis = await TestRedis.start();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-relay-'));
    const env = { REDIS_URL: redis.url, DATABASE_PATH: path.join(dir, 'shared.db'), SESSION_SECRET };
    a = new BenchChild('relay-a', 'tests/integration/scale-out-process.ts', env);
    const ua = await a.call<{ url: string }>('start');
    b = new BenchChild('relay-b', 'tests/integration/scale-out-process.ts', env);
    const ub = await b.call<{ url: string }>('start');
    urls = [ua.url, ub.url];
    producer = createClient({ url: redis.url });
    producer.on('error', () => {});
    await producer.connect();
    // What anyone on Redis can read: the genuine messages, captured for replay.
    tap = producer.duplicate();
    tap.on('error', () => {});
    await tap.connect();
    await tap.subscribe(INCIDENT_RELAY_CHANNEL, (raw) => void tapped.push(raw));
    walls = urls.map(wallAt);
    await waitFor(() => walls.every((w) => w.state.lastSeq > 0), 10_000, 'snapshots');
  }, 90_000);

  afterAll(async () => {
    for (const w of walls ?? []) w.socket.close();
    await tap?.close().catch(() => {});
    await producer?.close().catch(() => {});
    for (const c of [a, b]) await c?.call('stop').catch(() => {});
    for (const c of [a, b]) await c?.stop();
    await redis?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const stateOn = (w: Wall, title: string) =>
    [...w.state.incidents.values()].find((v) => v.title === title)?.state;

  /** Every process has handled whatever was published before this: a genuine change each way has crossed. */
  async function barrier(tag: string): Promise<void> {
    for (const [from, to] of [
      [a, walls[1]!],
      [b, walls[0]!],
    ] as const) {
      const title = `屏障 ${tag} ${from.name}`;
      await producer.xAdd(REDIS_KEYS.incidentStream, '*', {
        [REDIS_KEYS.incidentField]: JSON.stringify({
          id: `BARRIER-${tag}-${from.name}`,
          category: 'other',
          title,
          lng: 120.15,
          lat: 30.28,
          priority: 4,
          source: 'grid_worker',
          reportedAt: Date.now(),
        }),
      });
      await waitFor(() => walls.every((w) => stateOn(w, title)), 10_000, `${title} on both walls`);
      const view = (await from.call<IncidentView[]>('board')).find((v) => v.title === title)!;
      await from.call('accept', view.id);
      await waitFor(() => stateOn(to, title) === 'accepted', 10_000, `${title} accepted across`);
    }
  }

  it('relays a genuine incident, and a forged PUBLISH that would close it does nothing on either wall', async () => {
    await producer.xAdd(REDIS_KEYS.incidentStream, '*', {
      [REDIS_KEYS.incidentField]: JSON.stringify({
        id: 'RELAY-1',
        category: 'public_security',
        title: '治安隐患 RELAY-1',
        lng: 120.15,
        lat: 30.28,
        priority: 1,
        source: 'police_110',
        reportedAt: Date.now(),
      }),
    });
    await waitFor(
      () => walls.every((w) => stateOn(w, '治安隐患 RELAY-1') === 'reported'),
      15_000,
      'the incident on both walls (one process got it from the stream, the other by relay)',
    );
    const view = (await a.call<IncidentView[]>('board')).find((v) => v.id === 'RELAY-1')!;
    const closed = { ...view, state: 'closed', updatedAt: Date.now() + 60_000 };
    // The message as the relay used to accept it, and the same wearing a made-up signature.
    await producer.publish(INCIDENT_RELAY_CHANNEL, JSON.stringify({ v: 2, from: 'mallory', view: closed }));
    await producer.publish(
      INCIDENT_RELAY_CHANNEL,
      JSON.stringify({ v: 3, from: 'mallory', ts: Date.now(), seq: 1, view: closed, mac: 'ab'.repeat(32) }),
    );
    await barrier('forged');
    for (const w of walls) expect(stateOn(w, '治安隐患 RELAY-1')).toBe('reported');
    for (const c of [a, b]) {
      expect((await c.call<IncidentView[]>('board')).find((v) => v.id === 'RELAY-1')?.state).toBe('reported');
      const rejected = await c.call<Record<string, number>>('rejected');
      const relayDrops = Object.entries(rejected)
        .filter(([k]) => k.startsWith('redis:relay/'))
        .reduce((n, [, v]) => n + v, 0);
      expect(relayDrops).toBeGreaterThanOrEqual(2);
    }
  }, 60_000);

  it('drops a genuine message replayed later: a unit is not sent back to responding', async () => {
    const report = { id: 'V-relay-1', lng: 120.15, lat: 30.28, status: 'patrol', ts: Date.now() };
    const idx = await waitFor(
      async () => {
        await producer.publish(REDIS_KEYS.channel.vehicle, JSON.stringify([{ ...report, ts: Date.now() }]));
        await new Promise((r) => setTimeout(r, 100));
        const i = await Promise.all(urls.map((u) => idxOf(u, 'vehicle', 'V-relay-1')));
        return i.every((x) => x !== undefined) ? (i as number[]) : null;
      },
      10_000,
      'the vehicle on both processes',
    );
    const statusOnB = () => walls[1]!.state.entities.vehicle.status[idx[1]!];
    tapped.length = 0;
    await a.call('setVehicleStatus', { id: 'V-relay-1', status: 'responding' });
    await waitFor(() => statusOnB() === VEHICLE_STATUSES.indexOf('responding'), 10_000, 'responding on B');
    const captured = tapped.find((m) => m.includes('V-relay-1') && m.includes('responding'));
    expect(captured).toBeDefined();
    await a.call('setVehicleStatus', { id: 'V-relay-1', status: 'patrol' });
    await waitFor(() => statusOnB() === VEHICLE_STATUSES.indexOf('patrol'), 10_000, 'patrol on B');

    await producer.publish(INCIDENT_RELAY_CHANNEL, captured!);
    await barrier('replay');
    expect(statusOnB()).toBe(VEHICLE_STATUSES.indexOf('patrol'));
  }, 60_000);
});
