import { describe, expect, it } from 'vitest';
import { FakeClock } from '../clock';
import {
  DEFAULT_TIME_LIMITS,
  adoptTimeLimits,
  compareUrgency,
  activeTimeLimits,
  limitsFor,
  parseTimeLimitConfig,
  lampFor,
  setActiveTimeLimits,
  timeLimitProblems,
  toTimeLimitMinutes,
  timeLimitStatus,
  type TimeLimitConfig,
} from './time-limits';

const MIN = 60_000;

describe('time-limit lamps', () => {
  it('lights green, yellow at 80 % and red past the limit for a 特急 accept (3 min)', () => {
    const clock = new FakeClock();
    const inc = { priority: 1, state: 'reported' as const, receivedAt: clock.now() };
    expect(timeLimitStatus(inc, clock.now()).lamp).toBe('green');
    clock.advance(2.4 * MIN - 1); // just under 80 % of 3 min
    expect(timeLimitStatus(inc, clock.now()).lamp).toBe('green');
    clock.advance(1);
    expect(timeLimitStatus(inc, clock.now()).lamp).toBe('yellow');
    clock.set(inc.receivedAt + 3 * MIN);
    expect(timeLimitStatus(inc, clock.now()).lamp).toBe('yellow'); // at the limit is not yet late
    clock.advance(1);
    const s = timeLimitStatus(inc, clock.now());
    expect(s.lamp).toBe('red');
    expect(s.isOverdue).toBe(true);
    expect(s.next?.milestone).toBe('accept');
    expect(s.next?.remainingMs).toBe(-1);
  });

  it('stops owing the accept limit once accepted, and everything once resolved', () => {
    const t0 = Date.UTC(2026, 0, 1);
    const now = t0 + 5 * MIN; // accept (3 min) would be red, on-scene (15 min) is green
    expect(timeLimitStatus({ priority: 1, state: 'reported', receivedAt: t0 }, now).lamp).toBe('red');
    const accepted = timeLimitStatus({ priority: 1, state: 'accepted', receivedAt: t0 }, now);
    expect(accepted.lamp).toBe('green');
    expect(accepted.next?.milestone).toBe('onScene');
    const resolved = timeLimitStatus({ priority: 1, state: 'resolved', receivedAt: t0 }, t0 + 100 * MIN);
    expect(resolved).toMatchObject({ lamp: 'none', isOverdue: false, next: null });
  });

  it('skips a milestone without a limit (较低 has no on-scene limit)', () => {
    const s = timeLimitStatus({ priority: 4, state: 'dispatched', receivedAt: 0 }, 1000);
    expect(s.milestones.map((m) => m.milestone)).toEqual(['resolve']);
  });

  it('honours a configured yellow ratio and limits', () => {
    const config: TimeLimitConfig = {
      ...DEFAULT_TIME_LIMITS,
      yellowRatio: 0.7,
      byPriority: {
        ...DEFAULT_TIME_LIMITS.byPriority,
        3: { accept: 10 * MIN, onScene: null, resolve: null },
      },
    };
    expect(timeLimitStatus({ priority: 3, state: 'reported', receivedAt: 0 }, 7 * MIN, config).lamp).toBe(
      'yellow',
    );
    expect(lampFor(69, 100, 0.7)).toBe('green');
  });

  it('orders the queue by priority, then time left, then arrival', () => {
    const now = 100 * MIN;
    const items = [
      { id: 'c', priority: 2, state: 'reported' as const, receivedAt: now - 1 * MIN },
      { id: 'a', priority: 1, state: 'accepted' as const, receivedAt: now - 1 * MIN },
      { id: 'b', priority: 2, state: 'reported' as const, receivedAt: now - 9 * MIN }, // 1 min left on accept
      { id: 'd', priority: 1, state: 'reported' as const, receivedAt: now - 2 * MIN },
    ];
    items.sort((x, y) => compareUrgency(x, y, now));
    expect(items.map((i) => i.id)).toEqual(['d', 'a', 'b', 'c']);
  });
});

