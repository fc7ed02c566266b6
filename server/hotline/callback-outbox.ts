import { createHmac } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Clock } from '@/lib/clock';
import { callbackFor, nextAttemptAt, type HotlineEventRow } from '@/lib/hotline/callback';
import { HOTLINE_SOURCE } from '@/lib/hotline/work-order';
import { forUpdate, type SqlDb, type SqlRunner } from '../db/sql-db';
import type { Logger } from '../logger';

/** Events read from incident_events per scan: a burst of changes is caught up over a few ticks. */
const SCAN_BATCH = 500;
/** Callbacks sent per tick, one after another (the platform is one server; do not flood it). */
const SEND_BATCH = 20;
/** Pending callbacks held at most; past it the oldest go to the dead-letter list (visible, never dropped). */
export const MAX_PENDING_CALLBACKS = 10_000;
/** One POST may take this long before it counts as a failed attempt. */
const SEND_TIMEOUT_MS = 10_000;
/** How often the outbox looks for changes and due retries. */
const TICK_MS = 1_000;
/** Characters of an error or answer body kept with a failed callback. */
const ERROR_CHARS = 300;
/** Delivered callbacks are kept this long (a support question about one is days old at most), then pruned. */
const DONE_KEPT_MS = 7 * 24 * 3_600_000;
const PRUNE_EVERY_MS = 3_600_000;
/** Where the last incident_events id already turned into callbacks is kept (table meta). */
const CURSOR_KEY = 'hotline.callback_cursor';
/**
 * A claimed callback is left to its sender this long (its POST is bounded by SEND_TIMEOUT_MS); past it, a
 * process that died mid-send no longer holds it and another takes it up.
 */
const CLAIM_MS = 2 * SEND_TIMEOUT_MS;
/**
 * PostgreSQL draws identity ids when a row is inserted, not when it commits, so an incident_events row may
 * become visible after rows with higher ids. The cursor only moves past events at least this old (their
 * writer's clock): a transaction still open that long after drawing its id is not expected, and the rows
 * not yet behind the cursor are read again, their callbacks queued at most once by the event's unique index.
 */
export const EVENT_COMMIT_SETTLE_MS = 60_000;

export const SIGNATURE_HEADER = 'x-pingan-signature';
export const TIMESTAMP_HEADER = 'x-pingan-timestamp';

