/** Formatting for the wall: ages, clock, masking. China Standard Time throughout (the centre's clock). */

const CST_OFFSET_MS = 8 * 3_600_000;

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

/** Clock parts in CST: date "2026-11-23", time "12:00:05", weekday "星期一". */
export function cstClock(t: number): { date: string; time: string; weekday: string } {
  const d = new Date(t + CST_OFFSET_MS);
  const p = (n: number) => String(n).padStart(2, '0');
  return {
    date: `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}`,
    time: `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`,
    weekday: `星期${'日一二三四五六'[d.getUTCDay()]}`,
  };
}

/** "HH:mm" in CST. */
export function cstTime(t: number): string {
  return cstClock(t).time.slice(0, 5);
}

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
