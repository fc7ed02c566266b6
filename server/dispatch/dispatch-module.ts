import type { Clock } from '@/lib/clock';
import type { TimeLimitConfig } from '@/lib/domain/time-limits';
import type { Logger } from '../logger';
import type { Route } from '../http/router';
import type { AppContext } from '../app';
import type { LiveState } from '../live/live-state';
import { SqlAudit } from '../audit/audit-append';
import type { SqlDb } from '../db/sql-db';
import { createAuditRoutes } from '../audit/audit-routes';
import { startAuditAnchor } from '../audit/audit-anchor';
import { createAuth } from '../auth/auth';
import type { LoginLimiter } from '../auth/login-limiter';
import type { RegionGate } from '../auth/region-scope';
import { DispatchService, type DispatchLive } from './dispatch-service';
import { createEntityRoutes } from './entity-routes';
import { createIncidentRoutes } from './incident-routes';
import { createRecommendationRoutes } from './recommendation-routes';
import { createSearch } from '../search/search';
import { createSearchRoutes } from '../search/search-routes';
import { IncidentIngest } from '../ingest/incident-ingest';
import { createIntakeRoutes } from './intake-routes';
import type { TravelTimeEstimator } from './travel-time';
import { createNameLookup } from './name-lookup';
import { createDepartmentRoutes } from '../departments/department-routes';

export interface DispatchModuleDeps {
  /** The system of record. */
  sql: SqlDb;
  live: DispatchLive;
  clock: Clock;
  logger: Logger;
  /** Clamps reads to the principal's region (the app's one gate). */
  regions: RegionGate;
  /** SESSION_SECRET (config.sessionSecret). */
  secret: string;
  allowedOrigins?: string[];
  timeLimits?: TimeLimitConfig;
  travelTime?: () => TravelTimeEstimator | null;
  limiter?: LoginLimiter;
  sessionIdleMs?: number;
  /** Demo mode and DEMO_PASSWORD, for the password policy. */
  passwordPolicy?: { isDemo: boolean; demoPassword?: string | null };
  /** What an unknown username's password is checked against (tests pass a cheap one). */
  dummyHash?: () => Promise<string>;
  /** Where the audit chain's head is anchored outside the database; null: not anchored. */
  auditAnchorPath?: string | null;
  /** REDIS_URL: the audit chain's head is anchored there too, out of the database writer's reach. */
  auditRedisUrl?: string;
  /** The ingest path hand-logged incidents (接警登记) take; without it POST /api/incidents is not mounted. */
  incidentIngest?: IncidentIngest;
  /** UPLOADS_DIR: read for photos stored before their bytes moved into the database. */
  uploadsDir: string;
}

/**
 * Everything issue 5 adds, wired once: auth (sessions, display tokens, accounts), the audit log, and the
 * dispatch routes. The app mounts `routes`, resolves principals with `auth.resolvePrincipal`, and gates
 * Socket.IO with `auth.authorizeSocket` (+ `canUseSocketEvent` per event).
 */
export function createDispatchModule(deps: DispatchModuleDeps) {
  const sqlAudit = new SqlAudit(deps.sql, deps.clock);
  const anchor = startAuditAnchor({
    sql: deps.sql,
    path: deps.auditAnchorPath ?? null,
    redisUrl: deps.auditRedisUrl,
    clock: deps.clock,
    logger: deps.logger,
  });
  const auth = createAuth({
    sql: deps.sql,
    sqlAudit,
    secret: deps.secret,
    clock: deps.clock,
    logger: deps.logger,
    allowedOrigins: deps.allowedOrigins,
    limiter: deps.limiter,
    sessionIdleMs: deps.sessionIdleMs,
    passwordPolicy: deps.passwordPolicy,
    dummyHash: deps.dummyHash,
  });
  // Out-of-region reads are denials like any other: counted where the guard counts its own.
  deps.regions.countDenialsWith((isWrite, source, actor) =>
    auth.denials.count(isWrite ? 'write.denied' : 'read.denied', source, actor),
  );
  const service = new DispatchService(deps.sql, deps.live, sqlAudit, deps.clock, deps.logger);
  const common = {
    sql: deps.sql,
    live: deps.live,
    authorize: auth.authorize,
    clock: deps.clock,
    regions: deps.regions,
  };
  const routes: Route[] = [
    ...auth.routes,
    ...createIncidentRoutes({ ...common, service, timeLimits: deps.timeLimits }),
    ...createRecommendationRoutes({ ...common, travelTime: deps.travelTime, logger: deps.logger }),
    ...createEntityRoutes(common),
    ...(deps.incidentIngest
      ? createIntakeRoutes({
          ingest: deps.incidentIngest,
          sql: deps.sql,
          audit: sqlAudit,
          authorize: auth.authorize,
          clock: deps.clock,
        })
      : []),
    ...createSearchRoutes({
      search: createSearch({ sql: deps.sql, vehicles: deps.live.vehicles, workers: deps.live.workers }),
      authorize: auth.authorize,
    }),
    ...createAuditRoutes({
      sql: deps.sql,
      authorize: auth.authorize,
      anchor,
      names: createNameLookup(deps.sql),
    }),
    // 部门报到 (/dept): the department's queue and its 签收/反馈/办结/退回, through the same service.
    ...createDepartmentRoutes({
      ...common,
      service,
      audit: sqlAudit,
      logger: deps.logger,
      uploadsDir: deps.uploadsDir,
    }),
  ];
  return { auth, sqlAudit, anchor, service, routes };
}

export type DispatchModule = ReturnType<typeof createDispatchModule>;

/** The live state as dispatch sees it (the app's LiveState names its stores in the singular). */
export function dispatchLiveFrom(live: LiveState): DispatchLive {
  return {
    vehicles: live.vehicle,
    workers: live.worker,
    cameras: live.camera,
    incidents: live.incidents,
    setVehicleStatus: (id, status) => live.setVehicleStatus(id, status),
  };
}

/**
 * The two AppOptions hooks (`auth`, `routes`) backed by one module, built on first use from the app's context:
 *   createApp({ ...opts, ...dispatchAppHooks({ travelTime: () => roadGraph }) })
 */
export function dispatchAppHooks(
  extra: Pick<
    DispatchModuleDeps,
    'timeLimits' | 'travelTime' | 'limiter' | 'sessionIdleMs' | 'dummyHash'
  > = {},
) {
  let mod: DispatchModule | null = null;
  const get = (ctx: AppContext): DispatchModule =>
    (mod ??= createDispatchModule({
      sql: ctx.sql,
      live: dispatchLiveFrom(ctx.live),
      clock: ctx.clock,
      logger: ctx.logger,
      regions: ctx.regions,
      secret: ctx.config.sessionSecret,
      allowedOrigins: (ctx.config.ALLOWED_ORIGINS ?? '').split(',').filter(Boolean),
      auditAnchorPath: ctx.config.auditAnchorPath,
      auditRedisUrl: ctx.config.REDIS_URL,
      passwordPolicy: { isDemo: ctx.config.DEMO, demoPassword: ctx.config.DEMO_PASSWORD },
      incidentIngest: new IncidentIngest(ctx.sql, ctx.live, ctx.stats, ctx.grids),
      uploadsDir: ctx.config.UPLOADS_DIR,
      ...extra,
    }));
  return {
    auth: (ctx: AppContext) => get(ctx).auth,
    routes: (ctx: AppContext) => get(ctx).routes,
    module: () => mod,
  };
}
