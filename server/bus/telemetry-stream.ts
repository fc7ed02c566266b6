import type { RedisClientType } from 'redis';
import { REDIS_KEYS, telemetryStreamKey, type TelemetryKind } from '@/lib/realtime/contract';
import type { Logger } from '../logger';
import type { TelemetryHandler } from './bus';

/**
 * TELEMETRY_TRANSPORT=stream: telemetry on sharded Redis streams instead of pub/sub, for deployments that
 * cannot raise `client-output-buffer-limit`. Redis keeps each shard near `maxLen` entries (XADD MAXLEN ~),
 * and the server reads at its own pace (XREAD COUNT, one cursor per shard, no consumer group: every process
 * reads every shard, and the ingest keeps the newest report per unit whatever the order). A burst waits in
 * the stream instead of overflowing a socket; it is lost only if the server falls a whole stream behind.
 */

/** Entries read per shard per XREAD: bounds one read's memory (entries × the producer's batch size). */
export const STREAM_READ_COUNT = 16;
/** How long one XREAD blocks: bounds how late a shutdown is noticed. */
const STREAM_BLOCK_MS = 1_000;
/**
 * A read that took this much longer than its block means this process stalled (GC, a long task) while
 * entries arrived: every shard is then checked for trimming before it is read again.
 */
const STALL_SLACK_MS = 250;

const KINDS = Object.keys(REDIS_KEYS.channel) as TelemetryKind[];
/**
 * Per stream key: its kind, the id of the last entry read, and how many of the stream's entries ever added
 * are accounted for (there before the start, or read since); null where Redis does not count (before 7.0).
 */
type Cursors = Map<string, { kind: TelemetryKind; id: string; accounted: number | null }>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface TelemetryStreamOptions {
  cmd: RedisClientType;
  /** Its own connection: XREAD BLOCK holds it. */
  reader: RedisClientType;
  shards: number;
  maxLen: number;
  logger: Logger;
  isClosed: () => boolean;
  whenReady: (c: RedisClientType) => Promise<void>;
  /** Entries were trimmed before this server read them: units' latest reports may be among them. */
  onGap: () => void;
}

export class TelemetryStreams {
  private next = 0;
  private loop: Promise<void> | null = null;

  constructor(private readonly o: TelemetryStreamOptions) {}

  /** Round-robin over the shards: any shard is right, the reader reads them all. */
  async publish(kind: TelemetryKind, json: string): Promise<void> {
    const shard = this.next++ % this.o.shards;
    await this.o.cmd.xAdd(
      telemetryStreamKey(kind, shard),
      '*',
      { [REDIS_KEYS.telemetryField]: json },
      { TRIM: { strategy: 'MAXLEN', strategyModifier: '~', threshold: this.o.maxLen } },
    );
  }

  /**
   * Resolves once each shard's cursor is set (like a pub/sub subscription being in place): a report added
   * after that is read.
   */
  async start(handler: TelemetryHandler): Promise<void> {
    let cursors: Cursors | null = null;
    while (!cursors && !this.o.isClosed()) {
      try {
        await this.o.whenReady(this.o.cmd);
        cursors = await this.tails();
      } catch (err) {
        this.o.logger.warn({ err: (err as Error).message }, 'telemetry stream cursors: retrying');
        await sleep(200);
      }
    }
    if (cursors) this.loop = this.run(handler, cursors);
  }

  async stopped(): Promise<void> {
    await this.loop;
  }

  /** XINFO STREAM fields, from a flat [name, value, …] array (RESP2) or a map; null when there is no stream. */
  private async info(key: string): Promise<Record<string, unknown> | null> {
    let raw: unknown;
    try {
      raw = await this.o.cmd.sendCommand(['XINFO', 'STREAM', key]);
    } catch (err) {
      if (/no such key/i.test((err as Error).message)) return null;
      throw err;
    }
    if (Array.isArray(raw)) {
      const out: Record<string, unknown> = {};
      for (let k = 0; k + 1 < raw.length; k += 2) out[String(raw[k])] = raw[k + 1];
      return out;
    }
    return raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : null;
  }

  /** Where each shard ends now: the server starts there (positions older than its start are not news). */
  private async tails(): Promise<Cursors> {
    const cursors: Cursors = new Map();
    for (const kind of KINDS)
      for (let s = 0; s < this.o.shards; s++) {
        const key = telemetryStreamKey(kind, s);
        const info = await this.info(key);
        const added = info?.['entries-added'];
        cursors.set(key, {
          kind,
          id: info ? String(info['last-generated-id'] ?? '0-0') : '0-0',
          accounted: info === null ? 0 : added === undefined ? null : Number(added),
        });
      }
    return cursors;
  }

  /** Whether Redis trimmed entries this server never read (more were trimmed than it accounts for). */
  private async wasTrimmedUnread(key: string, c: { accounted: number | null }): Promise<boolean> {
    if (c.accounted === null) return false;
    const info = await this.info(key);
    if (!info || info['entries-added'] === undefined) return false;
    const trimmed = Number(info['entries-added']) - Number(info.length);
    if (trimmed <= c.accounted) return false;
    c.accounted = trimmed; // reported once
    return true;
  }

  private async run(handler: TelemetryHandler, cursors: Cursors): Promise<void> {
    const behind = new Set<string>();
    let failures = 0;
    while (!this.o.isClosed()) {
      try {
        await this.o.whenReady(this.o.reader);
        await this.o.whenReady(this.o.cmd);
        if (this.o.isClosed()) break;
        // A shard that filled the last read is behind: check that trimming has not overtaken its cursor.
        const toCheck = [...behind];
        behind.clear();
        for (const key of toCheck) {
          // Best effort: a failed check must not stop the reading.
          const isTrimmed = await this.wasTrimmedUnread(key, cursors.get(key)!).catch((err: Error) => {
            this.o.logger.debug({ err: err.message }, 'telemetry stream: trim check failed');
            return false;
          });
          if (isTrimmed) {
            this.o.logger.warn({ stream: key }, 'telemetry stream trimmed past this server’s cursor');
            this.o.onGap();
          }
        }
        const readStartedAt = Date.now();
        const reply = await this.o.reader.xRead(
          [...cursors].map(([key, c]) => ({ key, id: c.id })),
          { COUNT: STREAM_READ_COUNT, BLOCK: STREAM_BLOCK_MS },
        );
        failures = 0;
        if (Date.now() - readStartedAt > STREAM_BLOCK_MS + STALL_SLACK_MS)
          for (const key of cursors.keys()) behind.add(key);
        if (!reply || !Array.isArray(reply)) continue;
        for (const stream of reply as {
          name: string;
          messages: { id: string; message: Record<string, string> }[];
        }[]) {
          const c = cursors.get(stream.name);
          if (!c) continue;
          for (const m of stream.messages) {
            c.id = m.id;
            if (c.accounted !== null) c.accounted++;
            const raw = m.message[REDIS_KEYS.telemetryField];
            if (raw !== undefined) handler(c.kind, raw);
          }
          if (stream.messages.length >= STREAM_READ_COUNT) behind.add(stream.name);
        }
      } catch (err) {
        if (this.o.isClosed()) break;
        failures++;
        this.o.logger.warn({ err: (err as Error).message }, 'telemetry stream reader retrying');
        await sleep(Math.min(100 * failures, 1_000));
      }
    }
  }
}
