import os from 'node:os';
import { createClient, type RedisClientType } from 'redis';
import { REDIS_KEYS, type TelemetryKind } from '@/lib/realtime/contract';
import type { Logger } from '../logger';
import { createThrottledLog } from '../logger';
import type { Bus, BusState, IncidentBatchHandler, IncidentEntry, TelemetryHandler } from './bus';
import { ASSUMED_REPORT_BYTES, logPubSubCapacity, parsePubSubLimit, pubSubCapacity } from './pubsub-capacity';
import { TelemetryStreams } from './telemetry-stream';

/** Entries read per XREADGROUP. */
const INCIDENT_READ_COUNT = 256;
/** How long one XREADGROUP blocks: bounds how late a shutdown or reconnect is noticed. */
const INCIDENT_BLOCK_MS = 1_000;
/** A pending entry idle this long belonged to a consumer that died: claim it (scale-out, renamed hosts). */
const CLAIM_IDLE_MS = 30_000;
const CLAIM_EVERY_MS = 15_000;
/** Our own XADDs keep the stream near this length (≈100 days at 1,000 incidents a day). */
export const INCIDENT_STREAM_MAXLEN = 100_000;
/** Reconnect backoff cap: positions must resume ≤ 2 s after Redis returns. */
const RECONNECT_MAX_DELAY_MS = 500;

export interface RedisBusOptions {
  url: string;
  logger: Logger;
  /** Stable across restarts so that a restarted server re-reads its own pending entries. */
  consumerName?: string;
  /** Peak position reports a second the deployment expects (TELEMETRY_PEAK_RATE): the buffer check's scale. */
  peakReportRate?: number;
  /** TELEMETRY_TRANSPORT: pub/sub channels (default) or sharded streams (server/bus/telemetry-stream.ts). */
  transport?: 'pubsub' | 'stream';
  streamShards?: number;
  streamMaxLen?: number;
}

/** Defaults of TELEMETRY_STREAM_SHARDS and TELEMETRY_STREAM_MAXLEN. */
export const TELEMETRY_STREAM_DEFAULTS = { shards: 4, maxLen: 10_000 } as const;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Redis transport. Three connections: commands, pub/sub (a subscribed connection can do nothing else) and the
 * blocking stream reader. The offline queue is off, so while Redis is away commands fail at once instead of
 * piling up in memory; node-redis reconnects and re-subscribes by itself.
 */
export class RedisBus implements Bus {
  private readonly cmd: RedisClientType;
  private readonly sub: RedisClientType;
  private readonly reader: RedisClientType;
  private readonly consumer: string;
  private readonly log: Logger;
  private readonly warn: ReturnType<typeof createThrottledLog>;
  private isClosed = false;
  private reconnectCount = 0;
  private consumerLoop: Promise<void> | null = null;
  private readonly gapListeners: (() => void)[] = [];
  /** The subscription is up and nothing was lost since: a drop is a gap to report (once per drop). */
  private isSubscriptionWhole = false;
  private readonly peakReportRate: number | null;
  private readonly streams: TelemetryStreams | null = null;
  private readonly telemetryReader: RedisClientType | null = null;

