/**
 * The one server process: env → db → bus → app (ingest, live state, realtime, API) → Next pages → listen.
 * Everything here only wires; each piece is a factory that tests build on port 0.
 */
// We are offline by design: Next must not try to phone home.
process.env.NEXT_TELEMETRY_DISABLED ??= '1';
import next from 'next';
import path from 'node:path';
import { ConfigError, loadConfig } from './config';
import { openDatabase } from './db/open-database';
import { createApp, type AppContext } from './app';
import { InProcessBus } from './bus/in-process-bus';
import { RedisBus } from './bus/redis-bus';
import type { Bus } from './bus/bus';
import { createLogger } from './logger';
import { dispatchAppHooks } from './dispatch/dispatch-module';
import { seedDemoAccounts } from './auth/accounts';
import { systemClock } from '@/lib/clock';
import { seedDemoWorld } from './world/seed-world';
import { backfillDemoHistory } from './simulator/history-backfill';
import { loadRoadGraph } from './world/load-world';
import { createMapRoutes } from './http/routes/map';
import { startDemo } from './demo';
import { createStatsProvider, createWallRoutes } from './stats/wall-routes';
import { createImportRoutes } from './admin/import-routes';
import { createTownCardsRoutes } from './stats/town-cards';
import { startFieldGateways } from './protocols/field-gateways';
import { createDeviceRoutes } from './admin/device-routes';
import { tuneHeap } from './heap-tuning';

const SHUTDOWN_GRACE_MS = 10_000;

async function main(): Promise<void> {
  tuneHeap();
  const logger = createLogger();
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
  const db = openDatabase(config.DATABASE_PATH);
  const bus: Bus = config.REDIS_URL ? new RedisBus({ url: config.REDIS_URL, logger }) : new InProcessBus();
  logger.info({ bus: config.REDIS_URL ? 'redis' : 'in-process', db: config.DATABASE_PATH }, 'starting');

  const nextApp = next({
    dev: config.isDev,
    dir: path.resolve(import.meta.dirname, '..'),
    port: config.PORT,
  });
  await nextApp.prepare();
  const clock = systemClock;
  if (config.DEMO) {
    // Before the app starts, so the live state loads the world's devices; a no-op when one exists.
    const seeded = seedDemoWorld(db, {
      onProgress: (stage, done, total) => logger.info({ stage, done, total }, 'seeding demo world'),
    });
    if (seeded.isNew) logger.info({ timingsMs: seeded.timingsMs }, 'demo world seeded');
    await seedDemoAccounts(db.$client, clock, config.DEMO_PASSWORD);
    // Before the app too: it loads the open incidents from SQLite, so history's open cases are on the board.
    backfillDemoHistory({ db, logger, days: config.DEMO_HISTORY_DAYS, now: clock.now() });
  }
  const dispatch = dispatchAppHooks({ travelTime: () => loadRoadGraph(db) });
  // One cached provider serves both the hub's pushed panels and the briefing-mode period API.
  let stats: ReturnType<typeof createStatsProvider> | undefined;
  const statsProvider = (ctx: { db: typeof db; live: AppContext['live']; clock: typeof clock }) =>
    (stats ??= createStatsProvider({
      db: ctx.db,
      live: ctx.live,
      clock: ctx.clock,
      tz: config.DISPLAY_TZ,
    }));
  const app = createApp({
    config,
    db,
    bus,
    logger,
    clock,
    nextHandler: nextApp.getRequestHandler(),
    nextUpgrade: config.isDev ? nextApp.getUpgradeHandler() : undefined,
    auth: dispatch.auth,
    routes: (ctx) => [
      ...dispatch.routes(ctx),
      ...createMapRoutes({ db, config }),
      ...createWallRoutes({
        db,
        live: ctx.live,
        clock,
        stats: statsProvider(ctx),
        drawCrs: config.BASEMAP_CRS,
      }),
      ...createImportRoutes(ctx, dispatch.module()!),
      ...createDeviceRoutes(ctx, dispatch.module()!),
      ...createTownCardsRoutes({ db, live: ctx.live, clock }),
    ],
    statsFor: (ctx) => {
      const stats = statsProvider(ctx);
      return (scope) => stats(scope.regionCode);
    },
  });
  const port = await app.listen(config.PORT, config.HOST);
  logger.info({ url: `http://localhost:${port}/wall` }, 'Pingan Wall is up');

  const demo = config.DEMO ? startDemo(app.ctx, dispatch.module()!) : null;

  // Field protocols publish onto the same bus as every other source.
  const ingestStats = app.ctx.stats;
  const field = await startFieldGateways({ config, db, bus, logger, stats: ingestStats });

  let isStopping = false;
  const stop = async (signal: string) => {
    if (isStopping) return;
    isStopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS);
    force.unref();
    await demo?.stop();
    await field.close();
    await app.close();
    await nextApp.close?.();
    db.$client.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
