import { randomBytes } from 'node:crypto';
import net from 'node:net';
import type { Clock } from '@/lib/clock';
import { systemClock } from '@/lib/clock';
import type { Crs } from '@/lib/domain/enums';
import type { Bus } from '@/server/bus/bus';
import type { IngestStats } from '@/server/ingest/ingest-stats';
import type { Logger } from '@/server/logger';
import { ReportBatcher } from './report-batcher';
import { Jt808Session, STATS_PATH, type FuturePolicy, type VehicleReportOut } from './session';
import { AUTO_CREDENTIAL, createTerminalAuthority } from './terminal-auth';
import type { TerminalLookup } from './terminal-directory';

/** Concurrent terminal connections; further ones are dropped by the kernel accept path (counted). */
export const DEFAULT_MAX_TERMINALS = 20_000;
/**
 * Connections from one address. Terminals on a private APN have one address each; behind a carrier's NAT
 * many share one, so a fleet there raises it (JT808_MAX_PER_IP).
 */
export const DEFAULT_MAX_CONNECTIONS_PER_IP = 64;
/**
 * Bytes held for unfinished frames and split messages across all connections together. Per connection the
 * bounds are 1 KiB before authentication and 4 KiB + 64 KiB after; this caps what many connections can pin
 * at once (32 MiB ≈ 500 terminals each mid-way through a maximal split message).
 */
export const DEFAULT_MAX_BUFFERED_BYTES = 32 * 1_024 * 1_024;
/** A connection that has not authenticated by then is closed (a terminal does it within a second). */
export const DEFAULT_AUTH_TIMEOUT_MS = 30_000;
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
/** Bytes of randomness in a provisioned terminal's own auth code (24 hex characters, 96 bits). */
export const AUTH_CODE_BYTES = 12;

/** A fresh provisioned auth code: high-entropy, printable, short enough for any terminal's 鉴权码 field. */
export function newAuthCode(): string {
  return randomBytes(AUTH_CODE_BYTES).toString('hex');
}

export interface Jt808GatewayOptions {
  port: number;
  host?: string;
  bus: Bus;
  logger: Logger;
  stats: IngestStats;
  /**
   * Provisioned terminals (vehicles.terminal_phone / terminal_auth_hash / disabled_at). Each authenticates
   * with its own code; every other phone is refused unless `autoRegister`.
   */
  terminals?: TerminalLookup;
  /**
   * FIELD_AUTO_REGISTER (demo): a phone that is not provisioned registers itself and gets a code derived
   * from `authSecret`. Off: only provisioned terminals are accepted.
   */
  autoRegister: boolean;
  clock?: Clock;
  /** Coordinate system the terminals send; default WGS-84 as the standard says. */
  crs?: Crs;
  /**
   * Auto-registration only: the secret derived codes come from (JT808_AUTH_SECRET), so auto-registered
   * terminals stay authenticated across restarts; without it a random one is used.
   */
  authSecret?: string;
  /** FIELD_MAX_FUTURE_MS / FIELD_FUTURE_POLICY; default 30 s, clamp. */
  future?: FuturePolicy;
  idleTimeoutMs?: number;
  authTimeoutMs?: number;
  maxTerminals?: number;
  maxConnectionsPerIp?: number;
  maxBufferedBytes?: number;
  batchIntervalMs?: number;
}

export interface Jt808Gateway {
  port: number;
  close(): Promise<void>;
  connections(): number;
  /** Connections that authenticated (bound to a terminal). */
  boundTerminals(): number;
  /** Bytes held for unfinished frames and split messages, all connections together. */
  bufferedBytes(): number;
  /** Disconnects terminals idle past the timeout, and connections that never authenticated, now. */
  sweepIdle(): number;
  /** Drops connections whose terminal lost its provisioning (disabled, code rotated, removed). */
  recheckBindings(): number;
  /** Publishes pending positions now. */
  flush(): Promise<void>;
}

interface Connection {
  socket: net.Socket;
  session: Jt808Session;
  ip: string;
  /** bufferedBytes() as last added to the global total. */
  accounted: number;
}

/**
 * The JT/T 808 TCP gateway: one Jt808Session per connection, positions coalesced and published to the bus.
 * It needs nothing but a Bus (and, outside demo, the provisioned terminals), so it runs inside the server
 * or alone (`npm run jt808`) against Redis.
 */
