import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { Gauge } from 'prom-client';
import { Server } from 'socket.io';
import { systemClock, type Clock } from '@/lib/clock';
import type { HealthReport, WireBatch } from '@/lib/realtime/contract';
import { originForBbox } from '@/lib/realtime/position-codec';
import { regionPrefix } from '@/lib/domain/region-code';
import type { Bus } from './bus/bus';
import type { Config } from './config';
import type Database from 'better-sqlite3';
import { dbHealth } from './db/db-health';
import type { SqlDb } from './db/sql-db';
import { IncidentIngest } from './ingest/incident-ingest';
import { IngestStats } from './ingest/ingest-stats';
import { startRegistrar } from './ingest/registrar';
import { TelemetryIngest } from './ingest/telemetry-ingest';
import { createIngestRoutes } from './http/ingest-routes';
import { createLiveRoutes } from './http/live-routes';
import { isOriginAllowed } from './http/origin';
import { createRouter, HttpError, sendJson, type Principal, type Route } from './http/router';
import { GridLocator } from './live/grid-locator';
import { onTerritoryChanged } from './world/load-world';
import { latestReload, loadTerritoryView } from './world/territory-view';
import { LiveState } from './live/live-state';
import { markReportsLost } from './live/lost-reports';
import { loadOpenIncidents } from './live/open-incidents';
import type { Logger } from './logger';
import { createMetrics } from './metrics';
import { PING_TIMEOUT_MS, RealtimeHub, type HubOptions, type WallServer } from './realtime/hub';
import { regionScope, type Scope } from './realtime/scope';
import { startIncidentRelay, type IncidentRelay } from './scale/incident-relay';
import { redisLeadership, soloLeadership, type Leadership } from './scale/leader';
import { startOverdueWatch, type OverdueWatch } from './scale/overdue-watch';
import { startBoardReconcile, type BoardReconcile } from './scale/board-reconcile';
import { canUseSocketEvent } from './auth/permissions';
import { startTimeLimits } from './admin/time-limit-settings';
import { configureSqlAuditChain } from './audit/audit-key';
import { createRegionGate, type RegionGate } from './auth/region-scope';
import { createClientAddressOf } from './auth/client-address';
import { metricsRefusal } from './auth/metrics-access';
import { createHistoryModule } from './history/history-module';
import { strayUpgradeHandler } from './process/stray-upgrades';
import { accessOf, principalKey } from './realtime/client-access';
import { SocketQuota, TOO_MANY_SOCKETS_ERROR } from './realtime/socket-quota';

/** China's extent: the position window when no world is loaded yet. */
const CHINA_BBOX: [number, number, number, number] = [73, 18, 135, 54];

export interface AppContext {
  config: Config;
  /** The system of record (server/db/sql-db.ts): SQLite, or PostgreSQL with DATABASE_URL. */
  sql: SqlDb;
  bus: Bus;
  live: LiveState;
  stats: IngestStats;
  logger: Logger;
  clock: Clock;
  grids: () => GridLocator;
  /** Clamps every read to the principal's region (server/auth/region-scope.ts). */
  regions: RegionGate;
  /** Whether this process runs the jobs that must run once (server/scale/leader.ts); started by listen. */
  leader: Leadership;
}

export interface AuthHooks {
  resolvePrincipal(req: IncomingMessage): Promise<Principal | null>;
  authorizeSocket(
    handshake: {
      headers: IncomingMessage['headers'];
      query: unknown;
      auth: unknown;
      address: string;
    },
    /** The periodic re-check of a connected socket (not a new refusal to count). */
    isRecheck?: boolean,
  ): Promise<Principal | null>;
}

