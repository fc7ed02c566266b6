import { describe, expect, it } from 'vitest';
import {
  deriveRelayKey,
  RELAY_MAX_AGE_MS,
  RELAY_MAX_SENDERS,
  RelayVerifier,
  signRelayMessage,
} from './relay-auth';

const SECRET = 'a-session-secret-of-at-least-32-characters';
const key = deriveRelayKey(SECRET);

function verifierAt(t: { now: number }) {
  return new RelayVerifier(key, () => t.now);
}

describe('relay message authentication', () => {
  it('derives a key that is neither the secret nor another secret’s key', () => {
    expect(key).toHaveLength(32);
    expect(key.toString('utf8')).not.toContain(SECRET);
    expect(deriveRelayKey(`${SECRET}x`).equals(key)).toBe(false);
  });

  it('accepts a signed message once, in order, and refuses a changed byte or a foreign key', () => {
    const t = { now: 1_000_000 };
    const v = verifierAt(t);
    const m1 = signRelayMessage(key, { from: 'p1', ts: t.now, seq: 1, hello: 'world' });
    expect(v.check(m1)).toMatchObject({ ok: true, body: { hello: 'world' } });
    expect(v.check(m1)).toEqual({ ok: false, reason: 'replay' });
    expect(v.check(m1.replace('world', 'World'))).toEqual({ ok: false, reason: 'bad_signature' });
    const foreign = signRelayMessage(deriveRelayKey('another-secret-of-32-characters-or-more'), {
      from: 'p1',
      ts: t.now,
      seq: 2,
    });
    expect(v.check(foreign)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(v.check('{"v":2,"from":"x"}')).toEqual({ ok: false, reason: 'unsigned' });
    expect(v.check(signRelayMessage(key, { from: 'p1', ts: t.now, seq: 2 }))).toMatchObject({ ok: true });
  });

  it('drops a message older or further ahead than the window', () => {
    const t = { now: 5_000_000 };
    const v = verifierAt(t);
    const old = signRelayMessage(key, { from: 'p1', ts: t.now - RELAY_MAX_AGE_MS - 1, seq: 1 });
    const ahead = signRelayMessage(key, { from: 'p1', ts: t.now + RELAY_MAX_AGE_MS + 1, seq: 2 });
    expect(v.check(old)).toEqual({ ok: false, reason: 'stale' });
    expect(v.check(ahead)).toEqual({ ok: false, reason: 'stale' });
  });

  it('remembers at most RELAY_MAX_SENDERS senders and still refuses a recent sender’s repeat', () => {
    const t = { now: 9_000_000 };
    const v = verifierAt(t);
    const first = signRelayMessage(key, { from: 'first', ts: t.now, seq: 1 });
    expect(v.check(first).ok).toBe(true);
    t.now += RELAY_MAX_AGE_MS + 1; // 'first' is now silent past the window: the first to be forgotten
    for (let k = 0; k < RELAY_MAX_SENDERS + 10; k++)
      expect(v.check(signRelayMessage(key, { from: `s${k}`, ts: t.now, seq: 1 })).ok).toBe(true);
    expect((v as unknown as { lastSeq: Map<string, unknown> }).lastSeq.size).toBe(RELAY_MAX_SENDERS);
    // Forgotten, and its old message is stale anyway.
    expect(v.check(first)).toEqual({ ok: false, reason: 'stale' });
    const last = `s${RELAY_MAX_SENDERS + 9}`;
    expect(v.check(signRelayMessage(key, { from: last, ts: t.now, seq: 1 }))).toEqual({
      ok: false,
      reason: 'replay',
    });
  });
});
