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
import { forUpdate } from '../db/sql-db';
import { sql as sqlTag } from 'drizzle-orm';
import { auditAdminIn } from './admin-audit';
import { ADMIN, type AdminDeps } from './admin-deps';
import { readTimeLimits, TIME_LIMITS_META_KEY, writeTimeLimits } from './time-limit-settings';

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
 * of `/api/map/world.json` or `/api/time-limits`. What is stored is applied at start, awaited before the
 * app's first tick (`startTimeLimits`, server/app.ts), and other server processes sharing the database follow
 * a change within TIME_LIMITS_REFRESH_MS.
 */
export function createTimeLimitRoutes(deps: AdminDeps): Route[] {
  const { sql, clock, sqlAudit, authorize, logger } = deps;

  const get = async (ctx: RouteContext) => {
    authorize(ctx, { roles: ADMIN, action: 'time_limits.read', objectType: 'config' });
    const stored = await readTimeLimits(sql, logger);
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
    const now = clock.now();
    await sql.transaction(async (tx) => {
      // Two admins saving at once: the second's "before" is the first's "after" (PostgreSQL: once a row exists to lock).
      await tx.get(sqlTag`SELECT key FROM meta WHERE key = ${TIME_LIMITS_META_KEY}${forUpdate(tx)}`);
      const before = await readTimeLimits(tx, logger);
      await writeTimeLimits(tx, config, now);
      await auditAdminIn(sqlAudit, tx, ctx, p, {
        action: 'time_limits.update',
        objectType: 'config',
        objectId: 'time_limits',
        before: auditForm(before.config),
        after: auditForm(config),
      });
    });
    setActiveTimeLimits(config);
    sendJson(ctx.res, 200, { ...toTimeLimitMinutes(config), updatedAt: now });
  };

  return [
    { method: 'GET', path: '/api/admin/time-limits', handler: get },
    { method: 'PUT', path: '/api/admin/time-limits', handler: put },
  ];
}