describe('time-limit configuration', () => {
  it('overrides the defaults from JSON minutes', () => {
    const c = parseTimeLimitConfig('{"yellowRatio":0.7,"minutes":{"1":{"accept":5,"onScene":null}}}');
    expect(c.yellowRatio).toBe(0.7);
    expect(c.byPriority[1]).toEqual({
      accept: 5 * MIN,
      onScene: null,
      resolve: DEFAULT_TIME_LIMITS.byPriority[1].resolve,
    });
    expect(c.byPriority[2]).toEqual(DEFAULT_TIME_LIMITS.byPriority[2]);
    expect(() => parseTimeLimitConfig('{"yellowRatio":2}')).toThrow();
  });
});

describe('configured limits', () => {
  it('round-trips the editable minutes form through parseTimeLimitConfig', () => {
    const c = parseTimeLimitConfig('{"yellowRatio":0.75,"minutes":{"2":{"accept":7,"onScene":null}}}');
    expect(parseTimeLimitConfig(JSON.stringify(toTimeLimitMinutes(c)))).toEqual(c);
    expect(toTimeLimitMinutes(c).minutes['2']).toEqual({ accept: 7, onScene: null, resolve: 480 });
  });

  it('lamps computed without a config follow the active limits', () => {
    const inc = { priority: 1, state: 'reported' as const, receivedAt: 0 };
    expect(timeLimitStatus(inc, 2 * MIN).lamp).toBe('green'); // default accept 3 min
    try {
      setActiveTimeLimits(parseTimeLimitConfig('{"minutes":{"1":{"accept":1}}}'));
      expect(activeTimeLimits().byPriority[1].accept).toBe(MIN);
      expect(timeLimitStatus(inc, 2 * MIN).lamp).toBe('red');
    } finally {
      setActiveTimeLimits(DEFAULT_TIME_LIMITS);
    }
  });

  it('names limits out of order and refuses absurd ones', () => {
    const c = parseTimeLimitConfig('{"minutes":{"3":{"accept":500,"onScene":60}}}');
    expect(timeLimitProblems(c)).toEqual([{ priority: 3, message: expect.stringContaining('受理') }]);
    expect(timeLimitProblems(DEFAULT_TIME_LIMITS)).toEqual([]);
    expect(() => parseTimeLimitConfig('{"minutes":{"1":{"accept":1e9}}}')).toThrow();
  });
});

