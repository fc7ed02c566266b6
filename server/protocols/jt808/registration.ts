import iconv from 'iconv-lite';

/** Longest plate we keep as a vehicle name (VehicleReport.name allows 64). */
const MAX_PLATE_CHARS = 16;
/** 0x0100 body layouts by edition: fixed bytes before the plate. */
const REGISTER_FIXED_2011 = 2 + 2 + 5 + 8 + 7 + 1;
const REGISTER_FIXED_2013 = 2 + 2 + 5 + 20 + 7 + 1;
const REGISTER_FIXED_2019 = 2 + 2 + 11 + 30 + 30 + 1;

export interface Registration {
  province: number;
  city: number;
  /** Licence plate (GBK on the wire), empty when the terminal has none. */
  plate: string;
}

/** Fixed-width text fields are GBK, padded with NULs or spaces. */
function gbkText(buf: Buffer): string {
  return iconv.decode(buf, 'gbk').replaceAll('\0', ' ').trim();
}

/** Decodes 0x0100. The 2011 and 2013 editions share the version flag (unset), so they differ by length. */
export function decodeRegistration(body: Buffer, is2019: boolean): Registration | undefined {
  const fixed = is2019
    ? REGISTER_FIXED_2019
    : body.length >= REGISTER_FIXED_2013
      ? REGISTER_FIXED_2013
      : REGISTER_FIXED_2011;
  if (body.length < fixed) return undefined;
  return {
    province: body.readUInt16BE(0),
    city: body.readUInt16BE(2),
    plate: gbkText(body.subarray(fixed)).slice(0, MAX_PLATE_CHARS),
  };
}

/** Decodes 0x0102: the whole body in 2013, a length-prefixed code (then IMEI, version) in 2019. */
export function decodeAuthCode(body: Buffer, is2019: boolean): string | undefined {
  if (!is2019) return body.length > 0 ? body.toString('latin1') : undefined;
  const len = body[0];
  if (len === undefined || len === 0 || 1 + len > body.length) return undefined;
  return body.toString('latin1', 1, 1 + len);
}

/** Result codes of 0x8100. */
export const REGISTER_RESULT = {
  ok: 0,
  vehicleTaken: 1,
  noVehicle: 2,
  terminalTaken: 3,
  noTerminal: 4,
} as const;

/** 0x8100 body: answered serial, result, and on success the auth code. */
export function registerResponseBody(serial: number, result: number, authCode: string): Buffer {
  const code = result === REGISTER_RESULT.ok ? Buffer.from(authCode, 'latin1') : Buffer.alloc(0);
  const b = Buffer.alloc(3 + code.length);
  b.writeUInt16BE(serial & 0xffff, 0);
  b[2] = result;
  code.copy(b, 3);
  return b;
}

/** Encodes a 0x0100 body (simulated terminals and tests). */
export function encodeRegistration(plate: string, is2019 = false, province = 44, city = 300): Buffer {
  const fixed = Buffer.alloc(is2019 ? REGISTER_FIXED_2019 : REGISTER_FIXED_2013);
  fixed.writeUInt16BE(province, 0);
  fixed.writeUInt16BE(city, 2);
  fixed.write('PAWAL', 4, 'latin1');
  fixed[fixed.length - 1] = plate ? 1 : 0; // plate colour: 1 blue
  return Buffer.concat([fixed, iconv.encode(plate, 'gbk')]);
}

/** Encodes a 0x0102 body. */
export function encodeAuthentication(code: string, is2019 = false): Buffer {
  const c = Buffer.from(code, 'latin1');
  if (!is2019) return c;
  return Buffer.concat([Buffer.from([c.length]), c, Buffer.alloc(15 + 20)]);
}
