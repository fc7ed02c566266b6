/**
 * The one display time zone (DESIGN §4 `DISPLAY_TZ`, Asia/Shanghai by default): every page formats every
 * instant through these functions, so the wall, the console and the audit page show one incident at one
 * time. Storage and the wire stay UTC epoch milliseconds. Formatters are cached per zone: building an
 * Intl.DateTimeFormat costs far more than using one.
 */
export const DEFAULT_DISPLAY_TZ = 'Asia/Shanghai';

export interface ClockParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday. */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
/** Bound on cached zones: a page uses one, tests a few. */
const MAX_CACHED_ZONES = 16;

function partsFormatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    if (formatters.size >= MAX_CACHED_ZONES) formatters.clear();
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(tz, f);
  }
  return f;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

export function clockParts(ms: number, tz: string = DEFAULT_DISPLAY_TZ): ClockParts {
  const out: ClockParts = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, weekday: 0 };
  for (const p of partsFormatter(tz).formatToParts(new Date(ms))) {
    if (p.type === 'weekday') out.weekday = WEEKDAYS.indexOf(p.value);
    else if (p.type in out) (out as unknown as Record<string, number>)[p.type] = Number(p.value);
  }
  return out;
}

const p2 = (n: number) => String(n).padStart(2, '0');

/** "2026-12-02" */
export function formatDate(ms: number, tz?: string): string {
  const c = clockParts(ms, tz);
  return `${c.year}-${p2(c.month)}-${p2(c.day)}`;
}

/** "14:20" (or "14:20:05" with seconds). */
export function formatTime(ms: number, tz?: string, withSeconds = false): string {
  const c = clockParts(ms, tz);
  return `${p2(c.hour)}:${p2(c.minute)}${withSeconds ? `:${p2(c.second)}` : ''}`;
}

/** "2026-12-02 14:20:05": the form for logs, audit rows and timelines. */
export function formatDateTime(ms: number, tz?: string, withSeconds = true): string {
  return `${formatDate(ms, tz)} ${formatTime(ms, tz, withSeconds)}`;
}

/** "12-02 14:20": a short stamp for lists, where the year is obvious. */
export function formatShortDateTime(ms: number, tz?: string): string {
  const c = clockParts(ms, tz);
  return `${p2(c.month)}-${p2(c.day)} ${p2(c.hour)}:${p2(c.minute)}`;
}

/** The zone's offset from UTC at that instant, in minutes (Asia/Shanghai: 480). */
export function offsetMinutes(ms: number, tz?: string): number {
  const c = clockParts(ms, tz);
  const asUtc = Date.UTC(c.year, c.month - 1, c.day, c.hour, c.minute, c.second);
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
}

/** Epoch ms of local midnight of the day containing `ms` in the zone (for "today" periods). */
export function startOfDay(ms: number, tz?: string): number {
  const c = clockParts(ms, tz);
  return Date.UTC(c.year, c.month - 1, c.day) - offsetMinutes(ms, tz) * 60_000;
}

/** Zones people call by a name of their own; any other reads as its IANA name. */
const ZONE_NAMES: Record<string, { zh: string; en: string }> = {
  'Asia/Shanghai': { zh: '北京时间', en: 'Beijing time' },
  'Asia/Chongqing': { zh: '北京时间', en: 'Beijing time' },
  'Asia/Urumqi': { zh: '新疆时间', en: 'Xinjiang time' },
  UTC: { zh: '协调世界时', en: 'UTC' },
};

/** "北京时间 UTC+8" / "Beijing time UTC+8": names the zone a page's times are in (headers, tooltips). */
export function zoneLabel(
  tz: string = DEFAULT_DISPLAY_TZ,
  ms = Date.now(),
  lang: 'zh' | 'en' = 'zh',
): string {
  const m = offsetMinutes(ms, tz);
  const sign = m < 0 ? '-' : '+';
  const abs = Math.abs(m);
  const offset = `UTC${sign}${Math.floor(abs / 60)}${abs % 60 ? `:${p2(abs % 60)}` : ''}`;
  const name = ZONE_NAMES[tz]?.[lang] ?? tz;
  return name === 'UTC' ? 'UTC' : `${name} ${offset}`;
}
