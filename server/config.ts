import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { anchorPathFor } from './audit/audit-anchor';
import { DEFAULT_TICK_MS } from '@/lib/realtime/contract';
import { parseReportSchedule } from '@/lib/reports/report-schedule';

const flag = z
  .enum(['0', '1', 'true', 'false', ''])
  .optional()
  .transform((v) => v === '1' || v === 'true');

const port = z.coerce.number().int().min(0).max(65535);

/** Environment contract (DESIGN §4), validated once at start-up. */
const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().default('0.0.0.0'),
  PORT: port.default(3000),
  REDIS_URL: z.string().url().optional(),
  DATABASE_PATH: z.string().min(1).default('./data/pingan.db'),
  /**
   * postgres://…: PostgreSQL is the system of record instead of the SQLite file at DATABASE_PATH, shared by
   * any number of server processes on any hosts (README "Scaling out").
   */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// (or postgresql://) URL')
    .optional(),
  /** PostgreSQL connections this process opens at most. */
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(1000).default(10),
  /**
   * The SQLite file of this process's position history. Default: the database file itself on SQLite (the
   * leader records for all processes); on PostgreSQL a file per process beside DATABASE_PATH
   * (`history-<PORT>.db`), where each process records the feed it sees.
   */
  HISTORY_PATH: z.string().min(1).optional(),
  /** Where the audit chain's head is anchored on this host (server/audit/audit-anchor.ts); default beside the database. */
  AUDIT_ANCHOR_PATH: z.string().min(1).optional(),
  DEMO: flag,
  DEMO_PASSWORD: z.string().min(8).optional(),
  INGEST_TOKEN: z.string().min(16, 'INGEST_TOKEN must be at least 16 characters').optional(),
  JT808_PORT: port.optional(),
  GB28181_PORT: port.optional(),
  GB28181_PASSWORD: z.string().optional(),
  /** SIP domain of the GB/T 28181 listener; per-device passwords are stored as MD5(id:realm:password). */
  GB28181_REALM: z
    .string()
    .regex(/^\d{10}$/, 'GB28181_REALM is the 10-digit SIP domain, e.g. 3402000000')
    .default('3402000000'),
  /**
   * Auto-registration (FIELD_AUTO_REGISTER) only: signs the codes handed to unprovisioned JT/T 808 terminals
   * so they need not re-register after a gateway restart. Provisioned terminals have their own codes.
   */
  JT808_AUTH_SECRET: z.string().min(16).optional(),
  /** JT/T 808 connections from one address (raise it for terminals behind a carrier's NAT). */
  JT808_MAX_PER_IP: z.coerce.number().int().min(1).max(100_000).optional(),
  SESSION_SECRET: z.string().min(32, 'SESSION_SECRET must be at least 32 characters').optional(),
  TICK_MS: z.coerce.number().int().min(20).max(200).default(DEFAULT_TICK_MS),
  /**
   * Peak position reports a second this deployment expects (e.g. 1000000 for a province at 1 Hz). At start-up
   * the server checks Redis's pub/sub output buffer against it and warns when a 1 s stall would drop the feed.
   */
  TELEMETRY_PEAK_RATE: z.coerce.number().int().min(1).max(100_000_000).optional(),
  /** Telemetry over pub/sub channels, or over sharded streams read at the server's pace (server/bus/telemetry-stream.ts). */
  TELEMETRY_TRANSPORT: z.enum(['pubsub', 'stream']).default('pubsub'),
  /** stream transport: shards per kind (`pingan:telemetry:<kind>:0…n−1`) and each shard's approximate length. */
  TELEMETRY_STREAM_SHARDS: z.coerce.number().int().min(1).max(64).default(4),
  TELEMETRY_STREAM_MAXLEN: z.coerce.number().int().min(100).max(10_000_000).default(10_000),
  /** Comma-separated origins allowed for Socket.IO besides the server's own host. */
  ALLOWED_ORIGINS: z.string().optional(),
  /** A MapLibre style URL or a local .pmtiles file for deployments with their own basemap. */
  BASEMAP_STYLE_URL: z.string().optional(),
  BASEMAP_PMTILES: z.string().optional(),
  /** The coordinate system the basemap is drawn in: stored WGS-84 positions are converted to it for drawing. */
  BASEMAP_CRS: z.enum(['wgs84', 'gcj02']).default('wgs84'),
  /** The one time zone every page displays (storage stays UTC). */
  DISPLAY_TZ: z
    .string()
    .default('Asia/Shanghai')
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'DISPLAY_TZ must be an IANA time zone such as Asia/Shanghai'),
  /** `1`: unknown JT/T 808 terminals and GB/T 28181 devices register themselves (default: on in demo only). */
  FIELD_AUTO_REGISTER: z.enum(['0', '1', 'true', 'false']).optional(),
  /** A field report timestamped further ahead than this is clamped to now (or refused, below). */
  FIELD_MAX_FUTURE_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
  FIELD_FUTURE_POLICY: z.enum(['clamp', 'reject']).default('clamp'),
  /**
   * Keys the audit chain (HMAC-SHA256): whoever can write the database file cannot rebuild a valid chain
   * without it. Keep it outside the database and its backups.
   */
  AUDIT_KEY: z.string().min(32, 'AUDIT_KEY must be at least 32 characters').optional(),
  /** Bearer token for `GET /metrics`; without it only loopback clients that did not come through a proxy may read. */
  METRICS_TOKEN: z.string().min(16, 'METRICS_TOKEN must be at least 16 characters').optional(),
  /**
   * Comma-separated addresses or CIDR ranges of reverse proxies whose `X-Forwarded-For` is believed;
   * from anyone else the header is ignored and the socket address is the client.
   */
  TRUSTED_PROXIES: z.string().optional(),
  /** Position history kept (server/history), dropped a whole 10-minute bucket at a time. */
  HISTORY_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  /** `0`/`false`: this process records no position history (tracks, replay frames answer 503); default on. */
  HISTORY_ENABLED: z.enum(['0', '1', 'true', 'false']).default('1'),
  /** Briefing reports on a schedule (lib/reports/report-schedule.ts), e.g. `daily@08:00,weekly@mon08:00`; empty: off. */
  REPORT_SCHEDULE: z
    .string()
    .default('')
    .refine((v) => {
      try {
        parseReportSchedule(v);
        return true;
      } catch {
        return false;
      }
    }, 'REPORT_SCHEDULE: entries like daily@08:00, weekly@mon08:00, xun@08:00, monthly@08:00[/region code]'),
  /**
   * Briefing reports are stored in the database; report files an older version wrote here are imported at
   * start, and removed by retention like the rows.
   */
  REPORTS_DIR: z.string().min(1).default('./data/reports'),
  /** Reports older than this many days (by their date) are removed. */
  REPORT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(400),
  /** The CJK font embedded in reports (a Noto Sans CJK .ttc from fonts-noto-cjk, or an .otf). */
  REPORT_FONT_PATH: z.string().min(1).default('/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc'),
  /**
   * Nothing is written here: field photos and alarm snapshots are stored in the database. Those an older
   * version stored here as files (snapshots under `alarm-snapshots/`) are read from here
   * (`db:migrate-to-postgres --uploads` carries them over).
   */
  UPLOADS_DIR: z.string().min(1).default('./data/uploads'),
  /** Bearer token of the 12345 platform for `POST /api/ingest/hotline`; unset: the adapter is off. */
  HOTLINE_TOKEN: z.string().min(16, 'HOTLINE_TOKEN must be at least 16 characters').optional(),
  /** Where state changes of 12345 work orders are POSTed back (signed); unset: not reported. */
  HOTLINE_CALLBACK_URL: z.string().url().optional(),
  /** HMAC key of the callback signature; default HOTLINE_TOKEN. */
  HOTLINE_CALLBACK_SECRET: z
    .string()
    .min(16, 'HOTLINE_CALLBACK_SECRET must be at least 16 characters')
    .optional(),
  /** Camera alarm rules (server/alarms): inline JSON or a path to a JSON file; unset: the built-in defaults. */
  ALARM_RULES: z.string().optional(),
  /** Simulator knobs in demo mode. */
  SIM_SPEEDUP: z.coerce.number().min(0.1).max(1000).default(1),
  SIM_INCIDENTS_PER_HOUR: z.coerce.number().min(0).max(100_000).default(10), // ~200 a day with the daily rhythm, like the history
  SIM_VEHICLE_HZ: z.coerce.number().min(0.01).max(50).default(1),
  /** Days of incident history played in on the first demo start (empty database); 0 disables. */
  DEMO_HISTORY_DAYS: z.coerce.number().int().min(0).max(31).default(7),
});

