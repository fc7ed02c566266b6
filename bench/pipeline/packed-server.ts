/**
 * The real server (child process): createApp with the Redis bus, a fresh SQLite file and the production
 * tick — everything `server/main.ts` runs except the Next.js pages, which play no part in the pipeline.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '@/server/app';
import { RedisBus } from '@/server/bus/redis-bus';
import { loadConfig } from '@/server/config';
import { openSystemOfRecord } from '@/server/db/system-of-record';
import { createLogger } from '@/server/logger';
import { tuneHeap } from '@/server/heap-tuning';
import { processSample, serveParent } from '../lib/child';

tuneHeap();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-bench-'));
const dbPath = path.join(dir, 'bench.db');
const config = loadConfig({
  NODE_ENV: 'production',
  DATABASE_PATH: dbPath,
  SESSION_SECRET: 'x'.repeat(32),
  AUDIT_KEY: 'a'.repeat(32),
  REDIS_URL: process.env.REDIS_URL,
  FIELD_AUTO_REGISTER: '1', // the producer's ids are new to this database
  // B7ingest runs the same server with history off and on.
  HISTORY_ENABLED: process.env.HISTORY_ENABLED ?? '1',
});
const logger = createLogger('error');
const records = await openSystemOfRecord(config, logger);
const bus = new RedisBus({ url: config.REDIS_URL!, logger, consumerName: `bench-${process.pid}` });
const app = await createApp({ config, sql: records.sql, historyDb: records.historyDb, bus, logger });

let url = '';
async function start() {
  const port = await app.listen(0, '127.0.0.1');
  url = `http://127.0.0.1:${port}`;
  while (bus.state() !== 'up') await new Promise((r) => setTimeout(r, 50));
  return { port, url };
}

/** The history worker's backlog, points recorded and points its full ring turned away, from the server's /metrics (0 with history off). */
async function history() {
  const text = await (await fetch(`${url}/metrics`)).text();
  const metric = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  const memoryMb: Record<string, number> = {};
  for (const m of text.matchAll(/^pingan_history_memory_bytes\{part="(\w+)"\} (\S+)$/gm))
    memoryMb[m[1]!] = Math.round(Number(m[2]) / 2 ** 20);
  return {
    backlog: metric('pingan_history_backlog_points'),
    points: metric('pingan_history_points_total'),
    ringDropped: metric('pingan_history_queue_dropped_points_total'),
    partialWrites: metric('pingan_history_partial_writes_total'),
    memoryMb,
  };
}

function sample() {
  const live = app.ctx.live;
  return {
    ...processSample(),
    vehicles: live.vehicle.count,
    clients: app.hub.clientCount,
    // Redis drops a subscriber whose backlog passes its pub/sub output buffer limit: each is a reconnect.
    busReconnects: bus.reconnects(),
    hub: { ...app.hub.metrics },
  };
}

async function stop() {
  await app.close();
  await records.close();
  fs.rmSync(dir, { recursive: true, force: true });
  setTimeout(() => process.exit(0), 10);
  return {};
}

serveParent({ start, sample, stop, history });
