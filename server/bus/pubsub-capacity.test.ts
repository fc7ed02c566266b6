import { describe, expect, it } from 'vitest';
import { parsePubSubLimit, pubSubCapacity } from './pubsub-capacity';

describe('pub/sub output buffer capacity', () => {
  it('reads the pubsub class out of the whole CONFIG GET value, in bytes or with units', () => {
    expect(parsePubSubLimit('normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60')).toEqual({
      hardBytes: 33_554_432,
      softBytes: 8_388_608,
      softSeconds: 60,
    });
    expect(parsePubSubLimit('pubsub 32mb 8mb 60')?.hardBytes).toBe(32 * 1024 * 1024);
    expect(parsePubSubLimit('normal 0 0 0')).toBeNull();
    expect(parsePubSubLimit('pubsub lots 1 2')).toBeNull();
  });

  it('says how long a stall at the peak rate it absorbs, and warns below a second', () => {
    const defaults = { hardBytes: 33_554_432, softBytes: 8_388_608, softSeconds: 60 };
    const c = pubSubCapacity(defaults, 110, 1_000_000);
    expect(c.burstReports).toBe(305_040);
    expect(c.stallSeconds).toBeCloseTo(0.305, 3);
    expect(c.isBelowScale).toBe(true);
    expect(pubSubCapacity(defaults, 110, 100_000).isBelowScale).toBe(false);
    // No rate configured: nothing to warn about; no limit: nothing is ever dropped.
    expect(pubSubCapacity(defaults, 110, null).isBelowScale).toBe(false);
    expect(pubSubCapacity({ hardBytes: 0, softBytes: 0, softSeconds: 0 }, 110, 1e7).stallSeconds).toBe(
      Infinity,
    );
  });
});
