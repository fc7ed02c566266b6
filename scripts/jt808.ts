/**
 * The JT/T 808 gateway on its own (`npm run jt808`): terminals in over TCP, VehicleReports out on Redis.
 * Env: REDIS_URL (required), JT808_PORT (default 6808: 808 itself needs root), JT808_HOST, JT808_CRS,
 * JT808_MAX_TERMINALS, JT808_MAX_PER_IP, DATABASE_PATH (read-only: the provisioned terminals, from
 * vehicles.terminal_phone / terminal_auth_hash / disabled_at, re-read every 10 s), FIELD_AUTO_REGISTER (`1`:
 * unknown terminals register themselves, as in demo; then JT808_AUTH_SECRET signs their codes),
 * FIELD_MAX_FUTURE_MS, FIELD_FUTURE_POLICY. Without FIELD_AUTO_REGISTER, DATABASE_PATH is required.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import { Registry } from 'prom-client';
import { z } from 'zod';
import { CrsSchema } from '@/lib/domain/common';
import { RedisBus } from '@/server/bus/redis-bus';
import { IngestStats } from '@/server/ingest/ingest-stats';
import { createLogger } from '@/server/logger';
import { sqliteSqlDb } from '@/server/db/sql-db';
import { startJt808Gateway } from '@/server/protocols/jt808/gateway';
import { createTerminalDirectory, type TerminalDirectory } from '@/server/protocols/jt808/terminal-directory';

const STATS_LOG_EVERY_MS = 60_000;

const env = z
  .object({
    REDIS_URL: z.string().url(),
    JT808_PORT: z.coerce.number().int().min(0).max(65_535).default(6808),
    JT808_HOST: z.string().optional(),
    JT808_AUTH_SECRET: z.string().min(16).optional(),
    JT808_CRS: CrsSchema.optional(),
    JT808_MAX_TERMINALS: z.coerce.number().int().positive().optional(),
    JT808_MAX_PER_IP: z.coerce.number().int().positive().optional(),
    DATABASE_PATH: z.string().min(1).optional(),
    FIELD_AUTO_REGISTER: z.enum(['0', '1', 'true', 'false']).optional(),
    FIELD_MAX_FUTURE_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
    FIELD_FUTURE_POLICY: z.enum(['clamp', 'reject']).default('clamp'),
  })
  .parse(process.env);
const autoRegister = env.FIELD_AUTO_REGISTER === '1' || env.FIELD_AUTO_REGISTER === 'true';

const logger = createLogger();
const stats = new IngestStats(new Registry(), logger);
const bus = new RedisBus({ url: env.REDIS_URL, logger });
let directory: TerminalDirectory | undefined;
if (!autoRegister && !(env.DATABASE_PATH && fs.existsSync(env.DATABASE_PATH))) {
  // Outside auto-registration only provisioned terminals are accepted: without the database there are none.
  logger.fatal('DATABASE_PATH (the server database, read-only) is required unless FIELD_AUTO_REGISTER=1');
  process.exit(2);
}
if (env.DATABASE_PATH && fs.existsSync(env.DATABASE_PATH)) {
  // Read-only: the server owns the schema and its migrations; we only look terminals up.
  const sqlite = new Database(env.DATABASE_PATH, { readonly: true, fileMustExist: true });
  directory = await createTerminalDirectory(sqliteSqlDb(sqlite), { logger });
}
const gateway = await startJt808Gateway({
  port: env.JT808_PORT,
  host: env.JT808_HOST,
  bus,
  logger,
  stats,
  authSecret: env.JT808_AUTH_SECRET,
  crs: env.JT808_CRS,
  maxTerminals: env.JT808_MAX_TERMINALS,
  maxConnectionsPerIp: env.JT808_MAX_PER_IP,
  terminals: directory,
  autoRegister,
  future: { maxMs: env.FIELD_MAX_FUTURE_MS, policy: env.FIELD_FUTURE_POLICY },
});
const statsTimer = setInterval(() => {
  logger.info(
    {
      terminals: gateway.connections(),
      accepted: stats.accepted,
      rejected: stats.rejectedObject(),
      redis: bus.state(),
    },
    'jt808 stats',
  );
}, STATS_LOG_EVERY_MS);

let isStopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (isStopping) return;
    isStopping = true;
    clearInterval(statsTimer);
    directory?.close();
    void gateway
      .close()
      .then(() => bus.close())
      .finally(() => process.exit(0));
  });
}
