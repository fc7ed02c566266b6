import { sql } from 'drizzle-orm';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchLat, batchLng, decodePositions } from '@/lib/realtime/position-codec';
import { REDIS_KEYS } from '@/lib/realtime/contract';
import { RedisBus } from '@/server/bus/redis-bus';
import { createLogger } from '@/server/logger';
import { TestRedis } from '../helpers/redis-server';
import { connectWall, idxOf, startTestApp, waitFor, type TestApp } from '../helpers/test-app';

const incident = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  category: 'dispute',
  title: `邻里纠纷 ${id}`,
  lng: 104.06,
  lat: 30.66,
  priority: 2,
  source: 'grid_worker',
  reportedAt: Date.now(),
  ...extra,
});

describe('Redis → server → Socket.IO', () => {
  let redis: TestRedis;
  let t: TestApp;
  let producer: ReturnType<typeof createClient>;

  beforeAll(async () => {
    redis = await TestRedis.start();
    t = await startTestApp({ bus: new RedisBus({ url: redis.url, logger: createLogger('silent') }) });
    producer = createClient({ url: redis.url });
    producer.on('error', () => {});
    await producer.connect();
    await waitFor(() => t.bus.state() === 'up', 10_000, 'redis up');
  });

  afterAll(async () => {
    await producer.close().catch(() => {});
    await t.close();
    await redis.stop();
  });

  it('delivers published vehicle positions to a wall as packed binary', async () => {
    const wall = connectWall(t.url);
    await waitFor(() => wall.batches.find((b) => b.isFull), 5_000, 'snapshot');
    const reports = Array.from({ length: 50 }, (_, k) => ({
      id: `V${k}`,
      lng: 104 + k / 1000,
      lat: 30.5 + k / 1000,
      heading: 90,
      speed: 40,
      status: 'patrol',
      ts: Date.now(),
    }));
    // Redis subscriptions are live a moment after "up"; publish until the server hears it.
    await waitFor(
      async () => {
        await producer.publish(REDIS_KEYS.channel.vehicle, JSON.stringify(reports));
        await new Promise((r) => setTimeout(r, 50));
        return t.app.ctx.live.vehicle.count >= 50;
      },
      5_000,
      'subscription live',
    );
    const seen = await waitFor(
      () => {
        const ids = new Map<number, [number, number]>();
        for (const b of wall.batches) {
          if (!b.vehicle) continue;
          const d = decodePositions(b.vehicle as Uint8Array);
          for (let i = 0; i < d.count; i++) ids.set(d.idx[i]!, [batchLng(d, i), batchLat(d, i)]);
        }
        return ids.size >= 50 ? ids : null;
      },
      10_000,
      '50 vehicles',
    );
    const idxOfV7 = (await idxOf(t.url, 'vehicle', 'V7'))!;
    const [lng, lat] = seen.get(idxOfV7)!;
    expect(lng).toBeCloseTo(104.007, 5);
    expect(lat).toBeCloseTo(30.507, 5);
    // Sequence numbers increase by one per batch.
    wall.batches.forEach((b, k) => expect(b.seq).toBe(k + 1));
    wall.socket.close();
  });

  it('writes XADDed incidents to the database, pushes them, and ignores a duplicate id', async () => {
    const wall = connectWall(t.url);
    await producer.xAdd(REDIS_KEYS.incidentStream, '*', { json: JSON.stringify(incident('INC-1')) });
    await producer.xAdd(REDIS_KEYS.incidentStream, '*', {
      json: JSON.stringify(incident('INC-1', { title: '重复' })),
    });
    await waitFor(
      () => wall.batches.some((b) => b.incidents?.some((i) => i.id === 'INC-1')),
      10_000,
      'incident pushed',
    );
    const rows = await t.app.ctx.sql.all<{ title: string }>(
      sql`SELECT id, title FROM incidents WHERE id = 'INC-1'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.title).toBe('邻里纠纷 INC-1');
    await waitFor(
      () => (t.app.ctx.stats.rejected.get('redis:incident/duplicate') ?? 0) >= 1,
      5_000,
      'duplicate counted',
    );
    const pending = await producer.xPending(REDIS_KEYS.incidentStream, REDIS_KEYS.incidentGroup);
    expect(pending.pending).toBe(0);
    wall.socket.close();
  });

  it('counts 1,000 malformed messages without crashing and keeps serving good ones', async () => {
    const bad: string[] = [];
    for (let k = 0; k < 1000; k++) {
      const variants = [
        '{not json',
        JSON.stringify({ id: `B${k}`, lng: 'east', lat: 30, ts: Date.now() }),
        JSON.stringify({ id: `B${k}`, lng: 999, lat: 30, ts: Date.now() }),
        JSON.stringify({ id: 'x'.repeat(100_000), lng: 104, lat: 30, ts: Date.now() }),
        `{"__proto__":{"polluted":true},"id":"P${k}","lng":104,"lat":30,"ts":${Date.now()}}`.replace(
          '"lng":104',
          '"lng":null',
        ),
        JSON.stringify([{ id: `N${k}`, lng: 104, lat: 30, ts: 'yesterday' }]),
        'null',
        // An hour ahead: kept, clamped to now and counted as adjusted (FIELD_FUTURE_POLICY=clamp), not refused.
        JSON.stringify({ id: `F${k}`, lng: 104, lat: 30, ts: Date.now() + 3_600_000 }),
      ];
      bad.push(variants[k % variants.length]!);
    }
    const before = [...t.app.ctx.stats.rejected.values()].reduce((a, b) => a + b, 0);
    for (const m of bad) await producer.publish(REDIS_KEYS.channel.vehicle, m);
    for (let k = 0; k < 1000; k++) {
      await producer.xAdd(REDIS_KEYS.incidentStream, '*', {
        json: k % 2 ? '{"id":' : JSON.stringify({ ...incident(`BAD${k}`), priority: 9 }),
      });
    }
    await producer.xAdd(REDIS_KEYS.incidentStream, '*', { json: JSON.stringify(incident('GOOD-AFTER-BAD')) });
    await waitFor(
      () => t.app.ctx.sql.get(sql`SELECT 1 AS one FROM incidents WHERE id = 'GOOD-AFTER-BAD'`),
      15_000,
      'good incident after bad ones',
    );
    const after = await waitFor(
      () => {
        const n = [...t.app.ctx.stats.rejected.values()].reduce((a, b) => a + b, 0);
        return n - before >= 2000 - 125 ? n : null;
      },
      15_000,
      'all rejects counted',
    );
    expect(after - before).toBe(2000 - 125); // 125 of the 1,000 were the future-stamped variant
    expect(t.app.ctx.stats.adjusted.get('redis:vehicle/future_clamped')).toBe(125);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const health = (await (await fetch(`${t.url}/api/health`)).json()) as {
      ingest: { rejected: Record<string, number> };
    };
    expect(health.ingest.rejected['redis:vehicle/bad_json']).toBeGreaterThan(0);
    expect(health.ingest.rejected['redis:incident/priority:invalid_union']).toBeGreaterThan(0);
  });

  it('loses no acknowledged incident when Redis is killed mid-stream and restarted', async () => {
    const acked: string[] = [];
    let isRunning = true;
    let n = 0;
    const writer = (async () => {
      while (isRunning) {
        const id = `K-${n++}`;
        try {
          await producer.xAdd(REDIS_KEYS.incidentStream, '*', { json: JSON.stringify(incident(id)) });
          acked.push(id); // Redis acknowledged the XADD (appendfsync always): it must reach the database.
        } catch {
          await new Promise((r) => setTimeout(r, 50));
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    await waitFor(() => acked.length >= 100, 10_000, '100 incidents written');
    await redis.kill();
    await waitFor(() => t.bus.state() === 'down', 5_000, 'health says down');
    const health = (await (await fetch(`${t.url}/api/health`)).json()) as { redis: string; status: string };
    expect(health.redis).toBe('down');
    expect(health.status).toBe('degraded');
    await new Promise((r) => setTimeout(r, 1_000));
    await redis.restart();
    await waitFor(() => t.bus.state() === 'up', 10_000, 'redis back');
    await waitFor(() => acked.length >= 250, 15_000, 'more incidents after restart');
    isRunning = false;
    await writer;
    await waitFor(
      async () => {
        const have = new Set(
          (await t.app.ctx.sql.all<{ id: string }>(sql`SELECT id FROM incidents WHERE id LIKE 'K-%'`)).map(
            (r) => r.id,
          ),
        );
        return acked.every((id) => have.has(id));
      },
      20_000,
      'every acknowledged incident in the database',
    );
  });
});

/** Publishes a report for vehicle `id` every 50 ms until the server has applied it (within 5 s). */
async function publishUntilApplied(
  client: { publish(channel: string, message: string): Promise<unknown> },
  t: TestApp,
  id: string,
  what: string,
): Promise<void> {
  await waitFor(
    async () => {
      await client.publish(
        REDIS_KEYS.channel.vehicle,
        JSON.stringify({ id, lng: 104, lat: 30, ts: Date.now() }),
      );
      await new Promise((r) => setTimeout(r, 50));
      return t.app.ctx.live.vehicle.indexOf(id) !== undefined;
    },
    5_000,
    what,
  );
}

describe('Redis comes back', () => {
  it('re-subscribes after a restart so positions resume without restarting the server', async () => {
    const redis = await TestRedis.start();
    const t = await startTestApp({ bus: new RedisBus({ url: redis.url, logger: createLogger('silent') }) });
    const producer = createClient({ url: redis.url, socket: { reconnectStrategy: () => 100 } });
    producer.on('error', () => {});
    await producer.connect();
    try {
      await waitFor(() => t.bus.state() === 'up', 10_000, 'redis up');
      expect(t.bus.reconnects()).toBe(0);
      await redis.kill();
      await waitFor(() => t.bus.state() === 'down', 5_000, 'down');
      await redis.restart();
      await waitFor(() => t.bus.state() === 'up' && producer.isReady, 10_000, 'up again');
      const wall = connectWall(t.url);
      const restartedAt = Date.now();
      // Resumes within 2 s of Redis being back (DESIGN §5); the bound here is loose because CI is shared.
      await publishUntilApplied(producer, t, 'AFTER', 'position after restart');
      expect(Date.now() - restartedAt).toBeLessThan(5_000);
      // All three connections came back, and /metrics says so.
      expect(t.bus.reconnects()).toBeGreaterThanOrEqual(3);
      const metrics = await (await fetch(`${t.url}/metrics`)).text();
      expect(metrics).toMatch(/^pingan_redis_reconnects [3-9]/m);
      wall.socket.close();
    } finally {
      await producer.close().catch(() => {});
      await t.close();
      await redis.stop();
    }
  });

  it('counts a subscriber Redis dropped (as it does past the pub/sub output buffer limit) and re-subscribes', async () => {
    const redis = await TestRedis.start();
    const t = await startTestApp({ bus: new RedisBus({ url: redis.url, logger: createLogger('silent') }) });
    const admin = createClient({ url: redis.url });
    admin.on('error', () => {});
    await admin.connect();
    try {
      await waitFor(() => t.bus.state() === 'up', 10_000, 'redis up');
      // What Redis does to a subscriber whose backlog passes client-output-buffer-limit pubsub.
      const killed = await admin.sendCommand(['CLIENT', 'KILL', 'TYPE', 'pubsub']);
      expect(killed).toBe(1);
      await waitFor(() => t.bus.reconnects() === 1, 5_000, 'subscriber counted back');
      await publishUntilApplied(admin, t, 'AFTER-KILL', 'position after the subscriber was dropped');
      expect(t.bus.state()).toBe('up');
    } finally {
      await admin.close().catch(() => {});
      await t.close();
      await redis.stop();
    }
  });
});
