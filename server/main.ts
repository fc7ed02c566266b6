/**
 * The one server process: env → db → bus → app (ingest, live state, realtime, API) → Next pages → listen.
 * Everything here only wires; each piece is a factory that tests build on port 0.
 */
// We are offline by design: Next must not try to phone home.
process.env.NEXT_TELEMETRY_DISABLED ??= '1';
import next from 'next';
import path from 'node:path';
import { ConfigError, loadConfig } from './config';
import { missingMallocEnv } from './process/malloc-env';
import { openSystemOfRecord } from './db/system-of-record';
import { AuditKeyError, configureSqlAuditChain } from './audit/audit-key';
import { createApp, type AppContext } from './app';
import { InProcessBus } from './bus/in-process-bus';
import { RedisBus } from './bus/redis-bus';
import type { Bus } from './bus/bus';
import { createLogger } from './logger';
import { dispatchAppHooks } from './dispatch/dispatch-module';
import { seedDemoAccounts } from './auth/accounts';
import { seedDemoDepartmentAccounts } from './departments/demo-accounts';
import { systemClock } from '@/lib/clock';
import { seedDemoWorld } from './world/seed-world';
import { backfillDemoHistory } from './simulator/history-backfill';
import { roadGraphGetter } from './world/load-world';
import { createMapRoutes } from './http/routes/map';
import { startDemo } from './demo';
import { createStatsProvider, createWallRoutes, type StatsProvider } from './stats/wall-routes';
import { createImportRoutes } from './admin/import-routes';
import { createTownCardsRoutes } from './stats/town-cards';
import { startFieldGateways } from './protocols/field-gateways';
import { createDeviceRoutes } from './admin/device-routes';
import { createReportModule } from './reports/report-module';
import { createMobileModuleRoutes } from './mobile/mobile-module';
import { createHotlineModule, type HotlineModule } from './hotline/hotline-module';
import { createAlarmModule, type AlarmModule } from './alarms/alarm-module';
import { seedDemoWorkerAccount } from './mobile/demo-worker';
import { tuneHeap } from './heap-tuning';
import { testHooks } from './process/test-hooks';
import { installCrashPolicy } from './process/crash-policy';

const SHUTDOWN_GRACE_MS = 10_000;

