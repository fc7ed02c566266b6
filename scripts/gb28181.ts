/**
 * The GB/T 28181 SIP listener on its own (`tsx scripts/gb28181.ts`): device keepalives and catalogs in over
 * UDP, CameraReports out on Redis.
 * Env: REDIS_URL (required), GB28181_PORT (default 5060), GB28181_HOST, GB28181_PASSWORD, GB28181_REALM,
 * GB28181_PLATFORM_ID, GB28181_KEEPALIVE_S (default 60), GB28181_MISSED_KEEPALIVES (default 3), DATABASE_PATH
 * (the server database: provisioned devices from field_devices, re-read every 10 s; last_seen_at and
 * last_address are written back), FIELD_AUTO_REGISTER (`1`: unknown devices register themselves, as in demo).
 * Without FIELD_AUTO_REGISTER, DATABASE_PATH is required. The server and this listener must share
 * GB28181_REALM: per-device passwords are stored as MD5(id:realm:password).
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import { Registry } from 'prom-client';
import { z } from 'zod';
import { sqliteSqlDb } from '@/server/db/sql-db';
import { RedisBus } from '@/server/bus/redis-bus';
import { IngestStats } from '@/server/ingest/ingest-stats';
import { createLogger } from '@/server/logger';
import { createDeviceDirectory, type DeviceDirectory } from '@/server/protocols/gb28181/device-directory';
import { startGb28181Listener } from '@/server/protocols/gb28181/listener';

const STATS_LOG_EVERY_MS = 60_000;

const env = z
  .object({
    REDIS_URL: z.string().url(),
    GB28181_PORT: z.coerce.number().int().min(0).max(65_535).default(5060),
    GB28181_HOST: z.string().optional(),
    GB28181_PASSWORD: z.string().min(1).optional(),
    GB28181_REALM: z
      .string()
      .regex(/^\d{10}$/)
      .optional(),
    GB28181_PLATFORM_ID: z
      .string()
      .regex(/^\d{20}$/)
      .optional(),
    GB28181_KEEPALIVE_S: z.coerce.number().int().positive().default(60),
    GB28181_MISSED_KEEPALIVES: z.coerce.number().int().positive().default(3),
    GB28181_MAX_CHANNELS: z.coerce.number().int().positive().optional(),
    DATABASE_PATH: z.string().min(1).optional(),
    FIELD_AUTO_REGISTER: z.enum(['0', '1', 'true', 'false']).optional(),
  })
  .parse(process.env);
const autoRegister = env.FIELD_AUTO_REGISTER === '1' || env.FIELD_AUTO_REGISTER === 'true';

const logger = createLogger();
const stats = new IngestStats(new Registry(), logger);
const bus = new RedisBus({ url: env.REDIS_URL, logger });
const hasDatabase = env.DATABASE_PATH !== undefined && fs.existsSync(env.DATABASE_PATH);
if (!autoRegister && !hasDatabase) {
  // Outside auto-registration only provisioned devices are accepted: without the database there are none.
  logger.fatal('DATABASE_PATH (the server database) is required unless FIELD_AUTO_REGISTER=1');
  process.exit(2);
}
let directory: DeviceDirectory | undefined;
if (hasDatabase) {
  // Read-write for last_seen_at / last_address only; the server owns the schema and its migrations.
  const sqlite = new Database(env.DATABASE_PATH!, { fileMustExist: true });
  sqlite.pragma('busy_timeout = 2000');
  directory = await createDeviceDirectory(sqliteSqlDb(sqlite), { logger });
}
const listener = await startGb28181Listener({
  port: env.GB28181_PORT,
  host: env.GB28181_HOST,
  bus,
  logger,
  stats,
  password: env.GB28181_PASSWORD,
  realm: env.GB28181_REALM,
  platformId: env.GB28181_PLATFORM_ID,
  keepaliveIntervalMs: env.GB28181_KEEPALIVE_S * 1_000,
  missedKeepalives: env.GB28181_MISSED_KEEPALIVES,
  maxCatalogChannels: env.GB28181_MAX_CHANNELS,
  devices: directory,
  autoRegister,
});
const statsTimer = setInterval(() => {
  logger.info(
    {
      devices: listener.devices(),
      accepted: stats.accepted,
      rejected: stats.rejectedObject(),
      redis: bus.state(),
    },
    'gb28181 stats',
  );
}, STATS_LOG_EVERY_MS);

let isStopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (isStopping) return;
    isStopping = true;
    clearInterval(statsTimer);
    void listener
      .close()
      .then(() => directory?.close())
      .then(() => bus.close())
      .finally(() => process.exit(0));
  });
}
