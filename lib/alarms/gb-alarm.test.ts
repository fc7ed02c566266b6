import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alarmResponseXml, parseAlarmTime, parseGbAlarm } from './gb-alarm';

const CAM = '34020000001320000001';
const alarm = (extra = '') =>
  `<?xml version="1.0" encoding="GB2312"?>
<Notify><CmdType>Alarm</CmdType><SN>17</SN><DeviceID>${CAM}</DeviceID><AlarmPriority>1</AlarmPriority>
<AlarmMethod>5</AlarmMethod><AlarmTime>2026-12-03T09:10:00</AlarmTime><AlarmDescription>东门入侵</AlarmDescription>
<Longitude>120.1552</Longitude><Latitude>30.2741</Latitude><Info><AlarmType>6</AlarmType></Info>${extra}</Notify>`;

describe('GB/T 28181 Alarm', () => {
  it('reads every field, the time as Beijing local time', () => {
    const r = parseGbAlarm(alarm());
    expect(r).toEqual({
      ok: true,
      alarm: {
        deviceId: CAM,
        sn: '17',
        priority: 1,
        method: 5,
        type: 6,
        time: Date.UTC(2026, 11, 3, 1, 10),
        description: '东门入侵',
        lng: 120.1552,
        lat: 30.2741,
      },
    });
    expect(parseAlarmTime('2026-12-03T09:10:00+08:00')).toBe(Date.UTC(2026, 11, 3, 1, 10));
  });

  it('refuses malformed XML, entities, other commands and bad ids with a reason', () => {
    expect(parseGbAlarm('<Notify><CmdType>Alarm</CmdType>')).toEqual({ ok: false, reason: 'xml_malformed' });
    expect(parseGbAlarm('<!DOCTYPE x [<!ENTITY a "b">]><Notify/>')).toMatchObject({ reason: 'xml_doctype' });
    expect(parseGbAlarm(alarm().replace('>Alarm<', '>Keepalive<'))).toMatchObject({
      reason: 'alarm_wrong_cmd_type',
    });
    expect(parseGbAlarm(alarm().replace(CAM, '123'))).toMatchObject({ reason: 'alarm_bad_device_id' });
    expect(parseGbAlarm(alarm().replace('<AlarmMethod>5', '<AlarmMethod>99'))).toMatchObject({
      reason: 'alarm_bad_method',
    });
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => {
        const r = parseGbAlarm(s);
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 300 },
    );
  });

  it('answers with a Response carrying the SN', () => {
    expect(alarmResponseXml(CAM, '17')).toContain('<SN>17</SN>');
    expect(alarmResponseXml(CAM, '<x>')).toContain('<SN>0</SN>');
  });
});
