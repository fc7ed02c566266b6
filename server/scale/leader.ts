/**
 * Leader election for the jobs that must run once across every server process behind one Redis (issue 19):
 * the overdue watch, the demo simulator, history writing and retention. One process holds a Redis lock
 * (`SET key <processId> NX PX ttl`), renews it with a check-and-extend script, and takes a fencing token
 * (`INCR`) on each acquisition. The token only ever grows, so a write stamped with it can be refused by the
 * store once a newer leader has written (server/scale/fence.ts): a process paused past its lease (GC, a
 * stalled disk, a network split) that still believes it leads cannot overwrite its successor.
 *
 * A leader steps down by itself when a renewal fails, when Redis is unreachable, or when its lease would run
 * out before the next renewal could confirm it (its own clock, so a hung connection cannot keep it leading).
 * Another process takes over within LEADER_TTL_MS + LEADER_RENEW_MS of the old one dying; a process that
 * shuts down cleanly releases the lock so the next one takes over at its next attempt.
 *
 * Without REDIS_URL there is one process and it leads (`soloLeadership`). The contract here (isLeader,
 * onChange, a growing token) is what a PostgreSQL advisory lock would offer too: callers do not know which.
 */
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { createClient, type RedisClientType } from 'redis';
import type { Logger } from '../logger';
import { createThrottledLog } from '../logger';

/** How long a lease lasts without renewal: the longest a dead leader's jobs stay unrun. */
export const LEADER_TTL_MS = 5_000;
/** How often the leader renews (and a follower tries to acquire): three chances within one lease. */
export const LEADER_RENEW_MS = 1_500;
/**
 * Lease time kept in hand for clock drift between this process and Redis: the leader stops acting this long
 * before the lease it was granted would run out by its own clock.
 */
export const LEADER_DRIFT_MARGIN_MS = 500;
export const LEADER_KEY = 'pingan:leader';
export const LEADER_FENCE_KEY = 'pingan:leader:fence';
const RECONNECT_MAX_DELAY_MS = 1_000;

/** Acquire and number atomically: a lock without a token (or a token without the lock) never exists. */
const ACQUIRE_SCRIPT = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return redis.call('INCR', KEYS[2])
end
return 0`;
/** Extend only our own lock: after expiry another process may hold the key. */
const RENEW_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0`;
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;
/** After a store refused our token (Redis lost its counter): the next token must exceed what was stored. */
const RAISE_FENCE_SCRIPT = `
local n = tonumber(ARGV[1])
if (tonumber(redis.call('GET', KEYS[1]) or '0') or 0) < n then
  redis.call('SET', KEYS[1], ARGV[1])
end
return 1`;

export interface ProcessIdentity {
  /** Unique per process start: host, pid and a random suffix (a pid is reused across restarts). */
  id: string;
  host: string;
  pid: number;
}

export function processIdentity(): ProcessIdentity {
  const host = os.hostname();
  return { id: `${host}-${process.pid}-${randomBytes(3).toString('hex')}`, host, pid: process.pid };
}

export type LeaderListener = (isLeader: boolean, fencingToken: number | null) => void;

export interface Leadership {
  readonly process: ProcessIdentity;
  isLeader(): boolean;
  /**
   * The token of the current term while leading; null when following, and null in single-process mode
   * (there is no rival to fence off, so writes are not fenced).
   */
  fencingToken(): number | null;
  /** Called on every change of leadership (not at once with the current state); returns an unsubscribe. */
  onChange(listener: LeaderListener): () => void;
  /**
   * A store refused this term's token (a newer one was written there): stop leading now, and make sure the
   * next acquisition, by anyone, gets a token above `storedToken`.
   */
  stepDown(storedToken?: number): void;
  start(): void;
  close(): Promise<void>;
}

function listeners(logger: Logger) {
  const set = new Set<LeaderListener>();
  return {
    add(l: LeaderListener) {
      set.add(l);
      return () => void set.delete(l);
    },
    emit(isLeader: boolean, token: number | null) {
      for (const l of set) {
        try {
          l(isLeader, token);
        } catch (err) {
          logger.error({ err, isLeader }, 'leadership listener failed');
        }
      }
    },
  };
}

/** The only process (no REDIS_URL): it leads from start to close. */
export function soloLeadership(logger: Logger, identity = processIdentity()): Leadership {
  const subs = listeners(logger);
  let isLeading = false;
  return {
    process: identity,
    isLeader: () => isLeading,
    fencingToken: () => null,
    onChange: subs.add,
    stepDown: () => {}, // nothing can refuse an unfenced write
    start() {
      if (isLeading) return;
      isLeading = true;
      subs.emit(true, null);
    },
    async close() {
      if (!isLeading) return;
      isLeading = false;
      subs.emit(false, null);
    },
  };
}