async function main(): Promise<void> {
  let isStopping = false;
  tuneHeap();
  const logger = createLogger();
  // First: an error escaping anywhere from here on is logged and ends the process for its supervisor.
  const crash = installCrashPolicy(process, { logger });
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      logger.fatal(err.message);
      process.exit(2);
    }
    throw err;
  }
  const records = await openSystemOfRecord(config, logger);
  const sqlDb = records.sql;
  try {
    // Before anything appends to the audit log (the demo history below does): every row keyed alike.
    await configureSqlAuditChain(sqlDb, { auditKey: config.AUDIT_KEY, logger });
  } catch (err) {
    if (!(err instanceof AuditKeyError)) throw err;
    logger.fatal(err.message);
    process.exit(2);
  }
  const bus: Bus = config.REDIS_URL
    ? new RedisBus({
        url: config.REDIS_URL,
        logger,
        peakReportRate: config.TELEMETRY_PEAK_RATE,
        transport: config.TELEMETRY_TRANSPORT,
        streamShards: config.TELEMETRY_STREAM_SHARDS,
        streamMaxLen: config.TELEMETRY_STREAM_MAXLEN,
      })
    : new InProcessBus();
  logger.info({ bus: config.REDIS_URL ? 'redis' : 'in-process', db: records.describe }, 'starting');
  const untunedMalloc = missingMallocEnv();
  if (untunedMalloc.length > 0)
    logger.warn(
      { missing: untunedMalloc },
      'started without the malloc settings of `npm start` and deploy/pingan-wall.service: at province scale such a server held 100–250 MB more (server/process/malloc-env.ts)',
    );

  const hooks = testHooks();
  const nextApp = hooks.isApiOnly
    ? null
    : next({ dev: config.isDev, dir: path.resolve(import.meta.dirname, '..'), port: config.PORT });
  await nextApp?.prepare();
  const clock = systemClock;
  if (config.DEMO) {
    // Before the app starts, so the live state loads the world's devices; a no-op when one exists.
    const seeded = await seedDemoWorld(sqlDb, {
      onProgress: (stage, done, total) => logger.info({ stage, done, total }, 'seeding demo world'),
    });
    if (seeded.isNew) logger.info({ timingsMs: seeded.timingsMs }, 'demo world seeded');
    await seedDemoAccounts(sqlDb, clock, config.DEMO_PASSWORD);
    await seedDemoWorkerAccount(sqlDb, clock, config.DEMO_PASSWORD);
    await seedDemoDepartmentAccounts(sqlDb, clock, config.DEMO_PASSWORD);
    // Before the app too: it loads the open incidents from SQLite, so history's open cases are on the board.
    await backfillDemoHistory({ db: sqlDb, logger, days: config.DEMO_HISTORY_DAYS, now: clock.now() });
  }
  const dispatch = dispatchAppHooks({ travelTime: await roadGraphGetter(sqlDb) });
  // One cached provider serves both the hub's pushed panels and the briefing-mode period API.
  let stats: StatsProvider | undefined;
  const statsProvider = (ctx: AppContext) =>
    (stats ??= createStatsProvider({
      sql: ctx.sql,
      live: ctx.live,
      clock: ctx.clock,
      tz: config.DISPLAY_TZ,
      logger: ctx.logger,
    }));
  // Built with the routes (they need the app's context); kept for the SIP listener's hook and shutdown.
  let hotline: HotlineModule | undefined;
  let alarms: AlarmModule | undefined;
  let reports: ReturnType<typeof createReportModule> | undefined;
  const app = await createApp({
    config,
    sql: sqlDb,
    historyDb: records.historyDb,
    bus,
    logger,
    clock,
    nextHandler: nextApp?.getRequestHandler(),
    nextUpgrade: config.isDev ? nextApp?.getUpgradeHandler() : undefined,
    auth: dispatch.auth,
    routes: (ctx) => [
      ...dispatch.routes(ctx),
      ...createMapRoutes({ db: sqlDb, config }),
      ...createWallRoutes({
        sql: ctx.sql,
        live: ctx.live,
        clock,
        stats: statsProvider(ctx),
        drawCrs: config.BASEMAP_CRS,
        regions: ctx.regions,
      }),
      ...createImportRoutes(ctx, dispatch.module()!),
      ...createDeviceRoutes(ctx, dispatch.module()!),
      ...(reports = createReportModule(ctx, dispatch.module()!)).routes,
      ...createMobileModuleRoutes(ctx, dispatch.module()!),
      ...(hotline = createHotlineModule(ctx, dispatch.module()!)).routes,
      ...(alarms = createAlarmModule(ctx, dispatch.module()!)).routes,
      ...createTownCardsRoutes({ sql: ctx.sql, live: ctx.live, clock, regions: ctx.regions }),
      ...hooks.routes,
    ],
    // The hub's tick is synchronous: it takes the figures last computed, and a due recompute runs beside it.
    statsFor: (ctx) => {
      const stats = statsProvider(ctx);
      return (scope) => stats.latest(scope.regionCode);
    },
  });
  const port = await app.listen(config.PORT, config.HOST);
  logger.info({ url: `http://localhost:${port}/wall` }, 'Pingan Wall is up');
  // Every process, not only the leader: each host brings in the report files only its own disk holds.
  void reports?.importFiles();
  // REPORT_SCHEDULE: off the request path, one report at a time; a stored file is never rewritten. The
  // leader's job (server/scale/leader.ts): several processes would render the same due report at once.
  const followForReports = (isLeader: boolean) => (isLeader ? reports?.start() : reports?.stop());
  app.ctx.leader.onChange(followForReports);
  followForReports(app.ctx.leader.isLeader());

  // The simulator is one world: with several processes only the leader drives it, and a new leader takes
  // over the open cases (startDemo adopts them) when the old one goes.
  let demo: ReturnType<typeof startDemo> | null = null;
  const followLeader = (isLeader: boolean) => {
    if (!config.DEMO || isStopping) return;
    if (isLeader && !demo) demo = startDemo(app.ctx, dispatch.module()!);
    else if (!isLeader && demo) {
      const was = demo;
      demo = null;
      was.stop().catch((err: unknown) => logger.error({ err }, 'demo simulator did not stop cleanly'));
    }
  };
  app.ctx.leader.onChange(followLeader);
  followLeader(app.ctx.leader.isLeader());

  // Field protocols publish onto the same bus as every other source.
  const ingestStats = app.ctx.stats;
  const field = await startFieldGateways({
    config,
    sql: app.ctx.sql,
    bus,
    logger,
    stats: ingestStats,
    onAlarm: (xml) => alarms!.onGbAlarm(xml),
  });

  /** Stop accepting, close sockets, Redis and the database, then exit with `code` (bounded by a grace period). */
  const stop = async (code: number, reason: string) => {
    if (isStopping) return;
    isStopping = true;
    logger.info({ reason }, 'shutting down');
    const force = setTimeout(() => process.exit(code || 1), SHUTDOWN_GRACE_MS);
    force.unref();
    try {
      await demo?.stop();
      reports?.stop();
      await field.close();
      hotline?.close();
      await app.close();
      await nextApp?.close?.();
      await records.close();
      logger.info({ reason, code }, 'shut down');
    } catch (err) {
      logger.error({ err, reason }, 'shutdown failed');
      code ||= 1;
    }
    process.exit(code);
  };
  crash.setShutdown(stop);
  process.on('SIGINT', () => void stop(0, 'SIGINT'));
  process.on('SIGTERM', () => void stop(0, 'SIGTERM'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
