import { INCIDENT_CATEGORIES } from '@/lib/domain/enums';
import {
  DEFAULT_TIME_LIMITS,
  MILESTONES,
  parseTimeLimitConfig,
  setActiveTimeLimits,
  timeLimitProblems,
  toTimeLimitMinutes,
  type TimeLimitConfig,
} from '@/lib/domain/time-limits';
import { HttpError, readJson, sendJson, type Route, type RouteContext } from '../http/router';
import { auditAdmin } from './admin-audit';
import { ADMIN, type AdminDeps } from './admin-deps';
import {
  applyStoredTimeLimits,
  readTimeLimits,
  watchStoredTimeLimits,
  writeTimeLimits,
} from './time-limit-settings';

/**
 * One field per limit (`p1.accept`, `fire_safety.resolve`: minutes), so the audit log's before/after marks
 * just what changed; a category milestone without an override is left out rather than written as null.
 */
function auditForm(config: TimeLimitConfig): Record<string, number | null> {
  const m = toTimeLimitMinutes(config);
  const out: Record<string, number | null> = { yellowRatio: m.yellowRatio };
  for (const p of ['1', '2', '3', '4'] as const)
    for (const k of MILESTONES) out[`p${p}.${k}`] = m.minutes[p][k];
  for (const c of INCIDENT_CATEGORIES)
    for (const k of MILESTONES) {
      const v = m.categories[c]?.[k];
      if (typeof v === 'number') out[`${c}.${k}`] = v;
    }
  return out;
}

/**
 * 时限设置 (admin only). GET answers the limits in the editable form (minutes, null for none; per-category
 * overrides under `categories`) with the defaults beside them; PUT takes that form, validates it
 * (`parseTimeLimitConfig`, then the order accept ≤ on scene ≤ resolve, a category's overrides read with each
 * priority's limits), stores it in `meta` and makes it active at once: the server's lamps and
 * overdue counts use it from the next request / stats refresh, and walls and consoles from their next load
 * of `/api/map/world.json` or `/api/time-limits`. Loading the module applies what is stored, and other
 * server processes sharing the database follow a change within TIME_LIMITS_REFRESH_MS.
 */
export function createTimeLimitRoutes(deps: AdminDeps): Route[] {
  const { sqlite, clock, audit, authorize, logger } = deps;
  applyStoredTimeLimits(sqlite, logger);
  watchStoredTimeLimits(sqlite, logger);

  const get = (ctx: RouteContext) => {
    authorize(ctx, { roles: ADMIN, action: 'time_limits.read', objectType: 'config' });
    const stored = readTimeLimits(sqlite, logger);
    sendJson(ctx.res, 200, {
      ...toTimeLimitMinutes(stored.config),
      updatedAt: stored.updatedAt,
      defaults: toTimeLimitMinutes(DEFAULT_TIME_LIMITS),
    });
  };

  const put = async (ctx: RouteContext) => {
    const p = authorize(ctx, {
      roles: ADMIN,
      action: 'time_limits.update',
      objectType: 'config',
      objectId: 'time_limits',
    });
    const body = await readJson(ctx.req);
    let config;
    try {
      config = parseTimeLimitConfig(JSON.stringify(body));
    } catch {
      throw new HttpError(
        400,
        '时限须为正的分钟数（不超过一年，不设则留空），黄灯比例在 0 与 1 之间，类别须为已有的事件类别',
      );
    }
    const problems = timeLimitProblems(config);
    if (problems.length > 0) throw new HttpError(400, problems[0]!.message, { problems });
    sqlite
      .transaction(() => {
        const before = readTimeLimits(sqlite, logger);
        writeTimeLimits(sqlite, config, clock.now());
        auditAdmin(audit, ctx, p, {
          action: 'time_limits.update',
          objectType: 'config',
          objectId: 'time_limits',
          before: auditForm(before.config),
          after: auditForm(config),
        });
      })
      .immediate();
    setActiveTimeLimits(config);
    sendJson(ctx.res, 200, { ...toTimeLimitMinutes(config), updatedAt: clock.now() });
  };

  return [
    { method: 'GET', path: '/api/admin/time-limits', handler: get },
    { method: 'PUT', path: '/api/admin/time-limits', handler: put },
  ];
}