export interface RedisLeadershipOptions {
  url: string;
  logger: Logger;
  identity?: ProcessIdentity;
  /** Tests shorten these; production uses the named constants. */
  ttlMs?: number;
  renewMs?: number;
  key?: string;
}

export function redisLeadership(opts: RedisLeadershipOptions): Leadership {
  const identity = opts.identity ?? processIdentity();
  const ttlMs = opts.ttlMs ?? LEADER_TTL_MS;
  const renewMs = opts.renewMs ?? LEADER_RENEW_MS;
  const key = opts.key ?? LEADER_KEY;
  const fenceKey = `${key}:fence`;
  const logger = opts.logger;
  const warn = createThrottledLog(logger);
  const subs = listeners(logger);
  const client = createClient({
    url: opts.url,
    // A command that cannot be sent now fails now: a queued renewal arriving late is worse than none.
    disableOfflineQueue: true,
    socket: {
      reconnectStrategy: (n: number) => Math.min(50 * 2 ** n, RECONNECT_MAX_DELAY_MS),
      connectTimeout: 2_000,
    },
  }) as RedisClientType;
  client.on('error', (err: Error) =>
    warn('leader-redis', { err: err.message }, 'leader election: Redis error'),
  );

  let token: number | null = null;
  /** By this process's clock: leading is trusted until then (lease granted minus the drift margin). */
  let validUntil = 0;
  let timer: NodeJS.Timeout | null = null;
  let isBusy = false;
  let isClosed = false;
  /** Set by stepDown: skip one acquisition so a store's refusal is not met by re-acquiring at once. */
  let pendingRaise: number | null = null;

  const lose = (reason: string) => {
    if (token === null) return;
    const was = token;
    token = null;
    validUntil = 0;
    logger.warn({ process: identity.id, fencingToken: was, reason }, 'leadership lost');
    subs.emit(false, null);
    if (client.isReady)
      client.eval(RELEASE_SCRIPT, { keys: [key], arguments: [identity.id] }).catch(() => {});
  };

  async function beat(): Promise<void> {
    const sentAt = Date.now();
    if (token !== null && sentAt >= validUntil) lose('lease ran out before it could be renewed');
    if (!client.isReady) {
      lose('Redis unreachable');
      return;
    }
    try {
      if (pendingRaise !== null) {
        await client.eval(RAISE_FENCE_SCRIPT, { keys: [fenceKey], arguments: [String(pendingRaise)] });
        pendingRaise = null;
        return; // acquire at the next beat: another process may take its turn first
      }
      if (token !== null) {
        const ok = await client.eval(RENEW_SCRIPT, { keys: [key], arguments: [identity.id, String(ttlMs)] });
        if (ok === 1) validUntil = sentAt + ttlMs - LEADER_DRIFT_MARGIN_MS;
        else lose('lock held by another process');
        return;
      }
      const got = Number(
        await client.eval(ACQUIRE_SCRIPT, { keys: [key, fenceKey], arguments: [identity.id, String(ttlMs)] }),
      );
      if (got > 0 && !isClosed) {
        token = got;
        validUntil = sentAt + ttlMs - LEADER_DRIFT_MARGIN_MS;
        logger.info({ process: identity.id, fencingToken: got }, 'leadership acquired');
        subs.emit(true, got);
      }
    } catch (err) {
      warn('leader-beat', { err: (err as Error).message }, 'leader election: Redis command failed');
      if (token !== null && Date.now() >= validUntil) lose('renewal failed');
    }
  }

  const tick = () => {
    if (isBusy || isClosed) return;
    isBusy = true;
    beat().finally(() => (isBusy = false));
  };

  return {
    process: identity,
    isLeader: () => token !== null && Date.now() < validUntil,
    fencingToken: () => (token !== null && Date.now() < validUntil ? token : null),
    onChange: subs.add,
    stepDown(storedToken) {
      if (storedToken !== undefined) pendingRaise = Math.max(pendingRaise ?? 0, storedToken);
      lose('a newer fencing token was found in the store');
    },
    start() {
      if (timer || isClosed) return;
      client
        .connect()
        .then(tick)
        .catch((err: Error) =>
          warn('leader-connect', { err: err.message }, 'leader election: connect failed'),
        );
      timer = setInterval(tick, renewMs);
      timer.unref();
    },
    async close() {
      isClosed = true;
      if (timer) clearInterval(timer);
      timer = null;
      // Released at once, so the next process need not wait for the lease to run out.
      if (token !== null && client.isReady)
        await client.eval(RELEASE_SCRIPT, { keys: [key], arguments: [identity.id] }).catch(() => {});
      if (token !== null) {
        token = null;
        subs.emit(false, null);
      }
      await client.close().catch(() => {});
    },
  };
}
