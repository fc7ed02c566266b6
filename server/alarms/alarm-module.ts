import { alarmResponseXml, parseGbAlarm } from '@/lib/alarms/gb-alarm';
import { gbAlarmTitle, GB_METHOD_LABELS, matchGbAlarm } from '@/lib/alarms/rules';
import type { AppContext } from '../app';
import type { DispatchModule } from '../dispatch/dispatch-module';
import { IncidentIngest } from '../ingest/incident-ingest';
import type { Route } from '../http/router';
import { AlarmIntake, type AlarmOutcome } from './alarm-intake';
import { loadAlarmRules } from './alarm-rules-config';
import { createAlarmRoutes } from './alarm-routes';
import { legacySnapshotDir, SnapshotStore } from './snapshot-store';

export const GB_ALARM_STATS_PATH = 'sip:alarm';

export interface AlarmModule {
  routes: Route[];
  intake: AlarmIntake;
  /** The GB/T 28181 listener's hook: one Alarm notification's decoded body → the Response body to send. */
  onGbAlarm(xml: string): Promise<{ outcome: AlarmOutcome; response: string | null }>;
}

/** Camera alarms into incidents: the AI-platform route and the GB/T 28181 listener's hook share one intake. */
export function createAlarmModule(ctx: AppContext, dispatch: DispatchModule): AlarmModule {
  const rules = loadAlarmRules(ctx.config.ALARM_RULES);
  const snapshots = new SnapshotStore(ctx.sql, legacySnapshotDir(ctx.config.UPLOADS_DIR));
  const intake = new AlarmIntake(
    ctx.sql,
    new IncidentIngest(ctx.sql, ctx.live, ctx.stats, ctx.grids),
    ctx.stats,
    ctx.clock,
    snapshots,
  );
  const routes = createAlarmRoutes({
    sql: ctx.sql,
    token: ctx.config.INGEST_TOKEN,
    intake,
    rules,
    snapshots,
    stats: ctx.stats,
    authorize: dispatch.auth.authorize,
    regions: ctx.regions,
  });
  const onGbAlarm = async (xml: string) => {
    const parsed = parseGbAlarm(xml);
    if (!parsed.ok) {
      ctx.stats.reject(GB_ALARM_STATS_PATH, parsed.reason, xml.slice(0, 120));
      return { outcome: { status: 'rejected', reason: parsed.reason } as AlarmOutcome, response: null };
    }
    const a = parsed.alarm;
    const outcome = await intake.handle(
      {
        cameraId: a.deviceId,
        kind: `gb${a.method}-${a.type}`,
        outcome: matchGbAlarm(rules, a.method, a.type),
        priority: a.priority,
        time: a.time,
        lng: a.lng,
        lat: a.lat,
        detail: [
          a.description,
          `GB/T 28181 ${GB_METHOD_LABELS[a.method] ?? ''}：${gbAlarmTitle(a.method, a.type)}`,
          a.priority ? `报警级别 ${a.priority}` : null,
        ]
          .filter(Boolean)
          .join('\n'),
      },
      GB_ALARM_STATS_PATH,
    );
    // Answered whatever became of it: the device delivered its alarm, and would otherwise repeat it.
    return { outcome, response: alarmResponseXml(a.deviceId, a.sn) };
  };
  return { routes, intake, onGbAlarm };
}
