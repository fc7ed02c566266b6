import { XMLParser, XMLValidator } from 'fast-xml-parser';

/**
 * The GB/T 28181 MANSCDP alarm notification (GB/T 28181-2016 A.2.5.2):
 *   <Notify><CmdType>Alarm</CmdType><SN>…</SN><DeviceID>channel id</DeviceID><AlarmPriority>1..4</AlarmPriority>
 *     <AlarmMethod>1..7</AlarmMethod><AlarmTime>2026-12-03T09:10:00</AlarmTime><AlarmDescription>…</AlarmDescription>
 *     <Longitude>…</Longitude><Latitude>…</Latitude><Info><AlarmType>…</AlarmType></Info></Notify>
 * AlarmTime is the device's local (Beijing) time without a zone. Read defensively: any field may be missing.
 */
export interface GbAlarm {
  /** The alarming channel (camera), a 20-digit id. */
  deviceId: string;
  sn: string | null;
  /** 1 一级警情 … 4 四级警情 */
  priority: 1 | 2 | 3 | 4 | null;
  /** 1 电话 · 2 设备 · 3 短信 · 4 GPS · 5 视频 · 6 设备故障 · 7 其他 */
  method: number;
  /** Meaning depends on the method (e.g. 视频报警 6 = 入侵检测); 0 when absent. */
  type: number;
  /** Epoch ms, or null when absent or unreadable (the receive time is used then). */
  time: number | null;
  description: string | null;
  lng: number | null;
  lat: number | null;
}

export type GbAlarmResult = { ok: true; alarm: GbAlarm } | { ok: false; reason: string };

const BEIJING_OFFSET_MS = 8 * 3_600_000;
const DESCRIPTION_MAX_CHARS = 500;

const parser = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // 20-digit ids would lose precision as numbers: everything stays a string.
  parseTagValue: false,
  trimValues: true,
  htmlEntities: false,
});

const str = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined;

function smallInt(v: unknown, min: number, max: number): number | null {
  const s = str(v);
  if (s === undefined || !/^\d{1,3}$/.test(s)) return null;
  const n = Number(s);
  return n >= min && n <= max ? n : null;
}

function coordinate(v: unknown, limit: number): number | null {
  const s = str(v);
  if (!s) return null;
  const n = Number(s);
  // 0/0 is what devices send when nobody entered a position.
  return Number.isFinite(n) && n !== 0 && Math.abs(n) <= limit ? n : null;
}

/** `2026-12-03T09:10:00` (Beijing, as devices write it) or with an explicit zone. */
export function parseAlarmTime(v: string | undefined): number | null {
  if (!v || !/^\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d{1,3})?(Z|[+-]\d\d:?\d\d)?$/.test(v)) return null;
  const iso = v.replace(' ', 'T');
  const hasZone = /(Z|[+-]\d\d:?\d\d)$/.test(iso);
  const ms = Date.parse(hasZone ? iso : `${iso}Z`);
  if (!Number.isFinite(ms)) return null;
  return hasZone ? ms : ms - BEIJING_OFFSET_MS;
}

export function parseGbAlarm(xml: string): GbAlarmResult {
  const upper = xml.toUpperCase();
  // Entity definitions are the billion-laughs door; MANSCDP never needs them.
  if (upper.includes('<!DOCTYPE') || upper.includes('<!ENTITY')) return { ok: false, reason: 'xml_doctype' };
  if (XMLValidator.validate(xml) !== true) return { ok: false, reason: 'xml_malformed' };
  let tree: unknown;
  try {
    tree = parser.parse(xml);
  } catch {
    return { ok: false, reason: 'xml_malformed' };
  }
  const root = (tree as Record<string, unknown> | null)?.Notify;
  if (!root || typeof root !== 'object') return { ok: false, reason: 'alarm_not_notify' };
  const n = root as Record<string, unknown>;
  if (str(n.CmdType) !== 'Alarm') return { ok: false, reason: 'alarm_wrong_cmd_type' };
  const deviceId = str(n.DeviceID);
  if (!deviceId || !/^\d{20}$/.test(deviceId)) return { ok: false, reason: 'alarm_bad_device_id' };
  const method = smallInt(n.AlarmMethod, 1, 7);
  if (method === null) return { ok: false, reason: 'alarm_bad_method' };
  const info = n.Info && typeof n.Info === 'object' ? (n.Info as Record<string, unknown>) : {};
  const lng = coordinate(n.Longitude, 180);
  const lat = coordinate(n.Latitude, 90);
  const description = str(n.AlarmDescription)?.slice(0, DESCRIPTION_MAX_CHARS) || null;
  return {
    ok: true,
    alarm: {
      deviceId,
      sn: str(n.SN) ?? null,
      priority: smallInt(n.AlarmPriority, 1, 4) as GbAlarm['priority'],
      method,
      // 2016 puts AlarmType under Info; some devices write it at the top level.
      type: smallInt(info.AlarmType ?? n.AlarmType, 0, 999) ?? 0,
      time: parseAlarmTime(str(n.AlarmTime)),
      description,
      lng: lng !== null && lat !== null ? lng : null,
      lat: lng !== null && lat !== null ? lat : null,
    },
  };
}

/** The answer GB/T 28181 wants for an alarm notification (A.2.6.x 报警通知应答), sent as a MESSAGE. */
export function alarmResponseXml(deviceId: string, sn: string | null): string {
  return (
    '<?xml version="1.0" encoding="GB2312"?>\r\n<Response>\r\n<CmdType>Alarm</CmdType>\r\n' +
    `<SN>${sn && /^\d{1,10}$/.test(sn) ? sn : '0'}</SN>\r\n<DeviceID>${deviceId}</DeviceID>\r\n` +
    '<Result>OK</Result>\r\n</Response>\r\n'
  );
}
