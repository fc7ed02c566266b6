import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TIME_LIMITS, setActiveTimeLimits } from '@/lib/domain/time-limits';
import { computeWallStats } from '@/server/stats/wall-stats';
import { startDispatchKit, type DispatchKit } from './dispatch-test-kit';

/**
 * 时限 per category through the real app: an admin saves an override for 消防安全 (a gas leak must be accepted
 * in 3 minutes, whatever its priority) and, without a restart, the incident's lamp, the 超时督办 list, the
 * console's limits and the wall statistics all follow the rule "the category's limit if set, else the
 * priority's"; incidents of other categories keep their priority's limits.
 */

const MIN = 60_000;
let kit: DispatchKit;
let admin: string;

beforeAll(async () => {
  kit = await startDispatchKit();
  // 14:00 in Shanghai: everything below falls inside today's period on the wall.
  kit.clock.set(Date.parse('2026-12-02T06:00:00Z'));
  admin = await kit.login('admin');
}, 30_000);
afterAll(async () => {
  await kit?.close();
  setActiveTimeLimits(DEFAULT_TIME_LIMITS);
});

describe('time limits per category', () => {
  it('an override changes the overdue state, the supervision list and the stats at once', async () => {
    const now = kit.clock.now();
    // Both 一般 (priority 3: accept within 30 min), received 5 minutes ago, not yet accepted.
    await kit.addIncident('gas-1', { category: 'fire_safety', priority: 3, receivedAt: now - 5 * MIN });
    await kit.addIncident('dispute-1', { category: 'dispute', priority: 3, receivedAt: now - 5 * MIN });
    // A fire-safety case resolved 90 minutes after receipt: on time against 一般's 3 days.
    await kit.addIncident('gas-done', {
      category: 'fire_safety',
      priority: 3,
      state: 'resolved',
      receivedAt: now - 120 * MIN,
      updatedAt: now - 30 * MIN,
    });
    const incident = async (id: string) =>
      (await kit.api('GET', `/api/incidents/${id}`, { cookie: admin })).body.timeLimits;
    const supervised = async () =>
      ((await kit.api('GET', '/api/supervision', { cookie: admin })).body.incidents as { id: string }[]).map(
        (i) => i.id,
      );
    const stats = async () =>
      (
        await computeWallStats({
          sql: kit.t.app.ctx.sql,
          live: kit.t.app.ctx.live,
          clock: kit.clock,
          regionCode: null,
          period: 'today',
        })
      ).kpi;

    expect(await incident('gas-1')).toMatchObject({ lamp: 'green', isOverdue: false });
    expect(await supervised()).not.toContain('gas-1');
    const before = await stats();
    expect(before).toMatchObject({ overdue: 0, resolved: 1, resolvedOnTime: 1 });

    const current = await kit.api('GET', '/api/admin/time-limits', { cookie: admin });
    expect(current.body.categories).toEqual({});
    const saved = await kit.api('PUT', '/api/admin/time-limits', {
      cookie: admin,
      body: {
        yellowRatio: current.body.yellowRatio,
        minutes: current.body.minutes,
        categories: { fire_safety: { accept: 3, onScene: 20, resolve: 60 } },
      },
    });
    expect(saved.status).toBe(200);
    expect(saved.body.categories).toEqual({ fire_safety: { accept: 3, onScene: 20, resolve: 60 } });

    // 5 of 3 minutes used: overdue by the category's limit; the dispute keeps 一般's 30 minutes.
    expect(await incident('gas-1')).toMatchObject({
      lamp: 'red',
      isOverdue: true,
      next: { milestone: 'accept', remainingMs: -2 * MIN },
    });
    expect(await incident('dispute-1')).toMatchObject({ lamp: 'green', isOverdue: false });
    expect(await supervised()).toEqual(['gas-1']);
    // 超时 counts it, and the 90-minute resolution is now late against the category's 60 minutes.
    expect(await stats()).toMatchObject({ overdue: 1, resolved: 1, resolvedOnTime: 0 });
    // The console and walls read the same config (with the override) from the server.
    const limits = (await kit.api('GET', '/api/time-limits', { cookie: admin })).body;
    expect(limits.byCategory).toEqual({
      fire_safety: { accept: 3 * MIN, onScene: 20 * MIN, resolve: 60 * MIN },
    });

    const audit = await kit.t.app.ctx.sql.all<{ before: string; after: string }>(
      sql`SELECT before, after FROM audit_log WHERE action = 'time_limits.update' AND result = 'ok'`,
    );
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]!.before)).not.toHaveProperty('fire_safety.accept');
    expect(JSON.parse(audit[0]!.after)).toMatchObject({ 'fire_safety.accept': 3, 'fire_safety.resolve': 60 });

    // Clearing the override (the field left empty) brings the priority's limit back.
    const cleared = await kit.api('PUT', '/api/admin/time-limits', {
      cookie: admin,
      body: {
        yellowRatio: 0.8,
        minutes: current.body.minutes,
        categories: { fire_safety: { accept: null } },
      },
    });
    expect(cleared.status).toBe(200);
    expect(await incident('gas-1')).toMatchObject({ lamp: 'green', isOverdue: false });
    expect(await stats()).toMatchObject({ overdue: 0, resolvedOnTime: 1 });
  });

  it('refuses unknown categories, limits that clash with a priority, and other roles', async () => {
    const put = (body: unknown, cookie = admin) => kit.api('PUT', '/api/admin/time-limits', { cookie, body });
    const unknown = await put({ categories: { gas_leak: { accept: 3 } } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toContain('类别');
    const negative = await put({ categories: { fire_safety: { accept: -3 } } });
    expect(negative.status).toBe(400);
    // Resolve in 60 min while 一般 is due on scene after 120: contradictory for that priority.
    const clash = await put({ categories: { fire_safety: { resolve: 60 } } });
    expect(clash.status).toBe(400);
    expect(clash.body.error).toContain('消防安全');
    expect(clash.body.details.problems[0]).toMatchObject({ category: 'fire_safety', priority: 3 });
    const dispatcher = await kit.login('dispatcher');
    expect((await put({ categories: { fire_safety: { accept: 3 } } }, dispatcher)).status).toBe(403);
    // Nothing of the refused changes was stored.
    expect((await kit.api('GET', '/api/admin/time-limits', { cookie: admin })).body.categories).toEqual({});
  });
});
