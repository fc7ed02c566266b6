/**
 * Telemetry transports side by side (issue 20): one burst of position reports, added by `redis-cli --pipe`
 * (another process, as fast as Redis takes it), read by the server's RedisBus with a consumer that parses
 * every payload (the ingest's first cost). Redis at its defaults (`client-output-buffer-limit pubsub` 32 MB).
 * Per transport: reports delivered out of those sent, whether the subscription was dropped, and the rate from
 * the first report read to the last.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REDIS_KEYS, telemetryStreamKey } from '@/lib/realtime/contract';
import { RedisBus } from '@/server/bus/redis-bus';
import { createLogger } from '@/server/logger';
import { TestRedis } from '../../tests/helpers/redis-server';

const REPORTS_PER_MESSAGE = 2_000;
const MESSAGES = 300; // 600,000 reports, ~68 MB: twice the default pub/sub buffer
const SHARDS = 4;
/** After the last report read, this long with nothing more means the burst is over. */
const QUIET_MS = 2_000;

export interface TransportRun {
  transport: 'pubsub' | 'stream';
  sent: number;
  delivered: number;
  dropped: boolean;
  reportsPerS: number;
  drainS: number;
}

function resp(args: string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
}

function payload(m: number): string {
  const ts = Date.now();
  const out: string[] = [];
  for (let k = 0; k < REPORTS_PER_MESSAGE; k++) {
    const id = `BV${String((m * REPORTS_PER_MESSAGE + k) % 100_000).padStart(6, '0')}`;
    out.push(
      `{"id":"${id}","lng":${(104 + k / 1e5).toFixed(6)},"lat":${(30.6 + m / 1e5).toFixed(6)},"speed":${k % 80},"status":"patrol","heading":${k % 360},"ts":${ts}}`,
    );
  }
  return `[${out.join(',')}]`;
}

async function runOne(transport: 'pubsub' | 'stream', dir: string): Promise<TransportRun> {
  const redis = await TestRedis.start();
  const bus = new RedisBus({
    url: redis.url,
    logger: createLogger('silent'),
    transport,
    streamShards: SHARDS,
    streamMaxLen: 1_000_000,
  });
  try {
    while (bus.state() !== 'up') await new Promise((r) => setTimeout(r, 50));
    let delivered = 0;
    let first = 0;
    let last = 0;
    await bus.onTelemetry((_kind, raw) => {
      const reports = JSON.parse(typeof raw === 'string' ? raw : Buffer.from(raw).toString()) as unknown[];
      delivered += reports.length;
      last = performance.now();
      if (!first) first = last;
    });
    const file = path.join(dir, `burst-${transport}.resp`);
    const fd0 = fs.openSync(file, 'w');
    for (let m = 0; m < MESSAGES; m++) {
      const p = payload(m);
      fs.writeSync(
        fd0,
        transport === 'pubsub'
          ? resp(['PUBLISH', REDIS_KEYS.channel.vehicle, p])
          : resp(['XADD', telemetryStreamKey('vehicle', m % SHARDS), '*', 'json', p]),
      );
    }
    fs.closeSync(fd0);
    const reconnects = bus.reconnects();
    const fd = fs.openSync(file, 'r');
    const cli = spawn('redis-cli', ['-p', String(redis.port), '--pipe'], { stdio: [fd, 'ignore', 'ignore'] });
    await new Promise((r) => cli.once('exit', r));
    fs.closeSync(fd);
    fs.rmSync(file);
    const sent = MESSAGES * REPORTS_PER_MESSAGE;
    while (delivered < sent && (last === 0 || performance.now() - last < QUIET_MS))
      await new Promise((r) => setTimeout(r, 50));
    const drainS = (last - first) / 1000;
    return {
      transport,
      sent,
      delivered,
      dropped: bus.reconnects() > reconnects,
      reportsPerS: drainS > 0 ? Math.round(delivered / drainS) : 0,
      drainS: +drainS.toFixed(2),
    };
  } finally {
    await bus.close();
    await redis.stop();
  }
}

export async function runTransportBench(log: (s: string) => void): Promise<TransportRun[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-transport-'));
  const out: TransportRun[] = [];
  try {
    for (const t of ['pubsub', 'stream'] as const) {
      const r = await runOne(t, dir);
      log(
        `transport ${t}: ${r.delivered.toLocaleString()}/${r.sent.toLocaleString()} reports delivered` +
          `${r.dropped ? ' (subscription dropped)' : ''}, ${r.reportsPerS.toLocaleString()}/s over ${r.drainS} s`,
      );
      out.push(r);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const runs = await runTransportBench((s) => console.log(s));
  console.log(JSON.stringify(runs, null, 2));
  process.exit(0);
}