export interface AppOptions {
  config: Config;
  /** The system of record (server/db/sql-db.ts). */
  sql: SqlDb;
  /**
   * The SQLite file position history is kept in (config.historyPath, opened by the caller): the database
   * itself on SQLite, a file of this process's own beside PostgreSQL.
   */
  historyDb: Database.Database;
  bus: Bus;
  logger: Logger;
  clock?: Clock;
  /** Next.js request handler for pages; absent in API-only tests. */
  nextHandler?: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  nextUpgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  /** Further routes (map, dispatch, auth…), built once the context exists. */
  routes?: (ctx: AppContext) => Route[];
  auth?: (ctx: AppContext) => AuthHooks;
  statsFor?: (ctx: AppContext) => (scope: Scope) => WireBatch['stats'];
  /** Leader election; default: through Redis with REDIS_URL, else this process alone leads. */
  leader?: Leadership;
  /** The hub's acknowledgement limits (tests shorten them); default ACK_TIMEOUT_MS and ACK_GIVE_UP_MS. */
  ackTiming?: HubOptions['ackTiming'];
}

export interface App {
  ctx: AppContext;
  httpServer: http.Server;
  io: WallServer;
  hub: RealtimeHub;
  /** The scale-out incident relay (only with REDIS_URL), once listening. */
  relay(): IncidentRelay | null;
  /** Drops sockets whose session ended or went idle; runs every SOCKET_REAUTH_MS (tests call it directly). */
  reauthorizeSockets(): Promise<void>;
  /** Starts consuming the bus and ticking; resolves with the bound port. */
  listen(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

/**
 * Builds the app around what the database holds at start (devices, open incidents, the territory): the
 * walls' first snapshot shows them, so they are read before anything can serve a request.
 */
export async function createApp(opts: AppOptions): Promise<App> {
  const { config, sql, bus, logger } = opts;
  // Before anything appends to the audit chain: every row is keyed alike (AUDIT_KEY).
  await configureSqlAuditChain(sql, { auditKey: config.AUDIT_KEY, logger });
  const clock = opts.clock ?? systemClock;
  const startedAt = clock.now();
  // One answer to "who is the client" for routes, audit rows, the login limits and socket logs.
  const clientAddressOf = createClientAddressOf(config.TRUSTED_PROXIES);
  // The stored 时限 before anything computes a lamp (the ticks, the overdue watch, the wall's figures).
  const timeLimits = await startTimeLimits(sql, logger);
  const live = new LiveState(clock);
  await live.loadFromDb(sql);
  await loadOpenIncidents(sql, live);
  const territory = await loadTerritoryView(sql);
  let gridLocator = territory.grids;
  let name = territory.name;
  const grids = () => gridLocator;

  const hubHolder: { hub?: RealtimeHub } = {};
  const metrics = createMetrics({
    clients: () => hubHolder.hub?.clientCount ?? 0,
    redisUp: () => (bus.state() === 'up' ? 1 : 0),
    redisReconnects: () => bus.reconnects(),
    entities: () => ({ vehicle: live.vehicle.count, worker: live.worker.count, camera: live.camera.count }),
    openIncidents: () => live.incidents.size,
    batches: () => {
      const m = hubHolder.hub?.metrics;
      return {
        sent: m?.batchesSent ?? 0,
        bytes: m?.bytesSent ?? 0,
        full: m?.fullSent ?? 0,
        slowAcks: m?.slowAcks ?? 0,
        ackGiveUps: m?.ackGiveUps ?? 0,
        connects: m?.connects ?? 0,
        refused: m?.refusedBatches ?? 0,
      };
    },
    ingestLagMs: () => live.ingestLagMs,
  });
  const stats = new IngestStats(metrics.registry, logger);
  const regions = createRegionGate({
    sql,
    logger,
    regionBox: (prefix) => gridLocator.bboxOf(prefix),
  });
  const leader =
    opts.leader ??
    (config.REDIS_URL ? redisLeadership({ url: config.REDIS_URL, logger }) : soloLeadership(logger));
  const ctx: AppContext = { config, sql, bus, live, stats, logger, clock, grids, regions, leader };
  // Summed over the processes it is 1; alert on 0 (no leader: the once-only jobs wait) or 2 (never expected).
  new Gauge({
    name: 'pingan_leader',
    help: '1 while this process leads (runs the jobs that must run once, server/scale/leader.ts)',
    registers: [metrics.registry],
    collect() {
      this.set(leader.isLeader() ? 1 : 0);
    },
  });

  const telemetry = new TelemetryIngest(live, stats, {
    future: { maxMs: config.FIELD_MAX_FUTURE_MS, policy: config.FIELD_FUTURE_POLICY },
    autoRegister: config.fieldAutoRegister,
  });
  const incidents = new IncidentIngest(sql, live, stats, grids);
  const registrar = startRegistrar(sql, live, logger);

  // Position history (server/history): fed by each sealed tick below, with its own routes.
  const history = createHistoryModule({
    sqlite: opts.historyDb,
    live,
    clock,
    logger,
    retentionDays: config.HISTORY_RETENTION_DAYS,
    enabled: config.HISTORY_ENABLED === '1' || config.HISTORY_ENABLED === 'true',
    origin: () => originForBbox(...(gridLocator.bbox ?? CHINA_BBOX)),
    resolveScope: (code) => {
      const bbox = /^\d{12}(\d{3})?$/.test(code) ? gridLocator.bboxOf(regionPrefix(code)) : null;
      return bbox ? regionScope(code, bbox) : null;
    },
    registry: metrics.registry,
  });

  const auth = opts.auth?.(ctx);
  const routes: Route[] = [
    { method: 'GET', path: '/api/health', handler: async ({ res }) => sendJson(res, 200, await health()) },
    ...createIngestRoutes({ token: config.INGEST_TOKEN, telemetry, incidents, stats }),
    ...createLiveRoutes(live, { isOpen: !auth, regions }),
    ...history.routes({ isOpen: !auth, regions, sql }),
    ...(opts.routes?.(ctx) ?? []),
  ];
  const match = createRouter(routes);

  async function health(): Promise<HealthReport> {
    const dbState = await dbHealth(sql);
    const redis = bus.state();
    return {
      status: redis === 'down' || dbState === 'down' ? 'degraded' : 'ok',
      redis,
      db: dbState,
      uptimeS: Math.round((clock.now() - startedAt) / 1000),
      ingest: { accepted: stats.accepted, rejected: stats.rejectedObject(), registered: stats.registered },
      clients: hubHolder.hub?.clientCount ?? 0,
      entities: { vehicle: live.vehicle.count, worker: live.worker.count, camera: live.camera.count },
      openIncidents: live.incidents.size,
      ingestLagMs: Math.round(live.ingestLagMs),
      // Behind a load balancer: which process answered, and whether it runs the once-only jobs.
      process: leader.process,
      leader: leader.isLeader(),
      fencingToken: leader.fencingToken(),
    };
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const clientAddress = clientAddressOf(req.socket.remoteAddress, req.headers['x-forwarded-for']);
    try {
      if (url.pathname === '/metrics') {
        const refusal = metricsRefusal(req, config.METRICS_TOKEN);
        if (refusal) throw new HttpError(refusal.status, refusal.message);
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.end(await metrics.registry.metrics());
        return;
      }
      if (url.pathname.startsWith('/api/')) {
        const m = match(req.method ?? 'GET', url.pathname);
        if (!m) throw new HttpError(404, 'no such endpoint');
        if (
          req.method !== 'GET' &&
          !isOriginAllowed(req.headers.origin, req.headers.host, allowedOrigins(config))
        )
          throw new HttpError(403, 'origin not allowed');
        const principal = (await auth?.resolvePrincipal(req)) ?? null;
        await m.route.handler({ req, res, url, params: m.params, principal, clientAddress });
        return;
      }
      if (opts.nextHandler) return await opts.nextHandler(req, res);
      throw new HttpError(404, 'not found');
    } catch (err) {
      if (res.headersSent) {
        res.end();
        return;
      }
      if (err instanceof HttpError) {
        sendJson(res, err.status, { ok: false, error: err.message, details: err.details });
      } else {
        logger.error({ err, path: url.pathname }, 'request failed');
        sendJson(res, 500, { ok: false, error: 'internal error' });
      }
    }
  }

  const httpServer = http.createServer((req, res) => void onRequest(req, res));
  const io: WallServer = new Server(httpServer, {
    serveClient: false,
    // Position batches are the only large messages and they flow server → client; clients send acks.
    maxHttpBufferSize: 64 * 1024,
    perMessageDeflate: false,
    pingTimeout: PING_TIMEOUT_MS,
    // Next's dev server (HMR) shares the upgrade event.
    destroyUpgrade: false,
    allowRequest: (req, cb) =>
      cb(null, isOriginAllowed(req.headers.origin, req.headers.host, allowedOrigins(config))),
  });
  httpServer.on('upgrade', strayUpgradeHandler(opts.nextUpgrade));
  const socketQuota = new SocketQuota();
  socketQuota.register(metrics.registry);
  if (auth) {
    io.use(async (socket, next) => {
      const h = socket.handshake;
      const address = clientAddressOf(h.address, h.headers['x-forwarded-for']);
      let principal: Principal | null;
      try {
        principal = await auth.authorizeSocket({ headers: h.headers, query: h.query, auth: h.auth, address });
      } catch (err) {
        // The database did not answer: the wall retries, as after any refused connection.
        logger.error({ err, address }, 'socket refused: sign-in could not be checked');
        next(new Error('unavailable'));
        return;
      }
      if (!principal) {
        logger.warn({ address }, 'socket refused: no valid session or display token');
        next(new Error('unauthorized'));
        return;
      }
      (socket.data as { principal?: Principal }).principal = principal;
      // The client as TRUSTED_PROXIES resolve it, for whatever logs this socket (handshake.address is the proxy).
      (socket.data as { clientAddress?: string }).clientAddress = address;
      if (!socketQuota.admit(socket, principalKey(principal), logger)) {
        next(new Error(TOO_MANY_SOCKETS_ERROR));
        return;
      }
      next();
    });
    io.on('connection', (socket) => {
      // Every event is authorised by role, not only the handshake.
      socket.use(([event], next) => {
        const principal = (socket.data as { principal?: Principal }).principal ?? null;
        if (canUseSocketEvent(principal, String(event))) return next();
        logger.warn({ event, user: principal?.username, role: principal?.role }, 'socket event denied');
        next(new Error('forbidden'));
      });
    });
  }

  const hub = new RealtimeHub({
    io,
    live,
    logger,
    clock,
    origin: originForBbox(...(gridLocator.bbox ?? CHINA_BBOX)),
    worldName: () => name,
    resolveScope: (code) => {
      if (!/^\d{12}(\d{3})?$/.test(code)) return null;
      const bbox = gridLocator.bboxOf(regionPrefix(code));
      return bbox ? regionScope(code, bbox) : null;
    },
    statsFor: opts.statsFor?.(ctx),
    // The principal's region and entitlement bound what each wall is sent (issue 16: items 1, 2).
    accessOf: auth ? (socket) => accessOf((socket.data as { principal: Principal }).principal) : undefined,
    onRefusal: (reason) => socketQuota.countRefusal(reason),
    ackTiming: opts.ackTiming,
  });
  hubHolder.hub = hub;
  // A device disabled by an administrator leaves every wall: a delta cannot remove it, a snapshot does.
  live.onWithdrawn(() => hub.resyncAll());
  // A dropped subscription may have swallowed any unit's latest report: none of them is live until it
  // reports again (server/live/lost-reports.ts); each wall's next batch says so and it does the same.
  bus.onTelemetryGap(() => {
    const at = clock.now();
    const marked = markReportsLost(live, at);
    logger.warn(
      { marked },
      'telemetry may have been lost: live units shown as lagging until they report again',
    );
    hub.reportsLost(at);
  });
  // An imported territory: new grids to place incidents in, and maybe a new name for the walls' title.
  onTerritoryChanged(
    sql,
    latestReload(
      () => loadTerritoryView(sql),
      (view) => {
        gridLocator = view.grids;
        name = view.name;
        hub.forgetScopes();
      },
      (err) => logger.error({ err }, 'reloading the territory failed: the walls keep the previous one'),
    ),
  );

  /** Sockets outlive sessions: re-check each one this often and drop those signed out or idle-expired. */
  const SOCKET_REAUTH_MS = 60_000;
  let reauthTimer: NodeJS.Timeout | null = null;
  let reauthRunning: Promise<void> | null = null;
  /** One pass at a time (a slow database must not stack passes up); a socket is dropped only on a clear "no". */
  function reauthorizeSockets(): Promise<void> {
    if (!auth) return Promise.resolve();
    reauthRunning ??= (async () => {
      try {
        for (const socket of [...io.sockets.sockets.values()]) {
          const h = socket.handshake;
          const address = clientAddressOf(h.address, h.headers['x-forwarded-for']);
          // A re-check only looks: it never refreshes the session, or an open page would never go idle.
          const p = await auth.authorizeSocket(
            { headers: h.headers, query: h.query, auth: h.auth, address },
            true,
          );
          if (!p) {
            logger.info({ address }, 'socket closed: session ended');
            socket.disconnect(true);
          }
        }
      } catch (err) {
        logger.error(
          { err },
          'socket re-check could not reach the database; sockets kept until the next pass',
        );
      } finally {
        reauthRunning = null;
      }
    })();
    return reauthRunning;
  }

  /** With REDIS_URL several processes may serve walls: their incident boards are kept in step (server/scale). */
  let relay: IncidentRelay | null = null;
  let overdueWatch: OverdueWatch | null = null;
  let reconcile: BoardReconcile | null = null;
  let timer: NodeJS.Timeout | null = null;
  function tick(): void {
    const end = metrics.tickSeconds.startTimer();
    registrar.onTick();
    const changes = live.seal();
    hub.flush();
    // Every process sees the same telemetry and records it for its own history reads (the last minutes are not
    // written yet). Into a shared file (SQLite) one writes it down, as several would store each point N times;
    // into a file of its own (beside PostgreSQL) each does.
    history.onTick(changes, !config.isHistoryShared || leader.isLeader());
    end();
  }

  return {
    ctx,
    httpServer,
    io,
    hub,
    relay: () => relay,
    reauthorizeSockets,
    async listen(port, host) {
      if (config.REDIS_URL)
        relay = startIncidentRelay({
          url: config.REDIS_URL,
          live,
          logger,
          stats,
          secret: config.sessionSecret,
          isSecretShared: config.SESSION_SECRET !== undefined,
        });
      // A process killed between its commit and its relay message: the others catch up from the database.
      if (relay) {
        const r = relay;
        reconcile = startBoardReconcile({
          db: sql,
          board: live.incidents,
          quietly: (apply) => r.quietly(apply),
          logger,
        });
      }
      await bus.onTelemetry((kind, raw) =>
        typeof raw === 'string' ? telemetry.handleRaw(kind, raw) : telemetry.handleBytes(kind, raw),
      );
      await bus.consumeIncidents((entries) => incidents.handleEntries(entries));
      leader.start();
      overdueWatch = startOverdueWatch({
        db: sql,
        incidents: () => live.incidents.values(),
        leader,
        clock,
        logger,
      });
      timer = setInterval(tick, config.TICK_MS);
      reauthTimer = setInterval(() => void reauthorizeSockets(), SOCKET_REAUTH_MS);
      await new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => resolve());
      });
      const addr = httpServer.address();
      return typeof addr === 'object' && addr ? addr.port : port;
    },
    async close() {
      if (timer) clearInterval(timer);
      if (reauthTimer) clearInterval(reauthTimer);
      // Before the caller closes the database: devices first seen in the last ticks are written too.
      await registrar.flush();
      overdueWatch?.close();
      reconcile?.close();
      timeLimits.stop();
      await history.close();
      await leader.close();
      await new Promise<void>((resolve) => io.close(() => resolve()));
      httpServer.closeAllConnections?.();
      await relay?.close();
      await bus.close();
      gridLocator = new GridLocator([]);
    },
  };
}

function allowedOrigins(config: Config): string[] {
  return (config.ALLOWED_ORIGINS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
