import { bcdTimeToEpochMs, epochMsToBcdTime } from './bcd';

/** The fixed part of a location report (0x0200): alarm, status, lat, lng, altitude, speed, direction, time. */
export const LOCATION_BASIC_BYTES = 28;
/** Status bits (JT/T 808 table 24). */
export const STATUS_ACC_ON = 1 << 0;
export const STATUS_POSITIONED = 1 << 1;
export const STATUS_SOUTH = 1 << 2;
export const STATUS_WEST = 1 << 3;
/** Alarm bit 0: the driver pressed the emergency button. */
export const ALARM_EMERGENCY = 1 << 0;
/** Coordinates are integers in millionths of a degree. */
const MICRO_DEGREES = 1e6;
/** Speed is sent in 0.1 km/h. */
const SPEED_UNITS_PER_KMH = 10;
/** Above this a speed is a sensor fault, not a patrol car (VehicleReport allows 0..400). */
const MAX_PLAUSIBLE_KMH = 400;

export interface Fix {
  alarm: number;
  status: number;
  isPositioned: boolean;
  /** WGS-84 degrees, signed by the south/west status bits. */
  lat: number;
  lng: number;
  altitudeM: number;
  /** km/h; undefined when implausible. */
  speedKmh: number | undefined;
  /** Degrees clockwise from north; undefined when out of range. */
  heading: number | undefined;
  /** Epoch ms, from the BCD Beijing time. */
  ts: number;
}

export type FixResult = { ok: true; fix: Fix } | { ok: false; reason: string };

/** Decodes the 28-byte basic location block at `offset` (extra items after it are ignored). */
export function decodeLocation(body: Buffer, offset = 0, length = body.length - offset): FixResult {
  if (length < LOCATION_BASIC_BYTES || offset + length > body.length)
    return { ok: false, reason: 'location_short' };
  const alarm = body.readUInt32BE(offset);
  const status = body.readUInt32BE(offset + 4);
  const latRaw = body.readUInt32BE(offset + 8);
  const lngRaw = body.readUInt32BE(offset + 12);
  const altitudeM = body.readInt16BE(offset + 16);
  const speedRaw = body.readUInt16BE(offset + 18);
  const direction = body.readUInt16BE(offset + 20);
  const ts = bcdTimeToEpochMs(body, offset + 22);
  if (ts === undefined) return { ok: false, reason: 'bad_time' };
  if (latRaw > 90 * MICRO_DEGREES || lngRaw > 180 * MICRO_DEGREES)
    return { ok: false, reason: 'bad_position' };
  const speedKmh = speedRaw / SPEED_UNITS_PER_KMH;
  return {
    ok: true,
    fix: {
      alarm,
      status,
      isPositioned: (status & STATUS_POSITIONED) !== 0,
      lat: ((status & STATUS_SOUTH) !== 0 ? -latRaw : latRaw) / MICRO_DEGREES,
      lng: ((status & STATUS_WEST) !== 0 ? -lngRaw : lngRaw) / MICRO_DEGREES,
      altitudeM,
      speedKmh: speedKmh <= MAX_PLAUSIBLE_KMH ? speedKmh : undefined,
      heading: direction <= 360 ? direction : undefined,
      ts,
    },
  };
}

export interface BatchItems {
  /** 0: regular batch, 1: blind-area catch-up (positions stored while out of coverage). */
  type: number;
  fixes: FixResult[];
}

/** Decodes a 0x0704 body: count, type, then `count` × (u16 length, location block). */
export function decodeLocationBatch(
  body: Buffer,
): { ok: true; batch: BatchItems } | { ok: false; reason: string } {
  if (body.length < 3) return { ok: false, reason: 'batch_short' };
  const count = body.readUInt16BE(0);
  const type = body[2]!;
  const fixes: FixResult[] = [];
  let pos = 3;
  // The count is bounded by the body: each item takes at least 2 + 28 bytes.
  for (let i = 0; i < count; i++) {
    if (pos + 2 > body.length) return { ok: false, reason: 'batch_truncated' };
    const len = body.readUInt16BE(pos);
    pos += 2;
    if (pos + len > body.length) return { ok: false, reason: 'batch_truncated' };
    fixes.push(decodeLocation(body, pos, len));
    pos += len;
  }
  return { ok: true, batch: { type, fixes } };
}

export interface FixInput {
  lat: number;
  lng: number;
  ts: number;
  speedKmh?: number;
  heading?: number;
  altitudeM?: number;
  alarm?: number;
  /** Defaults to ACC on + positioned; the hemisphere bits are set from the signs. */
  status?: number;
}

/** Encodes a 28-byte location block (simulated terminals, tests, the bench). */
export function encodeLocation(f: FixInput): Buffer {
  const b = Buffer.alloc(LOCATION_BASIC_BYTES);
  let status = f.status ?? STATUS_ACC_ON | STATUS_POSITIONED;
  if (f.lat < 0) status |= STATUS_SOUTH;
  if (f.lng < 0) status |= STATUS_WEST;
  b.writeUInt32BE(f.alarm ?? 0, 0);
  b.writeUInt32BE(status >>> 0, 4);
  b.writeUInt32BE(Math.round(Math.abs(f.lat) * MICRO_DEGREES), 8);
  b.writeUInt32BE(Math.round(Math.abs(f.lng) * MICRO_DEGREES), 12);
  b.writeInt16BE(f.altitudeM ?? 0, 16);
  b.writeUInt16BE(Math.round((f.speedKmh ?? 0) * SPEED_UNITS_PER_KMH), 18);
  b.writeUInt16BE(Math.round(f.heading ?? 0), 20);
  epochMsToBcdTime(f.ts).copy(b, 22);
  return b;
}

/** Encodes a 0x0704 body from location blocks. */
export function encodeLocationBatch(blocks: Buffer[], type = 0): Buffer {
  const parts: Buffer[] = [Buffer.from([blocks.length >> 8, blocks.length & 0xff, type])];
  for (const b of blocks) {
    const len = Buffer.alloc(2);
    len.writeUInt16BE(b.length);
    parts.push(len, b);
  }
  return Buffer.concat(parts);
}
