import type { Config } from '@/server/config';
import type { Bus } from '@/server/bus/bus';
import type { SqlDb } from '@/server/db/sql-db';
import type { IngestStats } from '@/server/ingest/ingest-stats';
import type { Logger } from '@/server/logger';
import { createDeviceDirectory } from './gb28181/device-directory';
import { startGb28181Listener, type Gb28181Listener } from './gb28181/listener';
import { startJt808Gateway, type Jt808Gateway } from './jt808/gateway';
import { createTerminalDirectory } from './jt808/terminal-directory';

export interface FieldGateways {
  jt808: Jt808Gateway | null;
  sip: Gb28181Listener | null;
  close(): Promise<void>;
}

/**
 * The in-process JT/T 808 gateway and GB/T 28181 listener, each started when its port is configured, reading
 * the provisioned devices from the server's database into memory before it listens (re-read at once after
 * an admin change in this process, and every DIRECTORY_REFRESH_MS for changes made by another).
 */
export async function startFieldGateways(deps: {
  config: Config;
  sql: SqlDb;
  bus: Bus;
  logger: Logger;
  stats: IngestStats;
  /** GB/T 28181 Alarm notifications (server/alarms); without it they are acknowledged and dropped. */
  onAlarm?: (xml: string) => Promise<{ response: string | null }>;
}): Promise<FieldGateways> {
  const { config, sql, bus, logger, stats } = deps;
  const future = { maxMs: config.FIELD_MAX_FUTURE_MS, policy: config.FIELD_FUTURE_POLICY };
  const terminals = config.JT808_PORT === undefined ? null : await createTerminalDirectory(sql, { logger });
  const jt808 =
    config.JT808_PORT === undefined
      ? null
      : await startJt808Gateway({
          port: config.JT808_PORT,
          host: config.HOST,
          bus,
          logger,
          stats,
          terminals: terminals ?? undefined,
          autoRegister: config.fieldAutoRegister,
          authSecret: config.JT808_AUTH_SECRET,
          maxConnectionsPerIp: config.JT808_MAX_PER_IP,
          future,
        });
  const devices = config.GB28181_PORT === undefined ? null : await createDeviceDirectory(sql, { logger });
  const sip =
    config.GB28181_PORT === undefined
      ? null
      : await startGb28181Listener({
          port: config.GB28181_PORT,
          host: config.HOST,
          bus,
          logger,
          stats,
          devices: devices ?? undefined,
          autoRegister: config.fieldAutoRegister,
          password: config.GB28181_PASSWORD || undefined,
          realm: config.GB28181_REALM,
          onAlarm: deps.onAlarm,
        });
  return {
    jt808,
    sip,
    async close() {
      await jt808?.close();
      await sip?.close();
      terminals?.close();
      await devices?.close();
    },
  };
}
