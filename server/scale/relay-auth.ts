/**
 * Authenticates scale-out relay messages. Anyone who can PUBLISH on Redis could otherwise close incidents
 * on every wall, so each message carries an HMAC-SHA256 under a key every server process derives from the
 * SESSION_SECRET they already share (cookies must verify on whichever process a request lands on). HKDF with
 * a label keeps the cookie key from being reused raw. A timestamp and a per-sender sequence number make a
 * captured genuine message worthless later: stale ones and repeats are dropped.
 *
 * Wire form: `<hex HMAC of the JSON>.<JSON>`, so the MAC covers the exact bytes parsed.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/** HKDF `info`: names what the derived key is for, so no other use of SESSION_SECRET yields the same key. */
export const RELAY_KEY_LABEL = 'pingan/scale-out relay/v1';
/**
 * A message older (or further ahead) than this is dropped: 30 s covers Redis delivery and NTP skew between
 * processes behind one load balancer; a replay has at most this long, and the sequence check closes it.
 */
export const RELAY_MAX_AGE_MS = 30_000;
/** Senders whose last sequence number is remembered; a sender silent for RELAY_MAX_AGE_MS is forgotten first. */
export const RELAY_MAX_SENDERS = 1_024;
/** A relay message larger than this is refused before any work (an incident view is well under 8 KB). */
export const RELAY_MAX_BYTES = 64 * 1024;

const MAC_HEX_CHARS = 64;

export function deriveRelayKey(sessionSecret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', sessionSecret, Buffer.alloc(0), RELAY_KEY_LABEL, 32));
}

export interface RelayEnvelope {
  /** The publishing process. */
  from: string;
  /** Publisher's wall clock, epoch ms. */
  ts: number;
  /** Strictly increasing per publisher. */
  seq: number;
}

export type RelayCheck<T> = { ok: true; envelope: RelayEnvelope; body: T } | { ok: false; reason: string };

const mac = (key: Buffer, json: string) => createHmac('sha256', key).update(json).digest('hex');

export function signRelayMessage<T extends RelayEnvelope>(key: Buffer, payload: T): string {
  const json = JSON.stringify(payload);
  return `${mac(key, json)}.${json}`;
}

/**
 * Checks signature, age and order of incoming messages. Holds one number per recent sender, bounded by
 * RELAY_MAX_SENDERS.
 */
export class RelayVerifier {
  private readonly lastSeq = new Map<string, { seq: number; at: number }>();

  constructor(
    private readonly key: Buffer,
    private readonly now: () => number = Date.now,
  ) {}

  check(raw: string): RelayCheck<Record<string, unknown>> {
    if (raw.length > RELAY_MAX_BYTES) return { ok: false, reason: 'message_too_large' };
    const dot = raw.indexOf('.');
    if (dot !== MAC_HEX_CHARS) return { ok: false, reason: 'unsigned' };
    const given = Buffer.from(raw.slice(0, dot), 'hex');
    const json = raw.slice(dot + 1);
    const expected = Buffer.from(mac(this.key, json), 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return { ok: false, reason: 'bad_signature' };
    let data: Record<string, unknown>;
    try {
      data = JSON.parse(json) as Record<string, unknown>;
    } catch {
      return { ok: false, reason: 'bad_json' };
    }
    const { from, ts, seq } = data;
    if (typeof from !== 'string' || typeof ts !== 'number' || !Number.isSafeInteger(seq))
      return { ok: false, reason: 'bad_envelope' };
    const now = this.now();
    if (Math.abs(now - ts) > RELAY_MAX_AGE_MS) return { ok: false, reason: 'stale' };
    const last = this.lastSeq.get(from);
    if (last && (seq as number) <= last.seq) return { ok: false, reason: 'replay' };
    this.remember(from, seq as number, now);
    return { ok: true, envelope: { from, ts, seq: seq as number }, body: data };
  }

  private remember(from: string, seq: number, now: number): void {
    this.lastSeq.delete(from); // re-inserted last: the map stays in order of last message
    if (this.lastSeq.size >= RELAY_MAX_SENDERS) {
      for (const [k, v] of this.lastSeq) {
        // A forgotten sender's old messages are stale by now, so forgetting it re-opens nothing...
        if (now - v.at > RELAY_MAX_AGE_MS) this.lastSeq.delete(k);
        else break;
      }
      // ...but past the cap with every sender recent (only key holders create senders), the least recent goes.
      if (this.lastSeq.size >= RELAY_MAX_SENDERS) {
        const oldest = this.lastSeq.keys().next().value;
        if (oldest !== undefined) this.lastSeq.delete(oldest);
      }
    }
    this.lastSeq.set(from, { seq, at: now });
  }
}
