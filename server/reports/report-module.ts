/**
 * The briefing-report capability as the app mounts it: the service (stored files, schedule) and its routes, built
 * from the app context and the dispatch module's guard and audit log.
 *
 *   routes: (ctx) => [...createReportModule(ctx, dispatch.module()!).routes]
 */
import { parseReportSchedule } from '@/lib/reports/report-schedule';
import type { AppContext } from '../app';
import type { SqlAudit } from '../audit/audit-append';
import type { Authorize } from '../auth/guard';
import { createReportRoutes } from './report-routes';
import { createReportService } from './report-service';

export function createReportModule(
  ctx: Pick<AppContext, 'config' | 'sql' | 'live' | 'clock' | 'logger' | 'regions'>,
  mod: { sqlAudit: SqlAudit; auth: { authorize: Authorize } },
) {
  const { config } = ctx;
  const reports = createReportService({
    sql: ctx.sql,
    live: ctx.live,
    clock: ctx.clock,
    logger: ctx.logger,
    tz: config.DISPLAY_TZ,
    fontPath: config.REPORT_FONT_PATH,
    dir: config.REPORTS_DIR,
    retentionDays: config.REPORT_RETENTION_DAYS,
    schedule: parseReportSchedule(config.REPORT_SCHEDULE),
  });
  return {
    service: reports,
    routes: createReportRoutes({ reports, regions: ctx.regions }, mod),
    /** Every process, once at start: report files an older version left in REPORTS_DIR join the table. */
    importFiles: () => reports.importFiles(),
    start: () => reports.start(),
    stop: () => reports.stop(),
  };
}
