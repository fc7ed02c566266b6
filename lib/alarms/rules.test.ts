import { describe, expect, it } from 'vitest';
import { AlarmRulesSchema, DEFAULT_ALARM_RULES, matchAiAlarm, matchGbAlarm } from './rules';

describe('alarm rules', () => {
  it('defaults: intrusion is a security incident, video loss and faults are ignored', () => {
    expect(matchGbAlarm(DEFAULT_ALARM_RULES, 5, 6)).toMatchObject({
      isIgnored: false,
      category: 'public_security',
      priority: 2,
      title: '入侵检测',
    });
    expect(matchGbAlarm(DEFAULT_ALARM_RULES, 2, 1).isIgnored).toBe(true);
    expect(matchGbAlarm(DEFAULT_ALARM_RULES, 6, 2).isIgnored).toBe(true);
    expect(matchGbAlarm(DEFAULT_ALARM_RULES, 5, 3)).toMatchObject({ priority: 3, title: '遗留物检测' });
    expect(matchAiAlarm(DEFAULT_ALARM_RULES, 'smoke_fire')).toMatchObject({
      category: 'fire_safety',
      priority: 1,
    });
    expect(matchAiAlarm(DEFAULT_ALARM_RULES, 'unheard_of')).toMatchObject({
      category: 'other',
      rule: 'fallback',
    });
  });

  it('configured rules come before the defaults', () => {
    const rules = AlarmRulesSchema.parse({
      gb: [{ method: 2, type: 1, category: 'public_security', priority: 1 }],
      ai: [{ type: 'street_vending', ignore: true }],
      fallback: { ignore: true },
    });
    expect(matchGbAlarm(rules, 2, 1)).toMatchObject({ isIgnored: false, priority: 1 });
    expect(matchAiAlarm(rules, 'street_vending').isIgnored).toBe(true);
    expect(matchAiAlarm(rules, 'smoke_fire').isIgnored).toBe(false);
    expect(matchAiAlarm(rules, 'unheard_of').isIgnored).toBe(true);
  });

  it('refuses a rule that names an unknown category', () => {
    expect(AlarmRulesSchema.safeParse({ gb: [{ method: 5, category: 'aliens' }] }).success).toBe(false);
  });
});
