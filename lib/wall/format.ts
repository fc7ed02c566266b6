import { DEFAULT_DISPLAY_TZ, clockParts, formatDate, formatTime } from '../time/display-time';

/** Formatting for the wall: ages, clock, masking. Times in the one display zone (lib/time/display-time). */

/** "3秒前", "12分钟前"… how old a report or the wall's data is; "—" when unknown. */
/** A length of time in its largest whole unit: "3秒" / "3s", "2分钟" / "2m", "1小时" / "1h", "2天" / "2d". */
export function formatDuration(ms: number, lang: 'zh' | 'en' = 'zh'): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const s = Math.floor(ms / 1000);
  const [n, unit] =
    s < 60
      ? [s, 0]
      : s < 3600
        ? [Math.floor(s / 60), 1]
        : s < 86_400
          ? [Math.floor(s / 3600), 2]
          : [Math.floor(s / 86_400), 3];
  return `${n}${(lang === 'zh' ? ['秒', '分钟', '小时', '天'] : ['s', 'm', 'h', 'd'])[unit]}`;
}

/** How long ago: "3秒前" / "3s ago"; a report a few seconds in the future (clock skew) is "now". */
export function formatAge(ms: number, lang: 'zh' | 'en' = 'zh'): string {
  if (!Number.isFinite(ms) || ms < 0) return ms < 0 && ms > -5_000 ? (lang === 'zh' ? '刚刚' : 'now') : '—';
  return lang === 'zh' ? `${formatDuration(ms, lang)}前` : `${formatDuration(ms, lang)} ago`;
}

/**
 * Clock parts in the display zone (DISPLAY_TZ; Beijing time unless configured): date "2026-11-23", time
 * "12:00:05", weekday "星期一". Pass the page's `useDisplayTz()` zone; the default is the default zone, so a
 * caller that has not switched yet still shows what the console and audit page show.
 */
export function wallClock(
  t: number,
  tz: string = DEFAULT_DISPLAY_TZ,
): { date: string; time: string; weekday: string } {
  const c = clockParts(t, tz);
  return {
    date: formatDate(t, tz),
    time: formatTime(t, tz, true),
    weekday: `星期${'日一二三四五六'[c.weekday]}`,
  };
}

/** "HH:mm" in the display zone. */
export function wallTime(t: number, tz: string = DEFAULT_DISPLAY_TZ): string {
  return formatTime(t, tz);
}

/** @deprecated the old name of `wallClock` (kept while callers switch); it now takes the display zone. */
export const cstClock = wallClock;
/** @deprecated the old name of `wallTime`. */
export const cstTime = wallTime;

/**
 * Personal data never shows in full on a wall (seen by a room): phone 138****5678, a name keeps its first
 * character (张**), an ID number keeps its first 6 and last 4. Addresses lose their house number.
 */
export function maskPhone(phone: string): string {
  const d = phone.replace(/\s+/g, '');
  return d.length >= 7 ? `${d.slice(0, 3)}****${d.slice(-4)}` : '****';
}

export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length === 0) return '';
  return chars[0] + '*'.repeat(Math.max(1, chars.length - 1));
}

export function maskIdNumber(id: string): string {
  return id.length > 10 ? `${id.slice(0, 6)}${'*'.repeat(id.length - 10)}${id.slice(-4)}` : '****';
}

/** Masks phone numbers and 18-digit ID numbers wherever they occur in free text (titles, notes). */
export function maskFreeText(text: string): string {
  return text
    .replace(/\b\d{17}[\dXx]\b/g, (m) => maskIdNumber(m))
    .replace(/(?<!\d)1[3-9]\d{9}(?!\d)/g, (m) => maskPhone(m))
    .replace(/(\d+)(号|室|栋|单元)/g, '*$2');
}
