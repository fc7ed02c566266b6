import path from 'node:path';
import type { Route } from '../http/router';
import type { AppContext } from '../app';
import type { DispatchModule } from '../dispatch/dispatch-module';
import { UploadStore } from '../uploads/upload-store';
import { createUploadRoutes } from '../uploads/upload-routes';
import { createMobileRoutes } from './mobile-routes';

/** The grid worker's phone page's routes and the photo routes, on the dispatch module's auth and audit. */
export function createMobileModuleRoutes(ctx: AppContext, mod: DispatchModule): Route[] {
  const store = new UploadStore(ctx.sql, path.resolve(ctx.config.UPLOADS_DIR));
  return [
    ...createMobileRoutes(ctx, mod, store),
    ...createUploadRoutes({
      sql: ctx.sql,
      store,
      authorize: mod.auth.authorize,
      regions: ctx.regions,
      audit: mod.sqlAudit,
      clock: ctx.clock,
      logger: ctx.logger,
      stats: ctx.stats,
    }),
  ];
}
