import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'pingan_session';
const SESSION_ID_BYTES = 32;

export function newSessionId(): string {
  return randomBytes(SESSION_ID_BYTES).toString('base64url');
}

function sign(id: string, secret: string): string {
  return createHmac('sha256', secret).update(id).digest('base64url');
}

/** Cookie value `<id>.<hmac>`: a forged or altered id fails before the database is asked. */
export function signSessionId(id: string, secret: string): string {
  return `${id}.${sign(id, secret)}`;
}

export function verifySignedSessionId(value: string, secret: string): string | null {
  const dot = value.lastIndexOf('.');
  if (dot <= 0) return null;
  const id = value.slice(0, dot);
  const given = Buffer.from(value.slice(dot + 1));
  const expected = Buffer.from(sign(id, secret));
  return given.length === expected.length && timingSafeEqual(given, expected) ? id : null;
}

/** What the database stores instead of the id (and of display tokens): a leaked table opens nothing. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const raw = part.slice(eq + 1).trim();
    try {
      out.set(name, decodeURIComponent(raw));
    } catch {
      out.set(name, raw);
    }
  }
  return out;
}

export interface CookieOptions {
  maxAgeS?: number;
  isSecure: boolean;
}

/** HttpOnly (scripts never see it), SameSite=Lax (no cross-site POSTs carry it), Secure behind TLS. */
export function serializeSessionCookie(value: string, opts: CookieOptions): string {
  const attrs = [`${SESSION_COOKIE}=${encodeURIComponent(value)}`, 'Path=/', 'HttpOnly', 'SameSite=Lax'];
  if (opts.maxAgeS !== undefined) attrs.push(`Max-Age=${opts.maxAgeS}`);
  if (opts.isSecure) attrs.push('Secure');
  return attrs.join('; ');
}
