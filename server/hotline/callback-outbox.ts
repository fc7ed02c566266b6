import { createHmac } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Clock } from '@/lib/clock';
import { callbackFor, nextAttemptAt, type HotlineEventRow } from '@/lib/hotline/callback';
import { HOTLINE_SOURCE } from '@/lib/hotline/work-order';
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
  sqlite: Database.Database;
  clock: Clock;
  logger: Logger;
  /** HOTLINE_CALLBACK_URL; unset: changes are not reported (nothing is queued either). */
  url: string | undefined;
  /** HOTLINE_CALLBACK_SECRET, else HOTLINE_TOKEN. */
  secret: string;
  fetchImpl?: typeof fetch;
}

/**
 * State changes of 12345 incidents, reported back to the hotline platform. A transactional outbox: the
 * scan turns new incident_events rows of hotline incidents into `hotline_callbacks` rows and moves the
 * cursor in the same transaction, so whichever path changed the incident (console, department page,
 * worker) is reported, exactly once queued, and a restart loses nothing. Sending retries with exponential
 * backoff up to CALLBACK_MAX_ATTEMPTS, then parks the callback as a dead letter an admin can retry.
 */
export class HotlineOutbox {
  private readonly scanTx: Database.Transaction<() => number>;
  private timer: NodeJS.Timeout | null = null;
  private isSending = false;
  private lastPruneAt = -Infinity;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly o: HotlineOutboxOptions) {
    this.fetchImpl = o.fetchImpl ?? fetch;
    const { sqlite } = o;
    const cursorGet = sqlite.prepare<[string], string>('SELECT value FROM meta WHERE key = ?').pluck();
    const cursorSet = sqlite.prepare(
      `INSERT INTO meta (key, value, updated_at) VALUES (?, ?, ?)
       ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    );
    const newEvents = sqlite.prepare<[number, string, number], HotlineEventRow>(
      `SELECT e.id, e.incident_id AS incidentId, i.source_ref AS orderNo, e.at, e.type, e.from_state AS fromState,
         e.to_state AS toState, e.note, e.data, i.satisfaction, i.reply_text AS replyText, i.reply_at AS replyAt
       FROM incident_events e JOIN incidents i ON i.id = e.incident_id
       WHERE e.id > ? AND i.source = ? ORDER BY e.id LIMIT ?`,
    );
    const lastEventId = sqlite
      .prepare<[], number>('SELECT COALESCE(MAX(id), 0) FROM incident_events')
      .pluck();
    const insert = sqlite.prepare(
      `INSERT OR IGNORE INTO hotline_callbacks (event_id, incident_id, order_no, payload, state, attempts, next_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, ?)`,
    );
    const pendingCount = sqlite
      .prepare<[], number>(`SELECT COUNT(*) FROM hotline_callbacks WHERE state = 'pending'`)
      .pluck();
    const overflow = sqlite.prepare(
      `UPDATE hotline_callbacks SET state = 'dead', last_error = 'queue_full', updated_at = ?
       WHERE id IN (SELECT id FROM hotline_callbacks WHERE state = 'pending' ORDER BY id LIMIT ?)`,
    );
    const prune = sqlite.prepare(`DELETE FROM hotline_callbacks WHERE state = 'done' AND updated_at < ?`);
    this.scanTx = sqlite.transaction(() => {
      const raw = cursorGet.get(CURSOR_KEY);
      const now = o.clock.now();
      if (raw === undefined) {
        // First start: the platform already knows the history it pushed; report from here on.
        cursorSet.run(CURSOR_KEY, String(lastEventId.get() ?? 0), now);
        return 0;
      }
      const rows = newEvents.all(Number(raw), HOTLINE_SOURCE, SCAN_BATCH);
      let queued = 0;
      for (const r of rows) {
        const cb = callbackFor(r);
        if (!cb || r.orderNo === null) continue;
        queued += insert.run(r.id, r.incidentId, r.orderNo, JSON.stringify(cb), now, now, now).changes;
      }
      if (rows.length > 0) cursorSet.run(CURSOR_KEY, String(rows.at(-1)!.id), now);
      if (now - this.lastPruneAt >= PRUNE_EVERY_MS) {
        this.lastPruneAt = now;
        prune.run(now - DONE_KEPT_MS);
      }
      const excess = (pendingCount.get() ?? 0) - MAX_PENDING_CALLBACKS;
      if (excess > 0) {
        overflow.run(now, excess);
        o.logger.warn({ excess }, 'hotline callback queue full: oldest moved to the dead-letter list');
      }
      return queued;
    });
  }

  /** Turns new changes of hotline incidents into queued callbacks; returns how many were queued. */
  scan(): number {
    if (!this.o.url) return 0;
    return this.scanTx.immediate();
  }

  /** Sends the callbacks that are due (one pass); resolves with how many were delivered. */
  async deliver(): Promise<number> {
    if (!this.o.url || this.isSending) return 0;
    this.isSending = true;
    try {
      const due = this.o.sqlite
        .prepare<[number, number], { id: number; payload: string; attempts: number }>(
          `SELECT id, payload, attempts FROM hotline_callbacks WHERE state = 'pending' AND next_at <= ? ORDER BY next_at, id LIMIT ?`,
        )
        .all(this.o.clock.now(), SEND_BATCH);
      let delivered = 0;
      for (const c of due) if (await this.sendOne(c)) delivered++;
      return delivered;
    } finally {
      this.isSending = false;
    }
  }

  /** One scan and one delivery pass: what the timer does every TICK_MS (tests call it after moving the clock). */
  async tick(): Promise<number> {
    this.scan();
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

  deadLetters(limit = 200): DeadLetter[] {
    return this.o.sqlite
      .prepare<[number], Omit<DeadLetter, 'payload'> & { payload: string }>(
        `SELECT id, incident_id AS incidentId, order_no AS orderNo, attempts, last_error AS lastError, updated_at AS updatedAt, payload
         FROM hotline_callbacks WHERE state = 'dead' ORDER BY id DESC LIMIT ?`,
      )
      .all(limit)
      .map((r) => ({ ...r, payload: JSON.parse(r.payload) as unknown }));
  }

  deadCount(): number {
    return this.o.sqlite
      .prepare<[], number>(`SELECT COUNT(*) FROM hotline_callbacks WHERE state = 'dead'`)
      .pluck()
      .get()!;
  }

  /** Puts a dead letter back in the queue, due now, with a fresh set of attempts; false if it is not dead. */
  retry(id: number): boolean {
    const now = this.o.clock.now();
    return (
      this.o.sqlite
        .prepare(
          `UPDATE hotline_callbacks SET state = 'pending', attempts = 0, next_at = ?, updated_at = ? WHERE id = ? AND state = 'dead'`,
        )
        .run(now, now, id).changes === 1
    );
  }

  private async sendOne(c: { id: number; payload: string; attempts: number }): Promise<boolean> {
    // Claimed before sending: another server process sharing the database skips it while this one tries.
    const now0 = this.o.clock.now();
    const claimed = this.o.sqlite
      .prepare(`UPDATE hotline_callbacks SET next_at = ? WHERE id = ? AND state = 'pending' AND next_at <= ?`)
      .run(now0 + 2 * SEND_TIMEOUT_MS, c.id, now0).changes;
    if (claimed !== 1) return false;
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
    if (error === null) {
      this.o.sqlite
        .prepare(
          `UPDATE hotline_callbacks SET state = 'done', attempts = attempts + 1, last_error = NULL, updated_at = ? WHERE id = ?`,
        )
        .run(now, c.id);
      return true;
    }
    const attempts = c.attempts + 1;
    const next = nextAttemptAt(attempts, now);
    this.o.sqlite
      .prepare(
        `UPDATE hotline_callbacks SET state = ?, attempts = ?, next_at = ?, last_error = ?, updated_at = ? WHERE id = ?`,
      )
      .run(next === null ? 'dead' : 'pending', attempts, next ?? now, error.slice(0, ERROR_CHARS), now, c.id);
    this.o.logger.warn(
      { callbackId: c.id, attempts, isDead: next === null, error },
      'hotline callback failed',
    );
    return false;
  }
}
