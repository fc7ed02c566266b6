/**
 * Login attempts per client address in a sliding window, in memory: it slows a guesser down before the
 * per-account lock (users.locked_until) has to step in, and a flood from one address cannot lock everyone out
 * by guessing (the account lock still applies to the account under attack).
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
