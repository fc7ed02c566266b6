import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STALE_AFTER_MS, telemetryStreamKey } from '@/lib/realtime/contract';
import { RedisBus } from '@/server/bus/redis-bus';
import { createLogger } from '@/server/logger';
import { TestRedis } from '../helpers/redis-server';
import { startTestApp, waitFor, type TestApp } from '../helpers/test-app';

const UNITS = 200;
const BURST_MESSAGES = 1_500;
/** The server reads nothing this long while the burst is added (its event loop blocked). */
const STALL_MS = 2_000;
const SHARDS = 3;

const report = (k: number, ts: number, lng = 104 + k / 1000) => ({
  id: `S${k}`,
  lng,
  lat: 30.5 + k / 1000,
  heading: 90,
  speed: 30,
  status: 'patrol',
  ts,
});

function respXadd(key: string, payload: string, maxLen?: number): string {
  const arg = (s: string) => `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
  const trim = maxLen ? [arg('MAXLEN'), arg('~'), arg(String(maxLen))] : [];
  return `*${5 + trim.length}\r\n${arg('XADD')}${arg(key)}${trim.join('')}${arg('*')}${arg('json')}${arg(payload)}`;
}

/** Adds the RESP commands from another process while this one (the server) reads nothing for STALL_MS. */
async function addWhileStalled(dir: string, port: number, commands: string[]): Promise<void> {
  const file = path.join(dir, 'burst.resp');
  fs.writeFileSync(file, commands.join(''));
  const fd = fs.openSync(file, 'r');
  const cli = spawn('redis-cli', ['-p', String(port), '--pipe'], { stdio: [fd, 'ignore', 'ignore'] });
  const done = new Promise((r) => cli.once('exit', r));
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, STALL_MS);
  await done;
  fs.closeSync(fd);
}

describe('TELEMETRY_TRANSPORT=stream', () => {
  let redis: TestRedis;
  let t: TestApp;
  let producer: RedisBus;
  let admin: ReturnType<typeof createClient>;
  const streamOpts = { transport: 'stream' as const, streamShards: SHARDS, streamMaxLen: 100_000 };

  beforeAll(async () => {
    redis = await TestRedis.start();
    admin = createClient({ url: redis.url });
    admin.on('error', () => {});
    await admin.connect();
    // The limit that drops a pub/sub subscriber in pubsub-burst.test.ts: streams do not care.
    await admin.configSet('client-output-buffer-limit', 'pubsub 262144 131072 1');
    t = await startTestApp({
      bus: new RedisBus({ url: redis.url, logger: createLogger('silent'), ...streamOpts }),
    });
    producer = new RedisBus({ url: redis.url, logger: createLogger('silent'), ...streamOpts });
    await waitFor(() => t.bus.state() === 'up' && producer.state() === 'up', 10_000, 'redis up');
  });

  afterAll(async () => {
    await producer.close();
    await admin.close().catch(() => {});
    await t.close();
    await redis.stop();
  });

  it('spreads reports over the shards and keeps the newest per unit whatever order they are read in', async () => {
    const live = t.app.ctx.live;
    const base = Date.now();
    // Newest first: unit S0's older report lands on another shard after its newer one.
    await producer.publishTelemetry('vehicle', JSON.stringify([report(0, base + 10, 104.5)]));
    await producer.publishTelemetry('vehicle', JSON.stringify([report(0, base, 104.1)]));
    await producer.publishTelemetry(
      'vehicle',
      JSON.stringify(Array.from({ length: UNITS }, (_, k) => report(k, k === 0 ? base - 5 : base))),
    );
    await waitFor(() => live.vehicle.count >= UNITS, 5_000, 'all units');
    const i0 = live.vehicle.indexOf('S0')!;
    expect(live.vehicle.ts[i0]).toBe(base + 10);
    expect(live.vehicle.lng[i0]).toBeCloseTo(104.5, 6);
    for (let s = 0; s < SHARDS; s++)
      expect(await admin.xLen(telemetryStreamKey('vehicle', s)), `shard ${s}`).toBe(1);
  });

  it('loses nothing of a burst the server cannot read as it comes', async () => {
    const live = t.app.ctx.live;
    const base = Date.now() + 1_000;
    const reconnects = t.bus.reconnects();
    const file = path.join(redis.dir, 'burst.resp');
    fs.writeFileSync(
      file,
      Array.from({ length: BURST_MESSAGES }, (_, m) =>
        respXadd(
          telemetryStreamKey('vehicle', m % SHARDS),
          JSON.stringify(Array.from({ length: UNITS }, (_, k) => report(k, base + m))),
        ),
      ).join(''),
    );
    const fd = fs.openSync(file, 'r');
    const cli = spawn('redis-cli', ['-p', String(redis.port), '--pipe'], { stdio: [fd, 'ignore', 'ignore'] });
    const done = new Promise((r) => cli.once('exit', r));
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, STALL_MS);
    await done;
    fs.closeSync(fd);
    const last = base + BURST_MESSAGES - 1;
    await waitFor(
      () =>
        Array.from({ length: UNITS }, (_, k) => live.vehicle.indexOf(`S${k}`)!).every(
          (i) => live.vehicle.ts[i] === last,
        ),
      20_000,
      'every unit at its last report',
    );
    expect(t.bus.reconnects()).toBe(reconnects);
  });

  it('shows units as lagging when the stream was trimmed past what the server read', async () => {
    const live = t.app.ctx.live;
    const n = 1_000;
    const key = telemetryStreamKey('vehicle', 0);
    const unit = (m: number, ts: number) => ({ ...report(m, ts), id: `T${m}` });
    const first = Date.now();
    await producer.publishTelemetry(
      'vehicle',
      JSON.stringify(Array.from({ length: n }, (_, m) => unit(m, first))),
    );
    await waitFor(() => live.vehicle.indexOf(`T${n - 1}`) !== undefined, 5_000, 'units known');
    // One report per entry, unit m in entry m; Redis keeps the stream near 100 entries while the server stalls.
    const base = first + 1_000;
    await addWhileStalled(
      redis.dir,
      redis.port,
      Array.from({ length: n }, (_, m) => respXadd(key, JSON.stringify([unit(m, base + m)]), 100)),
    );
    const tsOf = (m: number) => live.vehicle.ts[live.vehicle.indexOf(`T${m}`)!]!;
    await waitFor(() => tsOf(n - 1) === base + n - 1, 10_000, 'the last entry read');
    const now = Date.now();
    // The first entries were trimmed unread: those units' newest reports are lost, so they are not live.
    for (let m = 0; m < n / 2; m++) expect(now - tsOf(m), `T${m}`).toBeGreaterThan(STALE_AFTER_MS.vehicle);
  });
});