/** `sha256=<hex>` of HMAC-SHA256(secret, `${timestamp}.${body}`): the platform recomputes it to trust us. */
export function signCallback(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export interface DeadLetter {
  id: number;
  incidentId: string;
  orderNo: string;
  attempts: number;
  lastError: string | null;
  updatedAt: number;
  payload: unknown;
}

export interface HotlineOutboxOptions {
  /** The system of record; on PostgreSQL shared with every other server process running an outbox. */
  db: SqlDb;
  clock: Clock;
  logger: Logger;
  /** HOTLINE_CALLBACK_URL; unset: changes are not reported (nothing is queued either). */
  url: string | undefined;
  /** HOTLINE_CALLBACK_SECRET, else HOTLINE_TOKEN. */
  secret: string;
  fetchImpl?: typeof fetch;
}

interface ClaimedCallback {
  id: number;
  payload: string;
  attempts: number;
  /** The next_at the claim wrote: the outcome is recorded only while the row still carries it. */
  claimedUntil: number;
}

/** PostgreSQL: a due row another process is claiming is passed over, not waited for. */
function skipLocked(db: SqlRunner) {
  return db.dialect === 'postgres' ? sql` FOR UPDATE SKIP LOCKED` : sql``;
}

/**
 * State changes of 12345 incidents, reported back to the hotline platform. A transactional outbox: the
 * scan turns new incident_events rows of hotline incidents into `hotline_callbacks` rows and moves the
 * cursor in the same transaction, so whichever path changed the incident (console, department page,
 * worker) is reported, exactly once queued, and a restart loses nothing. Sending retries with exponential
 * backoff up to CALLBACK_MAX_ATTEMPTS, then parks the callback as a dead letter an admin can retry.
 *
 * Several server processes may run it on one PostgreSQL database. Scans take turns on the cursor's row.
 * A callback is sent by the process that claimed it: one statement moves its next_at CLAIM_MS ahead,
 * so it is no longer due for anyone else (PostgreSQL skips a row another claim holds locked rather than
 * claim it twice; SQLite's write lock makes the statement atomic anyway), and the outcome is written only
 * while next_at still holds that claim. Every claim moves next_at forward from a due (past) value, so a
 * sender whose claim ran out and was taken over can no longer overwrite its successor's outcome.
 */
export class HotlineOutbox {
  private timer: NodeJS.Timeout | null = null;
  private isSending = false;
  private lastPruneAt = -Infinity;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly o: HotlineOutboxOptions) {
    this.fetchImpl = o.fetchImpl ?? fetch;
  }

  /** Turns new changes of hotline incidents into queued callbacks; returns how many were queued. */
  async scan(): Promise<number> {
    if (!this.o.url) return 0;
    return this.o.db.transaction((tx) => this.scanIn(tx));
  }

  private async scanIn(tx: SqlRunner): Promise<number> {
    const now = this.o.clock.now();
    const cursor = await tx.get<{ value: string }>(
      sql`SELECT value FROM meta WHERE key = ${CURSOR_KEY}${forUpdate(tx)}`,
    );
    if (cursor === undefined) {
      // First start: the platform already knows the history it pushed; report from here on.
      const last = await tx.get<{ id: number }>(sql`SELECT COALESCE(MAX(id), 0) AS id FROM incident_events`);
      // Another process starting at the same moment may have set it first: its value stands.
      await tx.run(
        sql`INSERT INTO meta (key, value, updated_at) VALUES (${CURSOR_KEY}, ${String(last?.id ?? 0)}, ${now})
            ON CONFLICT (key) DO NOTHING`,
      );
      return 0;
    }
    const from = Number(cursor.value);
    const rows = await tx.all<Omit<HotlineEventRow, 'data'> & { data: unknown }>(
      sql`SELECT e.id, e.incident_id AS "incidentId", i.source_ref AS "orderNo", e.at, e.type, e.from_state AS "fromState",
            e.to_state AS "toState", e.note, e.data, i.satisfaction, i.reply_text AS "replyText", i.reply_at AS "replyAt"
          FROM incident_events e JOIN incidents i ON i.id = e.incident_id
          WHERE e.id > ${from} AND i.source = ${HOTLINE_SOURCE} ORDER BY e.id LIMIT ${SCAN_BATCH}`,
    );
    let queued = 0;
    for (const r of rows) {
      // jsonb arrives parsed on PostgreSQL; the row type is the text SQLite stores.
      const data = r.data === null || typeof r.data === 'string' ? r.data : JSON.stringify(r.data);
      const cb = callbackFor({ ...r, data });
      if (!cb || r.orderNo === null) continue;
      const inserted = await tx.run(
        sql`INSERT INTO hotline_callbacks (event_id, incident_id, order_no, payload, state, attempts, next_at, created_at, updated_at)
            VALUES (${r.id}, ${r.incidentId}, ${r.orderNo}, ${JSON.stringify(cb)}, 'pending', 0, ${now}, ${now}, ${now})
            ON CONFLICT (event_id) DO NOTHING`,
      );
      queued += inserted.changes;
    }
    // SQLite commits rows in id order (one writer), so everything read is behind the cursor at once.
    const settledBefore = tx.dialect === 'postgres' ? now - EVENT_COMMIT_SETTLE_MS : Infinity;
    let to = from;
    for (const r of rows) {
      if (r.at >= settledBefore) break;
      to = r.id;
    }
    if (to !== from)
      await tx.run(sql`UPDATE meta SET value = ${String(to)}, updated_at = ${now} WHERE key = ${CURSOR_KEY}`);
    if (now - this.lastPruneAt >= PRUNE_EVERY_MS) {
      this.lastPruneAt = now;
      await tx.run(
        sql`DELETE FROM hotline_callbacks WHERE state = 'done' AND updated_at < ${now - DONE_KEPT_MS}`,
      );
    }
    const pending = await tx.get<{ n: number }>(
      sql`SELECT COUNT(*) AS n FROM hotline_callbacks WHERE state = 'pending'`,
    );
    const excess = (pending?.n ?? 0) - MAX_PENDING_CALLBACKS;
    if (excess > 0) {
      await tx.run(
        sql`UPDATE hotline_callbacks SET state = 'dead', last_error = 'queue_full', updated_at = ${now}
            WHERE id IN (SELECT id FROM hotline_callbacks WHERE state = 'pending' ORDER BY id LIMIT ${excess})`,
      );
      this.o.logger.warn({ excess }, 'hotline callback queue full: oldest moved to the dead-letter list');
    }
    return queued;
  }

  /** Sends the callbacks that are due (one pass); resolves with how many were delivered. */
  async deliver(): Promise<number> {
    if (!this.o.url || this.isSending) return 0;
    this.isSending = true;
    try {
      let delivered = 0;
      for (let k = 0; k < SEND_BATCH; k++) {
        const c = await this.claim();
        if (!c) break;
        if (await this.sendOne(c)) delivered++;
      }
      return delivered;
    } finally {
      this.isSending = false;
    }
  }

  /**
   * Takes the next due callback for this process, or null when none is due. One at a time, just before
   * its POST, so a claim never waits behind other sends and CLAIM_MS covers one send.
   */
  private async claim(): Promise<ClaimedCallback | null> {
    const { db } = this.o;
    const now = this.o.clock.now();
    const claimedUntil = now + CLAIM_MS;
    // The CTE picks the row once: as a subquery of the UPDATE, PostgreSQL may run it again for every row it
    // scans, each run skipping the rows the statement has just claimed, and so claim them all. The outer
    // conditions are checked again on the row as it is when locked: without them, a PostgreSQL claim that
    // waited for another's lock would take the row that one just claimed.
    const row = await db.get<{ id: number; payload: string; attempts: number }>(
      sql`WITH due AS (SELECT id FROM hotline_callbacks WHERE state = 'pending' AND next_at <= ${now}
                       ORDER BY next_at, id LIMIT 1${skipLocked(db)})
          UPDATE hotline_callbacks SET next_at = ${claimedUntil}
          WHERE id IN (SELECT id FROM due) AND state = 'pending' AND next_at <= ${now}
          RETURNING id, payload, attempts`,
    );
    return row ? { ...row, claimedUntil } : null;
  }

  /** One scan and one delivery pass: what the timer does every TICK_MS (tests call it after moving the clock). */
  async tick(): Promise<number> {
    await this.scan();
    return this.deliver();
  }

  start(): void {
    if (!this.o.url || this.timer) return;
    this.timer = setInterval(() => {
      this.tick().catch((err: unknown) => this.o.logger.error({ err }, 'hotline outbox tick failed'));
    }, TICK_MS);
    this.timer.unref();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  async deadLetters(limit = 200): Promise<DeadLetter[]> {
    const rows = await this.o.db.all<Omit<DeadLetter, 'payload'> & { payload: string }>(
      sql`SELECT id, incident_id AS "incidentId", order_no AS "orderNo", attempts, last_error AS "lastError",
            updated_at AS "updatedAt", payload
          FROM hotline_callbacks WHERE state = 'dead' ORDER BY id DESC LIMIT ${limit}`,
    );
    return rows.map((r) => ({ ...r, payload: JSON.parse(r.payload) as unknown }));
  }

  async deadCount(): Promise<number> {
    const r = await this.o.db.get<{ n: number }>(
      sql`SELECT COUNT(*) AS n FROM hotline_callbacks WHERE state = 'dead'`,
    );
    return r?.n ?? 0;
  }

  /**
   * Puts a dead letter back in the queue, due now, with a fresh set of attempts; false if it is not dead.
   * `via`: the caller's transaction (the retry and its audit row commit together).
   */
  async retry(id: number, via: SqlRunner = this.o.db): Promise<boolean> {
    const now = this.o.clock.now();
    const r = await via.run(
      sql`UPDATE hotline_callbacks SET state = 'pending', attempts = 0, next_at = ${now}, updated_at = ${now}
          WHERE id = ${id} AND state = 'dead'`,
    );
    return r.changes === 1;
  }

  private async sendOne(c: ClaimedCallback): Promise<boolean> {
    const ts = String(Math.floor(this.o.clock.now() / 1000));
    let error: string | null = null;
    try {
      const r = await this.fetchImpl(this.o.url!, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          [TIMESTAMP_HEADER]: ts,
          [SIGNATURE_HEADER]: signCallback(this.o.secret, ts, c.payload),
        },
        body: c.payload,
        signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
      });
      const text = await r.text().catch(() => '');
      if (!r.ok) error = `HTTP ${r.status} ${text}`.slice(0, ERROR_CHARS);
    } catch (err) {
      error = ((err as Error).cause as Error | undefined)?.message ?? (err as Error).message;
    }
    const now = this.o.clock.now();
    const attempts = c.attempts + 1;
    const next = error === null ? null : nextAttemptAt(attempts, now);
    const state = error === null ? 'done' : next === null ? 'dead' : 'pending';
    const recorded = await this.o.db.run(
      sql`UPDATE hotline_callbacks SET state = ${state}, attempts = ${attempts}, next_at = ${next ?? now},
            last_error = ${error?.slice(0, ERROR_CHARS) ?? null}, updated_at = ${now}
          WHERE id = ${c.id} AND next_at = ${c.claimedUntil}`,
    );
    if (recorded.changes !== 1)
      this.o.logger.warn(
        { callbackId: c.id, isDelivered: error === null },
        'hotline callback outcome not recorded: its claim ran out and another process took it over',
      );
    if (error === null) return true;
    this.o.logger.warn(
      { callbackId: c.id, attempts, isDead: next === null, error },
      'hotline callback failed',
    );
    return false;
  }
}
