/**
 * The audit chain's head, kept outside the database. The hash chain proves no row was changed, removed or
 * re-ordered *before* the newest row, but not that the newest rows are still there: deleting the last N
 * rows leaves a shorter chain that verifies. So every AUDIT_ANCHOR_MS the newest (id, hash) is written
 * where the database's writer cannot rewrite it, Redis when REDIS_URL is set (redis-anchor.ts), and to a
 * file beside the database; every AUDIT_LOG_ANCHOR_MS it goes to the log too (which a centre ships off the
 * box). Verification requires each anchored row to still be in the chain with that hash.
 *
 * An anchor never overwrites evidence: once the anchored row is gone or different, it stays as it is and
 * every verification fails until an administrator looks (after restoring a backup, delete the file and
 * the Redis key).
 */
import fs from 'node:fs';
import { sql } from 'drizzle-orm';
import type { SqlDb, SqlRunner } from '../db/sql-db';
import type { Clock } from '@/lib/clock';
import type { AuditHead } from '@/lib/dispatch/api-types';
import type { Logger } from '../logger';
import { createThrottledLog } from '../logger';
import type { AnchorReadings } from './audit-log';
import { sqlAuditChainOf } from './audit-key';
import { RedisAuditAnchor } from './redis-anchor';

/** The newest rows written in this window can be removed without a trace (the price of not writing per row). */
export const AUDIT_ANCHOR_MS = 1_000;
/** How often the head goes to the log (when it moved): a line a minute at most, enough to bound a rewrite. */
export const AUDIT_LOG_ANCHOR_MS = 60_000;

export type { AuditHead };

export interface AnchorReading {
  head: AuditHead | null;
  /** The anchor exists but cannot be read as one (tampering evidence), or could not be read at all. */
  error?: string;
  /** What to do once the cause is understood (e.g. after restoring a backup: delete the anchor). */
  remedy?: string;
}

const FILE_REMEDY = '(after restoring a backup or re-creating the database, delete the anchor file)';

/** The anchor path for a database file; null for an in-memory database (nothing to protect across runs). */
export function anchorPathFor(databasePath: string): string | null {
  return databasePath === ':memory:' ? null : `${databasePath}.audit-head.json`;
}

export function readAnchor(path: string): AnchorReading {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { head: null };
    return { head: null, error: `anchor unreadable: ${(e as Error).message}` };
  }
  try {
    const h = JSON.parse(text) as Partial<AuditHead>;
    if (Number.isInteger(h.id) && typeof h.hash === 'string' && /^[0-9a-f]{64}$/.test(h.hash))
      return { head: { id: h.id!, hash: h.hash, at: Number(h.at) || 0 } };
  } catch {
    // fall through
  }
  return { head: null, error: 'anchor file is not an anchor (edited?)' };
}

/** Why the chain no longer holds the anchored head, or null when it does. */
export async function anchorProblem(db: SqlRunner, reading: AnchorReading): Promise<string | null> {
  const row =
    reading.head && !reading.error
      ? await db.get<{ hash: string }>(sql`SELECT hash FROM audit_log WHERE id = ${reading.head.id}`)
      : undefined;
  return anchorProblemOf(reading, row);
}

/** The same, given the chain's row at the anchored id (undefined: no such row), from any database. */
export function anchorProblemOf(reading: AnchorReading, row: { hash: string } | undefined): string | null {
  const remedy = reading.remedy ?? FILE_REMEDY;
  if (reading.error) return `${reading.error} ${remedy}`;
  const head = reading.head;
  if (!head) return null;
  const when = new Date(head.at).toISOString();
  if (!row)
    return `row ${head.id}, the chain's head at ${when}, is gone: rows were removed from the end ${remedy}`;
  if (row.hash !== head.hash)
    return `row ${head.id} no longer has the hash anchored at ${when}: rows were removed and others written ${remedy}`;
  return null;
}

export class AuditAnchor {
  private head: AuditHead | null = null;
  private problem: string | null = null;
  private redisProblem: string | null = null;
  private logged: { id: number; at: number } | null = null;
  private isTicking = false;
  /** The file as found at start, checked against the chain on the first tick. */
  private startReading: AnchorReading | null = null;
  private readonly warn: ReturnType<typeof createThrottledLog>;

  /** `path`: the file anchor (null: none, e.g. an in-memory database); `redis`: the anchor out of reach. */
  constructor(
    private readonly db: SqlDb,
    readonly path: string | null,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly redis: RedisAuditAnchor | null = null,
  ) {
    this.warn = createThrottledLog(logger);
    if (path) {
      this.startReading = readAnchor(path);
      this.head = this.startReading.head;
    }
  }

