import { describe, expect, it } from 'vitest';
import { INCIDENT_CATEGORIES, INCIDENT_SOURCES, PRIORITIES } from '@/lib/domain/enums';
import { DEFAULT_TIME_LIMITS } from '@/lib/domain/time-limits';
import { Rng } from '@/lib/world/rng';
import { planHandling } from './history-plan';

describe('planHandling', () => {
  it('plans whole-millisecond steps in time order, on-time cases resolved inside their limit', () => {
    const rng = new Rng('plan-test');
    const receivedAt = Date.UTC(2026, 0, 5, 11, 0, 0);
    let late = 0;
    for (let k = 0; k < 3_000; k++) {
      const priority = rng.pick(PRIORITIES);
      const plan = planHandling(
        {
          category: rng.pick(INCIDENT_CATEGORIES),
          priority,
          source: rng.pick(INCIDENT_SOURCES),
          receivedAt,
          hasGridWorker: rng.chance(0.5),
        },
        rng,
      );
      const times = plan.steps.map((s) => s.at);
      expect(times.every(Number.isInteger)).toBe(true);
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(times[0]).toBeGreaterThan(receivedAt);
      const resolved = plan.steps.find(
        (s) => 'command' in s && s.command.type === 'transition' && s.command.to === 'resolved',
      );
      const limit = DEFAULT_TIME_LIMITS.byPriority[priority].resolve!;
      if (resolved && !plan.isLate) expect(resolved.at - receivedAt).toBeLessThanOrEqual(limit);
      if (plan.isLate) late++;
    }
    expect(late / 3_000).toBeGreaterThan(0.03);
    expect(late / 3_000).toBeLessThan(0.12);
  });
});
