import { bcdToDigits, digitsToBcd, normalisePhone } from './bcd';
import { escapeFrame, unescapeFrame, xorChecksum } from './frame';

/** Message ids we speak (JT/T 808-2013/2019 §8). */
export const MSG = {
  terminalResponse: 0x0001,
  heartbeat: 0x0002,
  logout: 0x0003,
  register: 0x0100,
  authenticate: 0x0102,
  location: 0x0200,
  locationBatch: 0x0704,
  platformResponse: 0x8001,
  registerResponse: 0x8100,
} as const;

/** Body length is 10 bits of the properties word. */
export const MAX_BODY_BYTES = 1_023;
const PROP_LENGTH_MASK = 0x03ff;
const PROP_ENCRYPTION_MASK = 0x1c00;
const PROP_SPLIT = 0x2000;
const PROP_VERSION_2019 = 0x4000;
/** Phone number field: 6 BCD bytes in the 2013 edition, 10 in 2019. */
const PHONE_BYTES_2013 = 6;
const PHONE_BYTES_2019 = 10;

export interface Jt808Header {
  msgId: number;
  bodyLength: number;
  /** True for the 2019 edition (version flag set): a protocol version byte and a 10-byte phone. */
  is2019: boolean;
  protocolVersion: number;
  /** The phone digits as sent (12 or 20, zero-padded). */
  phoneDigits: string;
  /** The vehicle key: digits without padding (see normalisePhone). */
  phone: string;
  serial: number;
  /** For split messages: total packets and this packet's 1-based index; 0 when not split. */
  packetTotal: number;
  packetSeq: number;
}

export interface Jt808Message {
  header: Jt808Header;
  /** Unescaped body; may view the read buffer, so copy it to keep it. */
  body: Buffer;
}

export type DecodeResult = { ok: true; message: Jt808Message } | { ok: false; reason: string };

/** Decodes one escaped frame (flags stripped): unescape, check code, header, body length. */
export function decodeFrame(escaped: Buffer): DecodeResult {
  const raw = unescapeFrame(escaped);
  if (!raw) return { ok: false, reason: 'bad_escape' };
  if (raw.length < 2 + 2 + PHONE_BYTES_2013 + 2 + 1) return { ok: false, reason: 'too_short' };
  const checkAt = raw.length - 1;
  if (xorChecksum(raw, 0, checkAt) !== raw[checkAt]) return { ok: false, reason: 'bad_checksum' };

  const msgId = raw.readUInt16BE(0);
  const props = raw.readUInt16BE(2);
  const is2019 = (props & PROP_VERSION_2019) !== 0;
  const isSplit = (props & PROP_SPLIT) !== 0;
  // Bit 10 is RSA; we hold no keys, so such a body cannot be read.
  if ((props & PROP_ENCRYPTION_MASK) !== 0) return { ok: false, reason: 'encrypted' };
  let pos = 4;
  let protocolVersion = 0;
  if (is2019) protocolVersion = raw[pos++]!;
  const phoneBytes = is2019 ? PHONE_BYTES_2019 : PHONE_BYTES_2013;
  const headerBytes = pos + phoneBytes + 2 + (isSplit ? 4 : 0);
  const bodyLength = props & PROP_LENGTH_MASK;
  if (headerBytes + bodyLength !== checkAt) return { ok: false, reason: 'bad_length' };
  const phoneDigits = bcdToDigits(raw, pos, phoneBytes);
  if (phoneDigits === undefined) return { ok: false, reason: 'bad_phone' };
  pos += phoneBytes;
  const serial = raw.readUInt16BE(pos);
  pos += 2;
  let packetTotal = 0;
  let packetSeq = 0;
  if (isSplit) {
    packetTotal = raw.readUInt16BE(pos);
    packetSeq = raw.readUInt16BE(pos + 2);
    pos += 4;
    if (packetTotal < 1 || packetSeq < 1 || packetSeq > packetTotal)
      return { ok: false, reason: 'bad_packet_seq' };
  }
  return {
    ok: true,
    message: {
      header: {
        msgId,
        bodyLength,
        is2019,
        protocolVersion,
        phoneDigits,
        phone: normalisePhone(phoneDigits),
        serial,
        packetTotal,
        packetSeq,
      },
      body: raw.subarray(pos, checkAt),
    },
  };
}

export interface EncodeOptions {
  msgId: number;
  /** Phone digits (padded to the edition's width). */
  phone: string;
  serial: number;
  body?: Uint8Array;
  is2019?: boolean;
  protocolVersion?: number;
  /** Split-packet fields, for simulated terminals and tests. */
  packet?: { total: number; seq: number };
}

/** Builds a complete escaped frame: header, body, check code, flags. */
export function encodeFrame(opts: EncodeOptions): Buffer {
  const body = opts.body ?? Buffer.alloc(0);
  if (body.length > MAX_BODY_BYTES) throw new RangeError(`JT/T 808 body over ${MAX_BODY_BYTES} bytes`);
  const is2019 = opts.is2019 ?? false;
  const phoneBytes = is2019 ? PHONE_BYTES_2019 : PHONE_BYTES_2013;
  const headerBytes = 4 + (is2019 ? 1 : 0) + phoneBytes + 2 + (opts.packet ? 4 : 0);
  const raw = Buffer.alloc(headerBytes + body.length + 1);
  let props = body.length;
  if (opts.packet) props |= PROP_SPLIT;
  if (is2019) props |= PROP_VERSION_2019;
  raw.writeUInt16BE(opts.msgId, 0);
  raw.writeUInt16BE(props, 2);
  let pos = 4;
  if (is2019) raw[pos++] = opts.protocolVersion ?? 1;
  digitsToBcd(opts.phone, phoneBytes).copy(raw, pos);
  pos += phoneBytes;
  raw.writeUInt16BE(opts.serial & 0xffff, pos);
  pos += 2;
  if (opts.packet) {
    raw.writeUInt16BE(opts.packet.total, pos);
    raw.writeUInt16BE(opts.packet.seq, pos + 2);
    pos += 4;
  }
  raw.set(body, pos);
  raw[raw.length - 1] = xorChecksum(raw, 0, raw.length - 1);
  return escapeFrame(raw);
}

/** Result codes of the platform general response (0x8001). */
export const RESULT = { ok: 0, failure: 1, badMessage: 2, unsupported: 3, alarmConfirmed: 4 } as const;

/** 0x8001 body: the answered serial, the answered message id, a result code. */
export function platformResponseBody(serial: number, msgId: number, result: number): Buffer {
  const b = Buffer.alloc(5);
  b.writeUInt16BE(serial & 0xffff, 0);
  b.writeUInt16BE(msgId, 2);
  b[4] = result;
  return b;
}
