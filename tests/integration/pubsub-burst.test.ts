import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_KEYS, STALE_AFTER_MS, type EntityIdPage } from '@/lib/realtime/contract';
import { applyBatch, createClientState } from '@/lib/realtime/client-store';
import { batchTs, decodePositions } from '@/lib/realtime/position-codec';
import { RedisBus } from '@/server/bus/redis-bus';
import { freePort, TestRedis } from '../helpers/redis-server';
import { connectWall, startTestApp, waitFor, type TestApp } from '../helpers/test-app';

/** Units on the feed; the first RE_REPORTED report again after the drop, the rest do not. */
const UNITS = 200;
const RE_REPORTED = 50;
/** Redis drops a subscriber whose unread backlog passes this (the default is 32 MB). */
const HARD_LIMIT_BYTES = 256 * 1024;
/** The burst: far more than the limit plus whatever the kernel's socket buffers hold. */
const BURST_MESSAGES = 1_500;
/** How long the server stops reading while the burst is published (its event loop blocked). */
const STALL_MS = 2_000;

const report = (k: number, ts: number) => ({
  id: `B${k}`,
  lng: 104 + k / 1000,
  lat: 30.5 + k / 1000,
  heading: 90,
  speed: 30,
  status: 'patrol',
  ts,
});

/** RESP for one PUBLISH, byte lengths and all, for `redis-cli --pipe`. */
function respPublish(channel: string, payload: string): string {
  const arg = (s: string) => `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
  return `*3\r\n${arg('PUBLISH')}${arg(channel)}${arg(payload)}`;
}

/** Collects pino's JSON lines, to read what the bus logged. */
function captureLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n'))
        if (l.startsWith('{')) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

describe('a burst that gets the subscription dropped', () => {
  let redis: TestRedis;
  let t: TestApp;
  let producer: ReturnType<typeof createClient>;
  const log = captureLogger();

  beforeAll(async () => {
    redis = await TestRedis.start();
    producer = createClient({ url: redis.url });
    producer.on('error', () => {});
    await producer.connect();
    await producer.configSet(
      'client-output-buffer-limit',
      `pubsub ${HARD_LIMIT_BYTES} ${HARD_LIMIT_BYTES / 2} 1`,
    );
    const bus = new RedisBus({ url: redis.url, logger: log.logger, peakReportRate: 100_000 });
    t = await startTestApp({ bus });
    await waitFor(() => t.bus.state() === 'up', 10_000, 'redis up');
  });

  afterAll(async () => {
    await producer.close().catch(() => {});
    await t.close();
    await redis.stop();
  });

  it('reads the pub/sub buffer limit at start-up and warns that it is below the configured rate', async () => {
    const line = await waitFor(
      () => log.lines.find((l) => l.hardBytes !== undefined),
      5_000,
      'capacity logged',
    );
    expect(line.hardBytes).toBe(HARD_LIMIT_BYTES);
    // 256 KiB holds ~2,400 reports: 0.02 s at 100,000 a second.
    expect(line.level).toBe(40);
    expect(line.stallSeconds).toBeLessThan(1);
  });

  it('shows every unit not re-reported since as lagging, never live', async () => {
    const live = t.app.ctx.live;
    const first = Date.now();
    const all = Array.from({ length: UNITS }, (_, k) => report(k, first));
    await waitFor(
      async () => {
        await producer.publish(REDIS_KEYS.channel.vehicle, JSON.stringify(all));
        await new Promise((r) => setTimeout(r, 50));
        return live.vehicle.count >= UNITS;
      },
      5_000,
      'all units live',
    );
    const reconnectsBefore = t.bus.reconnects();
    // A wall open through it all, holding its state as the page does.
    const ids0 = (await (await fetch(`${t.url}/api/live/vehicle/ids`)).json()) as EntityIdPage;
    const before = connectWall(t.url);
    const held = createClientState();
    await waitFor(() => before.batches.some((b) => b.isFull && b.vehicle), 5_000, 'first snapshot');

    // The burst: half the units report again (newer), many times over, from another process while this one
    // (the server) reads nothing.
    const burstTs = first + 1_000;
    // Only the second half bursts: the first half has nothing newer after the loss, so a wall open all along
    // learns they lag from the loss itself, not from a delta that happens to carry them again.
    const payload = JSON.stringify(
      Array.from({ length: UNITS / 2 }, (_, k) => report(UNITS / 2 + k, burstTs)),
    );
    const file = path.join(redis.dir, 'burst.resp');
    fs.writeFileSync(
      file,
      Array.from({ length: BURST_MESSAGES }, () => respPublish(REDIS_KEYS.channel.vehicle, payload)).join(''),
    );
    const fd = fs.openSync(file, 'r');
    const cli = spawn('redis-cli', ['-p', String(redis.port), '--pipe'], { stdio: [fd, 'ignore', 'ignore'] });
    const cliDone = new Promise((r) => cli.once('exit', r));
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, STALL_MS);
    await cliDone;
    fs.closeSync(fd);

    // Redis dropped the server's subscription; node-redis reconnects and resubscribes by itself.
    await waitFor(() => t.bus.reconnects() > reconnectsBefore, 10_000, 'subscription dropped and back');
    expect(log.lines.some((l) => String(l.msg).includes('redis subscription back'))).toBe(true);

    // Only the first RE_REPORTED units report after the drop.
    const after = Date.now() + 2_000;
    const fresh = JSON.stringify(Array.from({ length: RE_REPORTED }, (_, k) => report(k, after)));
    await waitFor(
      async () => {
        await producer.publish(REDIS_KEYS.channel.vehicle, fresh);
        await new Promise((r) => setTimeout(r, 50));
        return live.vehicle.ts[live.vehicle.indexOf('B0')!] === after;
      },
      10_000,
      'fresh reports applied',
    );

    // The wall open all along was told of the loss in a delta (no second snapshot) and holds what the server
    // does: the re-reported units live, every other one lagging.
    let applied = 0;
    const heldLive = () => {
      for (; applied < before.batches.length; applied++)
        expect(applyBatch(held, before.batches[applied]!).ok).toBe(true);
      const now = Date.now();
      const out: string[] = [];
      const hv = held.entities.vehicle;
      for (let i = 0; i < hv.count; i++)
        if (hv.present[i] === 1 && now - hv.ts[i]! <= STALE_AFTER_MS.vehicle)
          out.push(ids0.ids[i - ids0.from]!);
      return out.sort().join();
    };
    const expectedLive = Array.from({ length: RE_REPORTED }, (_, k) => `B${k}`).sort();
    await waitFor(() => heldLive() === expectedLive.join(), 5_000, 'the open wall holds the loss');
    before.socket.close();
    expect(before.batches.filter((b) => b.isFull)).toHaveLength(1);
    expect(before.batches.filter((b) => b.reportsLostAt)).toHaveLength(1);

    // What a wall connecting now is shown.
    const ids = (await (await fetch(`${t.url}/api/live/vehicle/ids`)).json()) as EntityIdPage;
    const wall = connectWall(t.url);
    const full = await waitFor(() => wall.batches.find((b) => b.isFull && b.vehicle), 5_000, 'snapshot');
    wall.socket.close();
    const d = decodePositions(full.vehicle as Uint8Array);
    const now = Date.now();
    const liveIds = new Set<string>();
    const staleIds = new Set<string>();
    for (let i = 0; i < d.count; i++) {
      const id = ids.ids[d.idx[i]! - ids.from]!;
      (now - batchTs(d, i) <= STALE_AFTER_MS.vehicle ? liveIds : staleIds).add(id);
    }
    expect([...liveIds].sort()).toEqual(expectedLive);
    expect(staleIds.size).toBe(UNITS - RE_REPORTED);
    // The server's own reading (stats, dispatch) agrees: not live.
    for (let k = RE_REPORTED; k < UNITS; k++) {
      const i = live.vehicle.indexOf(`B${k}`)!;
      expect(now - live.vehicle.ts[i]!).toBeGreaterThan(STALE_AFTER_MS.vehicle);
    }
  });
});

describe('a managed Redis with CONFIG disabled', () => {
  it('starts anyway, says the capacity is unknown, and delivers telemetry', async () => {
    const port = await freePort();
    const proc = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--rename-command', 'CONFIG', '""'],
      { stdio: 'ignore' },
    );
    const log = captureLogger();
    const bus = new RedisBus({ url: `redis://127.0.0.1:${port}`, logger: log.logger, peakReportRate: 1e6 });
    const producer = createClient({ url: `redis://127.0.0.1:${port}` });
    producer.on('error', () => {});
    try {
      await waitFor(() => bus.state() === 'up', 10_000, 'redis up');
      const got: string[] = [];
      await bus.onTelemetry((_kind, raw) => got.push(Buffer.from(raw).toString()));
      await waitFor(
        () => log.lines.find((l) => String(l.msg).includes('CONFIG GET refused')),
        5_000,
        'refusal logged',
      );
      await producer.connect();
      await waitFor(
        async () => {
          await producer.publish(REDIS_KEYS.channel.vehicle, '[]');
          return got.length > 0;
        },
        5_000,
        'telemetry delivered',
      );
    } finally {
      await producer.close().catch(() => {});
      await bus.close();
      proc.kill('SIGKILL');
    }
  });
});
