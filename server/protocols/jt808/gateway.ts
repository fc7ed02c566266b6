import { createHmac, randomBytes } from 'node:crypto';
import net from 'node:net';
import type { Clock } from '@/lib/clock';
import { systemClock } from '@/lib/clock';
import type { Crs } from '@/lib/domain/enums';
import type { Bus } from '@/server/bus/bus';
import type { IngestStats } from '@/server/ingest/ingest-stats';
import type { Logger } from '@/server/logger';
import { ReportBatcher } from './report-batcher';
import { Jt808Session, STATS_PATH, type VehicleReportOut } from './session';

/** Concurrent terminal connections; further ones are dropped by the kernel accept path (counted). */
export const DEFAULT_MAX_TERMINALS = 20_000;
/** A terminal heard from neither frame nor heartbeat for this long is disconnected (3 × 60 s heartbeats). */
export const DEFAULT_IDLE_TIMEOUT_MS = 180_000;
/** How often silent terminals are looked for. */
const IDLE_SWEEP_MS = 5_000;
/** Positions wait at most this long to share a publish (well inside the 50 ms server tick). */
export const DEFAULT_BATCH_INTERVAL_MS = 50;
/** Reports per PUBLISH (≈ 120 bytes each as JSON). */
const MAX_REPORTS_PER_PUBLISH = 2_000;
/** Answers queued to a terminal that does not read them; past this it is disconnected. */
const MAX_WRITE_BACKLOG_BYTES = 64 * 1_024;
/** Auth codes are this many hex characters of HMAC(secret, phone). */
const AUTH_CODE_HEX_CHARS = 16;

export interface Jt808GatewayOptions {
  port: number;
  host?: string;
  bus: Bus;
  logger: Logger;
  stats: IngestStats;
  /** Vehicle id for a terminal phone (digits, no leading zeros); undefined → the phone is the id. */
  resolveVehicleId?: (phoneDigits: string) => string | undefined;
  clock?: Clock;
  /** Coordinate system the terminals send; default WGS-84 as the standard says. */
  crs?: Crs;
  /**
   * Secret from which auth codes are derived. Set it (JT808_AUTH_SECRET) so terminals stay authenticated
   * across restarts; without it a random one is used and terminals re-register after a restart.
   */
  authSecret?: string;
  /** Refuse positions from terminals that have not authenticated (default true). */
  requireAuth?: boolean;
  idleTimeoutMs?: number;
  maxTerminals?: number;
  batchIntervalMs?: number;
}

export interface Jt808Gateway {
  port: number;
  close(): Promise<void>;
  connections(): number;
  /** Disconnects terminals idle past the timeout now (the timer does it every few seconds). */
  sweepIdle(): number;
  /** Publishes pending positions now. */
  flush(): Promise<void>;
}

/**
 * The JT/T 808 TCP gateway: one Jt808Session per connection, positions coalesced and published to the bus.
 * It needs nothing but a Bus, so it runs inside the server or alone (`npm run jt808`) against Redis.
 */
export async function startJt808Gateway(opts: Jt808GatewayOptions): Promise<Jt808Gateway> {
  const clock = opts.clock ?? systemClock;
  const idleTimeoutMs = opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const maxTerminals = opts.maxTerminals ?? DEFAULT_MAX_TERMINALS;
  const secret = opts.authSecret ?? randomBytes(32).toString('hex');
  const authCodes = new Map<string, string>();
  const authCodeFor = (phone: string) => {
    let code = authCodes.get(phone);
    if (!code) {
      code = createHmac('sha256', secret).update(phone).digest('hex').slice(0, AUTH_CODE_HEX_CHARS);
      if (authCodes.size >= maxTerminals * 2) authCodes.clear(); // a cache: recomputable, so just bounded
      authCodes.set(phone, code);
    }
    return code;
  };
  const batcher = new ReportBatcher<VehicleReportOut>({
    kind: 'vehicle',
    path: STATS_PATH,
    bus: opts.bus,
    stats: opts.stats,
    logger: opts.logger,
    intervalMs: opts.batchIntervalMs ?? DEFAULT_BATCH_INTERVAL_MS,
    maxPerPublish: MAX_REPORTS_PER_PUBLISH,
    maxPending: maxTerminals * 2,
  });
  const sessions = new Map<net.Socket, Jt808Session>();
  const byPhone = new Map<string, net.Socket>();

  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    let session: Jt808Session | null = null;
    session = new Jt808Session(
      {
        stats: opts.stats,
        send: (frame) => {
          if (socket.writableLength > MAX_WRITE_BACKLOG_BYTES) {
            opts.stats.reject(STATS_PATH, 'slow_reader', session?.phone);
            socket.destroy();
            return;
          }
          socket.write(frame);
        },
        onReport: (r) => batcher.add(r),
        authCodeFor,
        resolveVehicleId: opts.resolveVehicleId,
        crs: opts.crs,
        requireAuth: opts.requireAuth ?? true,
        onIdentified: (phone) => {
          // A terminal that reconnects before its old connection timed out: the newer one is the real one.
          const old = byPhone.get(phone);
          if (old && old !== socket) old.destroy();
          byPhone.set(phone, socket);
        },
      },
      clock.now(),
      () => clock.now(),
    );
    sessions.set(socket, session);
    socket.on('data', (chunk: Buffer) => {
      // One read usually answers several frames: cork so they leave in one segment.
      socket.cork();
      try {
        session?.push(chunk);
      } finally {
        socket.uncork();
      }
    });
    socket.on('error', () => socket.destroy()); // resets are normal on mobile networks
    socket.on('close', () => {
      const phone = session?.phone;
      if (phone && byPhone.get(phone) === socket) byPhone.delete(phone);
      sessions.delete(socket);
      session = null;
    });
  });
  server.maxConnections = maxTerminals;
  server.on('drop', () => opts.stats.reject(STATS_PATH, 'max_terminals'));

  const sweepIdle = () => {
    const cutoff = clock.now() - idleTimeoutMs;
    let closed = 0;
    for (const [socket, s] of sessions) {
      if (s.lastFrameAt < cutoff) {
        socket.destroy();
        closed++;
      }
    }
    if (closed > 0) opts.logger.info({ closed }, 'jt808 idle terminals disconnected');
    return closed;
  };
  const sweepTimer = setInterval(sweepIdle, Math.min(IDLE_SWEEP_MS, idleTimeoutMs));
  sweepTimer.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  opts.logger.info({ port, maxTerminals, idleTimeoutMs }, 'jt808 gateway listening');

  return {
    port,
    connections: () => sessions.size,
    sweepIdle,
    flush: () => batcher.flush(),
    async close() {
      clearInterval(sweepTimer);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sessions.keys()) socket.destroy();
      await closed;
      await batcher.close();
    },
  };
}