export type Config = z.infer<typeof EnvSchema> & {
  sessionSecret: string;
  isDev: boolean;
  /** FIELD_AUTO_REGISTER resolved: on in demo, off otherwise, unless set. */
  fieldAutoRegister: boolean;
  /** HISTORY_PATH resolved. */
  historyPath: string;
  /** Whether other processes record into the same history file (then only the leader writes). */
  isHistoryShared: boolean;
  /** AUDIT_ANCHOR_PATH resolved; null for an in-memory SQLite database (nothing to protect across runs). */
  auditAnchorPath: string | null;
};

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid environment:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  let sessionSecret = c.SESSION_SECRET;
  if (!sessionSecret) {
    if (!c.DEMO && c.NODE_ENV === 'production') {
      throw new ConfigError('SESSION_SECRET is required outside demo mode (32+ characters)');
    }
    // Demo and development: a fresh secret per start; sessions simply do not survive a restart.
    sessionSecret = randomBytes(32).toString('hex');
  }
  // Like SESSION_SECRET: a production audit chain that anyone with the database file can rebuild proves
  // nothing, so production refuses to start without its key; demo and development keep a plain chain.
  if (!c.AUDIT_KEY && !c.DEMO && c.NODE_ENV === 'production')
    throw new ConfigError(
      'AUDIT_KEY is required outside demo mode (32+ characters, kept outside the database and its backups)',
    );
  const fieldAutoRegister =
    c.FIELD_AUTO_REGISTER === undefined
      ? c.DEMO
      : c.FIELD_AUTO_REGISTER === '1' || c.FIELD_AUTO_REGISTER === 'true';
  const dataDir = path.dirname(c.DATABASE_PATH);
  const historyPath =
    c.HISTORY_PATH ?? (c.DATABASE_URL ? path.join(dataDir, `history-${c.PORT}.db`) : c.DATABASE_PATH);
  const auditAnchorPath =
    c.AUDIT_ANCHOR_PATH ??
    (c.DATABASE_URL ? path.join(dataDir, 'postgres.audit-head.json') : anchorPathFor(c.DATABASE_PATH));
  return {
    ...c,
    sessionSecret,
    isDev: c.NODE_ENV !== 'production',
    fieldAutoRegister,
    historyPath,
    isHistoryShared: !c.DATABASE_URL && historyPath === c.DATABASE_PATH,
    auditAnchorPath,
  };
}
