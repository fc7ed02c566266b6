import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** A nonce is honoured this long; a device that answers later is challenged again (stale=true). */
export const NONCE_TTL_MS = 5 * 60_000;
const NONCE_MAC_HEX_CHARS = 24;

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

/** Digest HA1 = MD5(username:realm:password): what is stored per device (field_devices.sip_ha1). */
export function sipHa1(username: string, realm: string, password: string): string {
  return md5(`${username}:${realm}:${password}`);
}

/**
 * Stateless nonces: the issue time and a MAC of it, so the listener keeps no per-device challenge state
 * (a flood of unauthenticated REGISTERs costs no memory).
 */
export function createNonce(secret: string, now: number): string {
  const t = Math.floor(now).toString(16);
  return t + createHmac('sha256', secret).update(t).digest('hex').slice(0, NONCE_MAC_HEX_CHARS);
}

export function nonceState(secret: string, nonce: string, now: number): 'valid' | 'stale' | 'invalid' {
  if (nonce.length <= NONCE_MAC_HEX_CHARS || nonce.length > NONCE_MAC_HEX_CHARS + 16) return 'invalid';
  const t = nonce.slice(0, nonce.length - NONCE_MAC_HEX_CHARS);
  const expected = createNonce(secret, parseInt(t, 16));
  if (expected !== nonce) return 'invalid';
  const age = now - parseInt(t, 16);
  return age >= 0 && age <= NONCE_TTL_MS ? 'valid' : 'stale';
}

/** Parses `Digest k=v, k="v", …` into lower-case keys. Quoted values may contain commas. */
export function parseDigest(value: string | undefined): Map<string, string> | undefined {
  if (!value || !/^digest\s/i.test(value)) return undefined;
  const params = new Map<string, string>();
  let i = value.indexOf(' ') + 1;
  while (i < value.length && params.size < 32) {
    while (value[i] === ' ' || value[i] === ',') i++;
    const eq = value.indexOf('=', i);
    if (eq === -1) break;
    const key = value.slice(i, eq).trim().toLowerCase();
    i = eq + 1;
    let v: string;
    if (value[i] === '"') {
      const close = value.indexOf('"', i + 1);
      if (close === -1) return undefined;
      v = value.slice(i + 1, close);
      i = close + 1;
    } else {
      const comma = value.indexOf(',', i);
      v = value.slice(i, comma === -1 ? value.length : comma).trim();
      i = comma === -1 ? value.length : comma + 1;
    }
    params.set(key, v);
  }
  return params;
}

export interface DigestCheck {
  authorization: string | undefined;
  method: string;
  realm: string;
  /** The shared password; ignored when `ha1` is given. */
  password?: string;
  /** The device's stored HA1 (MD5(deviceId:realm:password)). */
  ha1?: string;
  /** The username the credentials must be for (the device id): nobody signs in as another device. */
  username?: string;
  secret: string;
  now: number;
}

/** RFC 2617 MD5 digest, with or without qop=auth (GB/T 28181 devices use both). */
export function checkDigest(c: DigestCheck): 'ok' | 'missing' | 'stale' | 'bad' {
  const p = parseDigest(c.authorization);
  if (!p) return 'missing';
  const username = p.get('username');
  const nonce = p.get('nonce');
  const uri = p.get('uri');
  const response = p.get('response');
  if (!username || !nonce || !uri || !response || p.get('realm') !== c.realm) return 'bad';
  if (c.username !== undefined && username !== c.username) return 'bad';
  if (c.ha1 === undefined && c.password === undefined) return 'bad';
  const algorithm = (p.get('algorithm') ?? 'MD5').toUpperCase();
  if (algorithm !== 'MD5') return 'bad';
  const state = nonceState(c.secret, nonce, c.now);
  if (state !== 'valid') return state === 'stale' ? 'stale' : 'bad';
  const ha1 = c.ha1 ?? sipHa1(username, c.realm, c.password!);
  const ha2 = md5(`${c.method}:${uri}`);
  const qop = p.get('qop');
  const expected =
    qop === 'auth'
      ? md5(`${ha1}:${nonce}:${p.get('nc') ?? ''}:${p.get('cnonce') ?? ''}:auth:${ha2}`)
      : md5(`${ha1}:${nonce}:${ha2}`);
  const a = Buffer.from(expected);
  const b = Buffer.from(response.toLowerCase());
  return a.length === b.length && timingSafeEqual(a, b) ? 'ok' : 'bad';
}

/** The device's side, for tests and simulated devices. */
export function digestAuthorization(o: {
  username: string;
  realm: string;
  password: string;
  nonce: string;
  uri: string;
  method: string;
}): string {
  const response = md5(
    `${md5(`${o.username}:${o.realm}:${o.password}`)}:${o.nonce}:${md5(`${o.method}:${o.uri}`)}`,
  );
  return `Digest username="${o.username}", realm="${o.realm}", nonce="${o.nonce}", uri="${o.uri}", response="${response}", algorithm=MD5`;
}
