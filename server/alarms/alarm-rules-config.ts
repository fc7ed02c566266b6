import fs from 'node:fs';
import { AlarmRulesSchema, type AlarmRules } from '@/lib/alarms/rules';

export class AlarmRulesError extends Error {}

/**
 * ALARM_RULES: inline JSON (`{"gb":[…],"ai":[…]}`) or the path of a JSON file; unset: the defaults alone.
 * Read once at start; a broken file stops the start with its reason rather than silently using defaults.
 */
export function loadAlarmRules(value: string | undefined): AlarmRules {
  if (!value) return AlarmRulesSchema.parse({});
  let text = value;
  if (!value.trimStart().startsWith('{')) {
    try {
      text = fs.readFileSync(value, 'utf8');
    } catch (err) {
      throw new AlarmRulesError(`ALARM_RULES: cannot read ${value}: ${(err as Error).message}`);
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new AlarmRulesError('ALARM_RULES is not valid JSON');
  }
  const parsed = AlarmRulesSchema.safeParse(json);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new AlarmRulesError(`ALARM_RULES: ${i?.path.join('.') ?? ''}: ${i?.message ?? 'invalid'}`);
  }
  return parsed.data;
}
