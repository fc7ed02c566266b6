/** JT/T 808 times are BCD `YYMMDDhhmmss` in Beijing time (GMT+8, no daylight saving). */
export const BEIJING_OFFSET_MS = 8 * 3_600_000;

/** Decodes packed BCD to its digit string; undefined when a nibble is not a decimal digit. */
export function bcdToDigits(buf: Uint8Array, start: number, length: number): string | undefined {
  let out = '';
  for (let i = start; i < start + length; i++) {
    const b = buf[i] ?? 0xff;
    const hi = b >> 4;
    const lo = b & 0x0f;
    if (hi > 9 || lo > 9) return undefined;
    out += String.fromCharCode(48 + hi, 48 + lo);
  }
  return out;
}

/** Packs a digit string into `length` BCD bytes, left-padded with zeros (terminal phone numbers are). */
export function digitsToBcd(digits: string, length: number): Buffer {
  const padded = digits.padStart(length * 2, '0').slice(-length * 2);
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) {
    out[i] = ((padded.charCodeAt(2 * i) - 48) << 4) | (padded.charCodeAt(2 * i + 1) - 48);
  }
  return out;
}

/**
 * The terminal phone number as a vehicle key: BCD digits without the zero padding, so the 12-digit (2013)
 * and 20-digit (2019) headers of one SIM give the same key, and it matches the 11-digit number people type.
 */
export function normalisePhone(bcdDigits: string): string {
  const trimmed = bcdDigits.replace(/^0+/, '');
  return trimmed === '' ? '0' : trimmed;
}

/** Decodes a 6-byte BCD Beijing time to epoch ms; undefined for impossible dates (e.g. 2023-02-30). */
export function bcdTimeToEpochMs(buf: Uint8Array, start: number): number | undefined {
  const d = bcdToDigits(buf, start, 6);
  if (d === undefined) return undefined;
  const [yy, mo, dd, hh, mi, ss] = [0, 2, 4, 6, 8, 10].map((i) => Number(d.slice(i, i + 2))) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (mo < 1 || mo > 12 || dd < 1 || hh > 23 || mi > 59 || ss > 59) return undefined;
  const local = Date.UTC(2000 + yy, mo - 1, dd, hh, mi, ss);
  // Date.UTC rolls 02-30 over to 03-02: an overflowed day means the terminal sent garbage.
  if (new Date(local).getUTCDate() !== dd) return undefined;
  return local - BEIJING_OFFSET_MS;
}

/** Encodes epoch ms as the 6-byte BCD Beijing time (for simulated terminals and tests). */
export function epochMsToBcdTime(ms: number): Buffer {
  const t = new Date(ms + BEIJING_OFFSET_MS);
  const two = (n: number) => String(n).padStart(2, '0');
  const digits =
    two(t.getUTCFullYear() % 100) +
    two(t.getUTCMonth() + 1) +
    two(t.getUTCDate()) +
    two(t.getUTCHours()) +
    two(t.getUTCMinutes()) +
    two(t.getUTCSeconds());
  return digitsToBcd(digits, 6);
}
