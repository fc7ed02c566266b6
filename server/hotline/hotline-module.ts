import type { AppContext } from '../app';
import type { DispatchModule } from '../dispatch/dispatch-module';
import { IncidentIngest } from '../ingest/incident-ingest';
import type { Route } from '../http/router';
import { HotlineOutbox } from './callback-outbox';
import { createHotlineRoutes } from './hotline-routes';

export interface HotlineModule {
  routes: Route[];
  outbox: HotlineOutbox;
  close(): void;
}

/**
 * The 12345 adapter, mounted beside dispatch (it needs its guard and audit log): the push route, the reply,
 * the dead-letter list, and the callback outbox ticking while HOTLINE_CALLBACK_URL is set.
 */
export function createHotlineModule(ctx: AppContext, dispatch: DispatchModule): HotlineModule {
  const { config } = ctx;
  const outbox = new HotlineOutbox({
    db: ctx.sql,
    clock: ctx.clock,
    logger: ctx.logger,
    url: config.HOTLINE_CALLBACK_URL,
    secret: config.HOTLINE_CALLBACK_SECRET ?? config.HOTLINE_TOKEN ?? '',
  });
  // The cursor is set at start, not at the first tick, so changes made before that tick are reported too.
  void outbox.scan().catch((err: unknown) => ctx.logger.error({ err }, 'hotline outbox first scan failed'));
  outbox.start();
  const routes = createHotlineRoutes({
    sql: ctx.sql,
    token: config.HOTLINE_TOKEN,
    ingest: new IncidentIngest(ctx.sql, ctx.live, ctx.stats, ctx.grids),
    stats: ctx.stats,
    authorize: dispatch.auth.authorize,
    audit: dispatch.sqlAudit,
    regions: ctx.regions,
    clock: ctx.clock,
    outbox,
  });
  return { routes, outbox, close: () => outbox.close() };
}
