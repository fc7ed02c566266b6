/**
 * Login attempts per client address in a sliding window, in memory: it slows a guesser down before the
 * (account, source) lock below has to step in, whatever accounts it tries.
 */
export const LOGIN_WINDOW_MS = 60_000;
export const LOGIN_MAX_PER_WINDOW = 10;
/** Addresses remembered at most; past it the oldest are forgotten (bounded memory under a spray). */
const MAX_TRACKED_ADDRESSES = 10_000;

export class LoginLimiter {
  private readonly attempts = new Map<string, number[]>();

  constructor(
    private readonly maxPerWindow = LOGIN_MAX_PER_WINDOW,
    private readonly windowMs = LOGIN_WINDOW_MS,
  ) {}

  /** Records an attempt; returns 0 when allowed, else the milliseconds until the next one is. */
  take(address: string, now: number): number {
    const list = (this.attempts.get(address) ?? []).filter((t) => now - t < this.windowMs);
    if (list.length >= this.maxPerWindow) {
      this.attempts.set(address, list);
      return this.windowMs - (now - list[0]!);
    }
    list.push(now);
    this.attempts.delete(address); // re-insert so Map order is least-recently-used first
    this.attempts.set(address, list);
    if (this.attempts.size > MAX_TRACKED_ADDRESSES) {
      const oldest = this.attempts.keys().next().value;
      if (oldest !== undefined) this.attempts.delete(oldest);
    }
    return 0;
  }
}

/** Consecutive failures of one account from one source before that pair is locked. */
export const LOCK_AFTER_FAILURES = 5;
/** The first lock; each further failure after a lock doubles it, up to LOCK_MAX_MS. */
export const LOCK_BASE_MS = 60_000;
export const LOCK_MAX_MS = 30 * 60_000;
/** A pair with no failure for this long starts again from zero. */
const FAILURE_MEMORY_MS = 24 * 60 * 60_000;
/** (account, source) pairs remembered at most; past it the least recently failed are forgotten. */
const MAX_TRACKED_PAIRS = 10_000;

interface PairState {
  failures: number;
  lockedUntil: number;
  lastAt: number;
}

/**
 * The account lock, per (account, source) with exponential backoff, in memory. A global lock on the account
 * was a denial of service: anyone anywhere could lock `dispatcher` out with five wrong guesses. Locked this
 * way, a guesser locks only itself out of that account, ever longer, while the real user at another address
 * signs in. Usernames that do not exist are tracked like real ones, so a lock does not reveal which exist.
 * A guesser spread over many addresses is slowed by the per-address limiter above, not locked.
 */
export class LoginLockout {
  private readonly pairs = new Map<string, PairState>();

  constructor(private readonly maxPairs = MAX_TRACKED_PAIRS) {}

  get size(): number {
    return this.pairs.size;
  }

  /** Milliseconds left on this pair's lock; 0 when it may try. */
  lockedFor(account: string, source: string, now: number): number {
    const s = this.pairs.get(keyOf(account, source));
    return s && s.lockedUntil > now ? s.lockedUntil - now : 0;
  }

  /** Records a failure; returns the length of the lock it starts, 0 when it starts none. */
  fail(account: string, source: string, now: number): number {
    const key = keyOf(account, source);
    const prior = this.pairs.get(key);
    const s: PairState =
      prior && now - prior.lastAt < FAILURE_MEMORY_MS ? prior : { failures: 0, lockedUntil: 0, lastAt: now };
    s.failures++;
    s.lastAt = now;
    let lockMs = 0;
    if (s.failures >= LOCK_AFTER_FAILURES) {
      const doublings = Math.min(s.failures - LOCK_AFTER_FAILURES, 16);
      lockMs = Math.min(LOCK_MAX_MS, LOCK_BASE_MS * 2 ** doublings);
      s.lockedUntil = now + lockMs;
    }
    this.pairs.delete(key); // re-insert: Map order is least-recently-failed first
    this.pairs.set(key, s);
    while (this.pairs.size > this.maxPairs) {
      const oldest = this.pairs.keys().next().value;
      if (oldest === undefined) break;
      this.pairs.delete(oldest);
    }
    return lockMs;
  }

  succeed(account: string, source: string): void {
    this.pairs.delete(keyOf(account, source));
  }

  /** An admin's unlock: every source's lock on the account ends. */
  clearAccount(account: string): void {
    const prefix = keyOf(account, '');
    for (const key of this.pairs.keys()) if (key.startsWith(prefix)) this.pairs.delete(key);
  }
}

function keyOf(account: string, source: string): string {
  return `${account}\u0000${source}`;
}