  /** The anchors as they stand now, for a verification. */
  async readings(): Promise<AnchorReadings> {
    return {
      file: this.path ? readAnchor(this.path) : undefined,
      redis: this.redis ? await this.redis.read() : undefined,
    };
  }

  /** Moves each anchor to the chain's current head, unless the chain lost the head that anchor holds. */
  async tick(): Promise<void> {
    if (this.startReading) {
      // A file that already holds a head the chain lost is evidence: reported, and never moved again.
      this.problem = await anchorProblem(this.db, this.startReading);
      this.startReading = null;
      if (this.problem) this.reportProblem('file', this.problem);
    }
    const now =
      (await this.db.get<{ id: number; hash: string }>(
        sql`SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1`,
      )) ?? null;
    if (this.path) await this.tickFile(now);
    if (this.redis) await this.tickRedis(now);
    this.logHead(now);
  }

  private async tickFile(now: { id: number; hash: string } | null): Promise<void> {
    if (this.problem || !this.path) return;
    this.problem = await anchorProblem(this.db, { head: this.head });
    if (this.problem) {
      this.reportProblem('file', this.problem);
      return;
    }
    if (!now || (this.head && this.head.id === now.id)) return;
    const head: AuditHead = { id: now.id, hash: now.hash, at: this.clock.now() };
    // Write-then-rename: a crash mid-write leaves the previous anchor, never half a file. Per process,
    // because scale-out processes sharing the database anchor the same file.
    const tmp = `${this.path}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify(head)}\n`);
    fs.renameSync(tmp, this.path);
    this.head = head;
  }

  private async tickRedis(now: { id: number; hash: string } | null): Promise<void> {
    if (this.redisProblem || !this.redis) return;
    const reading = await this.redis.read();
    if (reading.error && this.redis.isUnavailable(reading)) {
      this.warn('audit-anchor-redis', { err: reading.error }, 'audit anchor: Redis unavailable');
      return;
    }
    const problem = await anchorProblem(this.db, reading);
    if (problem) {
      this.redisProblem = problem;
      this.reportProblem('redis', problem);
      return;
    }
    if (!now || (reading.head && reading.head.id >= now.id)) return;
    try {
      await this.redis.write({ id: now.id, hash: now.hash, at: this.clock.now() });
    } catch (e) {
      // Throttled: a Redis that refuses every second must not flood the log; the next tick tries again.
      this.warn(
        'audit-anchor-redis-write',
        { err: (e as Error).message },
        'audit anchor: Redis write failed',
      );
    }
  }

  private logHead(now: { id: number; hash: string } | null): void {
    if (!now || this.logged?.id === now.id) return;
    const at = this.clock.now();
    if (this.logged && at - this.logged.at < AUDIT_LOG_ANCHOR_MS) return;
    this.logged = { id: now.id, at };
    this.logger.info({ auditHead: { id: now.id, hash: now.hash } }, 'audit chain head');
  }

  /** Anchors every AUDIT_ANCHOR_MS until the database closes; returns a stop function. */
  start(): () => void {
    const stop = () => {
      clearInterval(timer);
      void this.redis?.close();
    };
    const timer = setInterval(() => {
      if (this.db.isClosed) {
        stop();
        return;
      }
      if (this.isTicking) return; // a slow Redis round trip: skip a beat rather than pile up
      this.isTicking = true;
      this.tick()
        .catch((e: unknown) => {
          // The database closed under a tick in flight (a clean shutdown ends the pool): nothing to anchor.
          if (!this.db.isClosed) this.logger.error({ err: e }, 'audit anchor could not be written');
        })
        .finally(() => (this.isTicking = false));
    }, AUDIT_ANCHOR_MS);
    timer.unref();
    return stop;
  }

  private reportProblem(kind: 'file' | 'redis', problem: string): void {
    this.logger.error(
      { anchor: kind === 'file' ? this.head : undefined, kind, path: this.path, problem },
      'audit log lost its anchored head: the anchor is kept as evidence',
    );
  }
}

/**
 * The anchors a deployment has: the file beside an on-disk database, and Redis when REDIS_URL is set; null
 * when neither. Started: anchors every AUDIT_ANCHOR_MS until the database closes. Build it after the chain
 * key is configured (configureSqlAuditChain), so Redis heads are signed.
 */
export function startAuditAnchor(opts: {
  sql: SqlDb;
  path: string | null;
  redisUrl?: string;
  clock: Clock;
  logger: Logger;
}): AuditAnchor | null {
  if (!opts.path && !opts.redisUrl) return null;
  const redis = opts.redisUrl
    ? new RedisAuditAnchor(opts.redisUrl, opts.logger, sqlAuditChainOf(opts.sql))
    : null;
  const anchor = new AuditAnchor(opts.sql, opts.path, opts.clock, opts.logger, redis);
  anchor.start();
  return anchor;
}
