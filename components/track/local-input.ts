import { clockParts, offsetMinutes } from '@/lib/time/display-time';

const pad = (n: number) => String(n).padStart(2, '0');

/** An instant as a `datetime-local` value in the display zone (never the browser's own zone). */
export function toLocalInput(ms: number, tz: string): string {
  const c = clockParts(ms, tz);
  return `${c.year}-${pad(c.month)}-${pad(c.day)}T${pad(c.hour)}:${pad(c.minute)}`;
}

/** A `datetime-local` value read in the display zone; null when it is not one. */
export function fromLocalInput(v: string, tz: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(v);
  if (!m) return null;
  const asUtc = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!);
  if (!Number.isFinite(asUtc)) return null;
  // The zone's offset at that wall time (taken at the UTC reading, then once more across a DST change).
  const first = asUtc - offsetMinutes(asUtc, tz) * 60_000;
  return asUtc - offsetMinutes(first, tz) * 60_000;
}