describe('per-category limits: the category override if set, else the priority default', () => {
  // 消防安全 (e.g. a gas leak) tighter than any priority: accept in 2 min, on scene in 10, resolve as the priority.
  const config = parseTimeLimitConfig('{"categories":{"fire_safety":{"accept":2,"onScene":10}}}');

  it('takes each milestone from the category when set and from the priority otherwise', () => {
    expect(limitsFor(config, 3, 'fire_safety')).toEqual({
      accept: 2 * MIN,
      onScene: 10 * MIN,
      resolve: DEFAULT_TIME_LIMITS.byPriority[3].resolve,
    });
    // 较低 has no on-scene limit of its own: the category's applies.
    expect(limitsFor(config, 4, 'fire_safety').onScene).toBe(10 * MIN);
    expect(limitsFor(config, 3, 'traffic')).toEqual(DEFAULT_TIME_LIMITS.byPriority[3]);
    expect(limitsFor(config, 3)).toEqual(DEFAULT_TIME_LIMITS.byPriority[3]);
    // Names that are not categories (prototype keys included) find no override.
    for (const odd of ['constructor', '__proto__', 'toString', 'gas_leak'])
      expect(limitsFor(config, 3, odd)).toEqual(DEFAULT_TIME_LIMITS.byPriority[3]);
    expect(limitsFor(config, 9, 'fire_safety').resolve).toBe(DEFAULT_TIME_LIMITS.byPriority[3].resolve);
  });

  it('turns the lamp red by the category limit while the priority alone would be green', () => {
    const gas = { priority: 3, category: 'fire_safety', state: 'reported' as const, receivedAt: 0 };
    const other = { ...gas, category: 'traffic' };
    expect(timeLimitStatus(gas, 3 * MIN, config)).toMatchObject({ lamp: 'red', isOverdue: true });
    expect(timeLimitStatus(gas, 3 * MIN, config).next).toMatchObject({
      milestone: 'accept',
      remainingMs: -MIN,
    });
    expect(timeLimitStatus(other, 3 * MIN, config).lamp).toBe('green'); // 一般 accept: 30 min
    expect(timeLimitStatus(gas, 3 * MIN, DEFAULT_TIME_LIMITS).lamp).toBe('green');
    const now = 3 * MIN;
    const queue = [
      { ...other, id: 'a' },
      { ...gas, id: 'b' },
    ].sort((x, y) => compareUrgency(x, y, now, config));
    expect(queue.map((q) => q.id)).toEqual(['b', 'a']); // same priority: the gas leak is due first
  });

  it('round-trips the overrides through the editable form, and null or absent means no override', () => {
    const m = toTimeLimitMinutes(config);
    expect(m.categories).toEqual({ fire_safety: { accept: 2, onScene: 10 } });
    expect(parseTimeLimitConfig(JSON.stringify(m))).toEqual(config);
    const cleared = parseTimeLimitConfig('{"categories":{"fire_safety":{"accept":null}}}');
    expect(cleared.byCategory).toEqual({});
    expect(toTimeLimitMinutes(DEFAULT_TIME_LIMITS).categories).toEqual({});
  });

  it('refuses unknown categories and absurd minutes', () => {
    expect(() => parseTimeLimitConfig('{"categories":{"gas_leak":{"accept":2}}}')).toThrow();
    expect(() => parseTimeLimitConfig('{"categories":{"fire_safety":{"accept":-1}}}')).toThrow();
    expect(() => parseTimeLimitConfig('{"categories":{"fire_safety":{"accept":1e9}}}')).toThrow();
    expect(() => parseTimeLimitConfig('{"categories":{"fire_safety":{"accept":"2"}}}')).toThrow();
  });

  it('names a category whose override clashes with a priority it is read with', () => {
    // Resolve in 60 min, but 一般 is due on scene only after 120: the category must say on scene too.
    const c = parseTimeLimitConfig('{"categories":{"fire_safety":{"resolve":60}}}');
    expect(timeLimitProblems(c)).toEqual([
      { priority: 3, category: 'fire_safety', message: expect.stringContaining('消防安全') },
    ]);
    const fixed = parseTimeLimitConfig(
      '{"categories":{"fire_safety":{"accept":5,"onScene":20,"resolve":60}}}',
    );
    expect(timeLimitProblems(fixed)).toEqual([]);
    expect(timeLimitProblems(config)).toEqual([]);
  });

  it('walls adopt limits with overrides, and limits stored before categories existed', () => {
    try {
      expect(adoptTimeLimits(JSON.parse(JSON.stringify(config)))).toBe(true);
      expect(limitsFor(activeTimeLimits(), 2, 'fire_safety').accept).toBe(2 * MIN);
      const { byCategory: _omitted, ...old } = DEFAULT_TIME_LIMITS;
      expect(adoptTimeLimits(old)).toBe(true);
      expect(limitsFor(activeTimeLimits(), 2, 'fire_safety')).toEqual(DEFAULT_TIME_LIMITS.byPriority[2]);
      expect(adoptTimeLimits({ ...config, byCategory: { fire_safety: { accept: 0 } } })).toBe(false);
    } finally {
      setActiveTimeLimits(DEFAULT_TIME_LIMITS);
    }
  });
});