export async function startJt808Gateway(opts: Jt808GatewayOptions): Promise<Jt808Gateway> {
  const clock = opts.clock ?? systemClock;
  const idleTimeoutMs = opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const authTimeoutMs = opts.authTimeoutMs ?? DEFAULT_AUTH_TIMEOUT_MS;
  const maxTerminals = opts.maxTerminals ?? DEFAULT_MAX_TERMINALS;
  const maxPerIp = opts.maxConnectionsPerIp ?? DEFAULT_MAX_CONNECTIONS_PER_IP;
  const maxBuffered = opts.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
  const future = opts.future ?? { maxMs: 30_000, policy: 'clamp' as const };

  const { register, authenticate } = createTerminalAuthority({
    terminals: opts.terminals,
    autoRegister: opts.autoRegister,
    authSecret: opts.authSecret,
  });
  const lookup = (phone: string) => opts.terminals?.lookup(phone);

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
  const connections = new Map<net.Socket, Connection>();
  const byPhone = new Map<string, net.Socket>();
  const perIp = new Map<string, number>();
  let buffered = 0;

  const release = (c: Connection) => {
    buffered -= c.accounted;
    c.accounted = 0;
  };

  const server = net.createServer((socket) => {
    const ip = socket.remoteAddress ?? '?';
    const fromIp = perIp.get(ip) ?? 0;
    if (fromIp >= maxPerIp) {
      opts.stats.reject(STATS_PATH, 'per_ip_cap', ip);
      socket.destroy();
      return;
    }
    perIp.set(ip, fromIp + 1);
    socket.setNoDelay(true);
    const hangUp = () => {
      // After the answers already queued: a refused terminal reads why before the connection goes.
      if (!socket.destroyed) socket.end(() => socket.destroy());
    };
    const session = new Jt808Session(
      {
        stats: opts.stats,
        send: (frame) => {
          if (socket.destroyed) return;
          if (socket.writableLength > MAX_WRITE_BACKLOG_BYTES) {
            opts.stats.reject(STATS_PATH, 'slow_reader', session.phone);
            socket.destroy();
            return;
          }
          socket.write(frame);
        },
        onReport: (r) => batcher.add(r),
        register,
        authenticate,
        crs: opts.crs,
        future,
        close: hangUp,
        onBound: (phone) => {
          // A terminal that reconnects before its old connection timed out: the newer, authenticated one
          // is the real one.
          const old = byPhone.get(phone);
          if (old && old !== socket) old.destroy();
          byPhone.set(phone, socket);
        },
      },
      clock.now(),
      () => clock.now(),
    );
    const conn: Connection = { socket, session, ip, accounted: 0 };
    connections.set(socket, conn);
    socket.on('data', (chunk: Buffer) => {
      if (session.isClosed) return;
      // One read usually answers several frames: cork so they leave in one segment.
      socket.cork();
      try {
        session.push(chunk);
      } finally {
        socket.uncork();
      }
      const held = session.bufferedBytes();
      buffered += held - conn.accounted;
      conn.accounted = held;
      if (buffered > maxBuffered && held > 0) {
        // The connection that just grew pays: the others keep what they hold.
        opts.stats.reject(STATS_PATH, 'byte_budget', ip);
        release(conn);
        socket.destroy();
      }
    });
    socket.on('error', () => socket.destroy()); // resets are normal on mobile networks
    socket.on('close', () => {
      const phone = session.phone;
      if (phone && byPhone.get(phone) === socket) byPhone.delete(phone);
      release(conn);
      connections.delete(socket);
      const n = (perIp.get(ip) ?? 1) - 1;
      if (n <= 0) perIp.delete(ip);
      else perIp.set(ip, n);
    });
  });
  server.maxConnections = maxTerminals;
  server.on('drop', () => opts.stats.reject(STATS_PATH, 'max_terminals'));

  const sweepIdle = () => {
    const now = clock.now();
    let closed = 0;
    for (const [socket, { session: s }] of connections) {
      const isSilent = s.lastFrameAt < now - idleTimeoutMs;
      const isLateToAuth = !s.isAuthenticated && s.openedAt < now - authTimeoutMs;
      if (isSilent || isLateToAuth) {
        if (isLateToAuth && !isSilent) opts.stats.reject(STATS_PATH, 'auth_timeout');
        socket.destroy();
        closed++;
      }
    }
    if (closed > 0) opts.logger.info({ closed }, 'jt808 idle terminals disconnected');
    return closed;
  };
  const sweepTimer = setInterval(sweepIdle, Math.min(IDLE_SWEEP_MS, idleTimeoutMs, authTimeoutMs));
  sweepTimer.unref();

  /** After provisioning changed: a connection stays only while what it authenticated with still holds. */
  const recheckBindings = () => {
    let dropped = 0;
    for (const [socket, { session: s }] of connections) {
      if (!s.isAuthenticated || !s.phone) continue;
      const entry = lookup(s.phone);
      const isValid =
        s.credential === AUTO_CREDENTIAL
          ? opts.autoRegister && !entry?.isDisabled && !entry?.authHash
          : entry !== undefined && !entry.isDisabled && entry.authHash === s.credential;
      if (!isValid) {
        opts.stats.reject(STATS_PATH, 'deprovisioned', s.phone);
        socket.destroy();
        dropped++;
      }
    }
    return dropped;
  };
  opts.terminals?.onChange?.(() => void recheckBindings());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  opts.logger.info(
    { port, maxTerminals, maxPerIp, maxBuffered, idleTimeoutMs, autoRegister: opts.autoRegister },
    'jt808 gateway listening',
  );

  return {
    port,
    connections: () => connections.size,
    boundTerminals: () => byPhone.size,
    bufferedBytes: () => buffered,
    sweepIdle,
    recheckBindings,
    flush: () => batcher.flush(),
    async close() {
      clearInterval(sweepTimer);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of connections.keys()) socket.destroy();
      await closed;
      await batcher.close();
    },
  };
}