  constructor(opts: RedisBusOptions) {
    this.log = opts.logger;
    this.peakReportRate = opts.peakReportRate ?? null;
    this.warn = createThrottledLog(opts.logger);
    this.consumer = opts.consumerName ?? `${os.hostname()}-${process.env.PORT ?? 'server'}`;
    const make = (name: string) => {
      const c = createClient({
        url: opts.url,
        disableOfflineQueue: true,
        socket: {
          reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, RECONNECT_MAX_DELAY_MS),
          connectTimeout: 2_000,
        },
      }) as RedisClientType;
      c.on('error', (err: Error) => this.warn(`redis-${name}`, { err: err.message }, `redis ${name} error`));
      if (name === 'sub') {
        // The socket is gone: whatever Redis still held for us (or publishes until we resubscribe) is lost.
        c.on('reconnecting', () => this.subscriptionLost());
        c.on('end', () => this.subscriptionLost());
      }
      let wasReady = false;
      c.on('ready', () => {
        if (name === 'sub') {
          // A ready without a 'reconnecting' first would still be a new socket: report it then.
          if (wasReady) this.subscriptionLost();
          this.isSubscriptionWhole = true;
        }
        if (!wasReady) {
          wasReady = true;
          this.log.info({ conn: name }, 'redis ready');
          return;
        }
        this.reconnectCount++;
        // Pub/sub keeps nothing for a subscriber that is away: what was published meanwhile never arrives.
        // Besides outages, Redis drops a subscriber whose unread backlog passes its pub/sub output buffer
        // limit (32 MB by default, ~0.3 s of a million reports a second).
        this.warn(
          `redis-${name}-back`,
          { conn: name, reconnects: this.reconnectCount },
          name === 'sub'
            ? 'redis subscription back: telemetry published while it was down was not received'
            : 'redis connection back',
        );
      });
      return c;
    };
    this.cmd = make('cmd');
    this.sub = make('sub');
    this.reader = make('reader');
    if (opts.transport === 'stream') {
      this.telemetryReader = make('telemetry');
      this.streams = new TelemetryStreams({
        cmd: this.cmd,
        reader: this.telemetryReader,
        shards: opts.streamShards ?? TELEMETRY_STREAM_DEFAULTS.shards,
        maxLen: opts.streamMaxLen ?? TELEMETRY_STREAM_DEFAULTS.maxLen,
        logger: this.log,
        isClosed: () => this.isClosed,
        whenReady: (c) => this.whenReady(c),
        onGap: () => {
          this.isSubscriptionWhole = true;
          this.subscriptionLost();
        },
      });
    }
    // Connect in the background: a server started while Redis is down must still come up and report it.
    for (const c of this.clients()) {
      c.connect().catch((err: Error) =>
        this.warn('redis-connect', { err: err.message }, 'redis connect failed'),
      );
    }
  }

  private clients(): RedisClientType[] {
    return [this.cmd, this.sub, this.reader, ...(this.telemetryReader ? [this.telemetryReader] : [])];
  }

  private subscriptionLost(): void {
    if (!this.isSubscriptionWhole || this.isClosed) return;
    this.isSubscriptionWhole = false;
    for (const l of this.gapListeners) {
      try {
        l();
      } catch (err) {
        this.log.error({ err: (err as Error).message }, 'telemetry gap listener failed');
      }
    }
  }

  onTelemetryGap(listener: () => void): void {
    this.gapListeners.push(listener);
  }

  /**
   * Reads the pub/sub output buffer limit and logs what it absorbs. Managed Redis often disables CONFIG
   * (renamed, or no permission): that is logged and tolerated, never fatal.
   */
  async checkPubSubCapacity(): Promise<void> {
    let value: string | undefined;
    try {
      const reply = (await this.cmd.configGet('client-output-buffer-limit')) as Record<string, string>;
      value = reply['client-output-buffer-limit'];
    } catch (err) {
      this.log.info(
        { err: (err as Error).message },
        'redis CONFIG GET refused (managed Redis?): pub/sub buffer capacity unknown',
      );
      return;
    }
    const limit = value ? parsePubSubLimit(value) : null;
    if (!limit) {
      this.log.info({ value }, 'redis pub/sub buffer limit unreadable: capacity unknown');
      return;
    }
    logPubSubCapacity(this.log, pubSubCapacity(limit, ASSUMED_REPORT_BYTES, this.peakReportRate));
  }

  async publishTelemetry(kind: TelemetryKind, json: string): Promise<void> {
    if (this.streams) return this.streams.publish(kind, json);
    await this.cmd.publish(REDIS_KEYS.channel[kind], json);
  }

  async addIncident(json: string): Promise<string> {
    return this.cmd.xAdd(
      REDIS_KEYS.incidentStream,
      '*',
      { [REDIS_KEYS.incidentField]: json },
      { TRIM: { strategy: 'MAXLEN', strategyModifier: '~', threshold: INCIDENT_STREAM_MAXLEN } },
    );
  }

  async onTelemetry(handler: TelemetryHandler): Promise<void> {
    if (this.streams) return await this.streams.start(handler);
    // In the background: a Redis that is down (or slow) must not hold up the start.
    void this.whenReady(this.cmd).then(() => (this.isClosed ? undefined : this.checkPubSubCapacity()));
    const kinds = Object.keys(REDIS_KEYS.channel) as TelemetryKind[];
    for (const kind of kinds) {
      // Subscriptions survive reconnects: node-redis replays them on the new socket. Buffer mode: position
      // reports are read from their bytes (server/ingest/report-scanner.ts).
      await this.whenReady(this.sub);
      await this.sub.subscribe(REDIS_KEYS.channel[kind], (message: Buffer) => handler(kind, message), true);
    }
  }

  async consumeIncidents(handler: IncidentBatchHandler): Promise<void> {
    this.consumerLoop = this.runConsumer(handler);
  }

  private async whenReady(c: RedisClientType): Promise<void> {
    while (!c.isReady && !this.isClosed) await sleep(100);
  }

  private async ensureGroup(): Promise<void> {
    try {
      // From 0, not $: entries added before the group existed (producer started first) are incidents too.
      await this.cmd.xGroupCreate(REDIS_KEYS.incidentStream, REDIS_KEYS.incidentGroup, '0', {
        MKSTREAM: true,
      });
    } catch (err) {
      if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
    }
  }

  private async runConsumer(handler: IncidentBatchHandler): Promise<void> {
    let isGroupReady = false;
    let isReadingOwnPending = true;
    let lastClaimAt = 0;
    let failures = 0;
    while (!this.isClosed) {
      try {
        await this.whenReady(this.reader);
        await this.whenReady(this.cmd);
        if (this.isClosed) break;
        if (!isGroupReady) {
          await this.ensureGroup();
          isGroupReady = true;
        }
        let entries: IncidentEntry[] = [];
        if (Date.now() - lastClaimAt > CLAIM_EVERY_MS) {
          lastClaimAt = Date.now();
          const claimed = await this.cmd.xAutoClaim(
            REDIS_KEYS.incidentStream,
            REDIS_KEYS.incidentGroup,
            this.consumer,
            CLAIM_IDLE_MS,
            '0-0',
            { COUNT: INCIDENT_READ_COUNT },
          );
          entries = claimed.messages.flatMap((m) => (m ? [toEntry(m)] : []));
        }
        if (entries.length === 0) {
          const reply = await this.reader.xReadGroup(
            REDIS_KEYS.incidentGroup,
            this.consumer,
            { key: REDIS_KEYS.incidentStream, id: isReadingOwnPending ? '0' : '>' },
            isReadingOwnPending
              ? { COUNT: INCIDENT_READ_COUNT }
              : { COUNT: INCIDENT_READ_COUNT, BLOCK: INCIDENT_BLOCK_MS },
          );
          const messages = reply && Array.isArray(reply) ? (reply[0]?.messages ?? []) : [];
          entries = messages.map(toEntry);
          if (isReadingOwnPending && entries.length === 0) isReadingOwnPending = false;
        }
        if (entries.length === 0) continue;
        await handler(entries);
        await this.cmd.xAck(
          REDIS_KEYS.incidentStream,
          REDIS_KEYS.incidentGroup,
          entries.map((e) => e.entryId),
        );
        failures = 0;
      } catch (err) {
        if (this.isClosed) break;
        const msg = String((err as Error).message);
        // After an outage, or on a Redis that lost its data, re-create the group and re-read what is pending.
        if (msg.includes('NOGROUP')) isGroupReady = false;
        isReadingOwnPending = true;
        failures++;
        this.warn('incident-consumer', { err: msg }, 'incident consumer retrying');
        await sleep(Math.min(100 * failures, 1_000));
      }
    }
  }

  reconnects(): number {
    return this.reconnectCount;
  }

  state(): BusState {
    return this.clients().every((c) => c.isReady) ? 'up' : 'down';
  }

  async close(): Promise<void> {
    this.isClosed = true;
    await Promise.allSettled([this.consumerLoop, this.streams?.stopped()]);
    for (const c of this.clients().reverse()) {
      try {
        if (c.isOpen) await c.close();
      } catch {
        c.destroy();
      }
    }
  }
}

function toEntry(m: { id: string; message: Record<string, string> }): IncidentEntry {
  return { entryId: m.id, raw: m.message[REDIS_KEYS.incidentField] };
}
