import { z } from 'zod';
import { INCIDENT_CATEGORIES, type IncidentCategory } from '../domain/enums';

/**
 * Which alarms become incidents, of what category and priority. GB/T 28181 alarms are keyed by AlarmMethod
 * and AlarmType (type omitted: any type of that method); AI-analysis alarms by their type name. The first
 * matching rule wins: configured rules (ALARM_RULES) are tried before the defaults, so a deployment only
 * writes what it changes.
 */
const Priority = z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]);
const Outcome = z.union([
  z.object({ ignore: z.literal(true) }),
  z.object({
    category: z.enum(INCIDENT_CATEGORIES),
    priority: Priority.optional(),
    title: z.string().max(60).optional(),
  }),
]);
export const GbRuleSchema = z.intersection(
  z.object({ method: z.number().int().min(1).max(7), type: z.number().int().min(0).max(999).optional() }),
  Outcome,
);
export const AiRuleSchema = z.intersection(z.object({ type: z.string().min(1).max(32) }), Outcome);
export const AlarmRulesSchema = z.object({
  gb: z.array(GbRuleSchema).max(500).default([]),
  ai: z.array(AiRuleSchema).max(500).default([]),
  /** What an alarm matching no rule becomes; default an incident of category `other`. */
  fallback: Outcome.optional(),
});
export type AlarmRules = z.output<typeof AlarmRulesSchema>;
export type GbRule = z.output<typeof GbRuleSchema>;
export type AiRule = z.output<typeof AiRuleSchema>;

export type RuleOutcome =
  | { isIgnored: true; rule: string }
  | {
      isIgnored: false;
      category: IncidentCategory;
      priority: 1 | 2 | 3 | 4 | null;
      title: string;
      rule: string;
    };

/** AlarmMethod 5 (视频报警) types, GB/T 28181-2016 A.2.6.4. */
export const GB_VIDEO_ALARM_TYPES: Record<number, string> = {
  1: '人工视频报警',
  2: '运动目标检测',
  3: '遗留物检测',
  4: '物体移除检测',
  5: '绊线检测',
  6: '入侵检测',
  7: '逆行检测',
  8: '徘徊检测',
  9: '流量统计报警',
  10: '密度检测',
  11: '视频异常检测',
  12: '快速移动',
};
export const GB_METHOD_LABELS: Record<number, string> = {
  1: '电话报警',
  2: '设备报警',
  3: '短信报警',
  4: 'GPS报警',
  5: '视频报警',
  6: '设备故障报警',
  7: '其他报警',
};

export const AI_ALARM_LABELS: Record<string, string> = {
  crowd_gathering: '人群聚集',
  street_vending: '占道经营',
  smoke_fire: '烟火',
  garbage_exposed: '暴露垃圾',
  illegal_parking: '违章停车',
  intrusion: '区域入侵',
  fight: '打架斗殴',
  fall: '人员倒地',
};

/**
 * Defaults: intrusion-type video analysis and tampering are security incidents; video loss, disk and fan
 * faults are device health (the camera's own status shows them), and motion and flow counts are too noisy
 * to be incidents.
 */
export const DEFAULT_ALARM_RULES: AlarmRules = {
  gb: [
    { method: 1, category: 'emergency', priority: 1 },
    { method: 2, type: 1, ignore: true }, // 视频丢失: the camera status
    { method: 2, type: 2, category: 'public_security', priority: 2, title: '设备防拆报警' },
    { method: 2, ignore: true }, // 磁盘满, 高温, 低温: maintenance
    { method: 5, type: 2, ignore: true },
    { method: 5, type: 9, ignore: true },
    { method: 5, type: 11, ignore: true },
    { method: 5, type: 6, category: 'public_security', priority: 2 },
    { method: 5, type: 10, category: 'public_security', priority: 2 },
    { method: 5, category: 'public_security', priority: 3 },
    { method: 6, ignore: true },
  ],
  ai: [
    { type: 'smoke_fire', category: 'fire_safety', priority: 1 },
    { type: 'fight', category: 'public_security', priority: 1 },
    { type: 'crowd_gathering', category: 'public_security', priority: 2 },
    { type: 'intrusion', category: 'public_security', priority: 2 },
    { type: 'fall', category: 'emergency', priority: 2 },
    { type: 'street_vending', category: 'city_management', priority: 3 },
    { type: 'illegal_parking', category: 'traffic', priority: 3 },
    { type: 'garbage_exposed', category: 'environment', priority: 3 },
  ],
};

const DEFAULT_FALLBACK = { category: 'other' as const };

function outcomeOf(
  r: { ignore: true } | { category: IncidentCategory; priority?: 1 | 2 | 3 | 4; title?: string },
  title: string,
  rule: string,
): RuleOutcome {
  if ('ignore' in r) return { isIgnored: true, rule };
  return {
    isIgnored: false,
    category: r.category,
    priority: r.priority ?? null,
    title: r.title ?? title,
    rule,
  };
}

export function gbAlarmTitle(method: number, type: number): string {
  if (method === 5 && GB_VIDEO_ALARM_TYPES[type]) return GB_VIDEO_ALARM_TYPES[type];
  return `${GB_METHOD_LABELS[method] ?? '报警'}${type ? ` (类型 ${type})` : ''}`;
}

export function matchGbAlarm(rules: AlarmRules, method: number, type: number): RuleOutcome {
  const title = gbAlarmTitle(method, type);
  for (const list of [rules.gb, DEFAULT_ALARM_RULES.gb])
    for (const r of list)
      if (r.method === method && (r.type === undefined || r.type === type))
        return outcomeOf(r, title, `gb:${r.method}${r.type === undefined ? '' : `/${r.type}`}`);
  return outcomeOf(rules.fallback ?? DEFAULT_FALLBACK, title, 'fallback');
}

export function matchAiAlarm(rules: AlarmRules, type: string): RuleOutcome {
  const title = AI_ALARM_LABELS[type] ?? type;
  for (const list of [rules.ai, DEFAULT_ALARM_RULES.ai])
    for (const r of list) if (r.type === type) return outcomeOf(r, title, `ai:${r.type}`);
  return outcomeOf(rules.fallback ?? DEFAULT_FALLBACK, title, 'fallback');
}
