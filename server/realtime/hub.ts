import type { Server, Socket } from 'socket.io';
import type { Clock } from '@/lib/clock';
import {
  PROTOCOL_VERSION,
  type ClientToServerEvents,
  type ServerToClientEvents,
  type WireBatch,
  type WorldInfo,
} from '@/lib/realtime/contract';
import { ENTITY_KINDS } from '@/lib/realtime/position-codec';
import type { LiveState } from '../live/live-state';
import type { Logger } from '../logger';
import { BatchEncoder } from './batch-builder';
import { WHOLE_TERRITORY, type Scope } from './scope';
import type { PositionOrigin } from '@/lib/realtime/position-codec';

/** A batch not acknowledged in this time is presumed lost: the client gets a snapshot next. */
export const ACK_TIMEOUT_MS = 10_000;
/**
 * A full snapshot at province scale (millions of entities) takes a wall seconds to receive and parse; without
 * this allowance a busy wall would time out, be sent another snapshot, and never catch up.
 */
export const FULL_ACK_EXTRA_MS_PER_100K_ENTITIES = 1_000;
/** An idle wall still hears from the server this often, so its link indicator stays honest. */
export const HEARTBEAT_MS = 1_000;

export type WallSocket = Socket<ClientToServerEvents, ServerToClientEvents>;
export type WallServer = Server<ClientToServerEvents, ServerToClientEvents>;

interface ClientSession {
  socket: WallSocket;
  seq: number;
  needsFull: boolean;
  isInFlight: boolean;
  syncedTick: number;
  incidentVersion: number;
  scope: Scope;
  lastSentAt: number;
  statsSent: unknown;
}

export interface HubOptions {
  io: WallServer;
  live: LiveState;
  logger: Logger;
  clock: Clock;
  origin: PositionOrigin;
  worldName: () => string;
  /** Resolves a region code to a scope; null when the region is unknown. */
  resolveScope: (regionCode: string) => Scope | null;
  /** Panel statistics for a scope, or undefined; compared by reference to decide whether to resend. */
  statsFor?: (scope: Scope) => WireBatch['stats'];
}

export interface HubMetrics {
  batchesSent: number;
  bytesSent: number;
  fullSent: number;
}

/**
 * Fans live state out to walls. Per client: at most one batch in flight; each batch carries the latest
 * state of everything changed since the client's last acknowledged batch, so a slow wall skips
 * intermediate positions instead of building a backlog.
 */
export class RealtimeHub {
  private readonly clients = new Set<ClientSession>();
  private readonly encoder: BatchEncoder;
  readonly metrics: HubMetrics = { batchesSent: 0, bytesSent: 0, fullSent: 0 };

  constructor(private readonly opts: HubOptions) {
    this.encoder = new BatchEncoder(opts.live, opts.origin);
    opts.io.on('connection', (socket) => this.onConnection(socket));
  }

  get clientCount(): number {
    return this.clients.size;
  }

  private onConnection(socket: WallSocket): void {
    const auth = (socket.handshake.auth ?? {}) as { regionCode?: unknown };
    const requested = typeof auth.regionCode === 'string' ? auth.regionCode : null;
    const c: ClientSession = {
      socket,
      seq: 0,
      needsFull: true,
      isInFlight: false,
      syncedTick: 0,
      incidentVersion: 0,
      scope: (requested && this.opts.resolveScope(requested)) || WHOLE_TERRITORY,
      lastSentAt: 0,
      statsSent: undefined,
    };
    this.clients.add(c);
    socket.on('wall:subscribe', (req, ack) => {
      const reply = typeof ack === 'function' ? ack : () => {};
      if (!req || typeof req !== 'object' || req.protocol !== PROTOCOL_VERSION) {
        reply({ ok: false, error: `protocol ${PROTOCOL_VERSION} required` });
        return;
      }
      const code = req.regionCode;
      const scope =
        code === null ? WHOLE_TERRITORY : typeof code === 'string' ? this.opts.resolveScope(code) : null;
      if (!scope) {
        reply({ ok: false, error: 'unknown region' });
        return;
      }
      c.scope = scope;
      c.needsFull = true;
      reply({ ok: true, data: { regionCode: scope.regionCode } });
    });
    socket.on('wall:resync', (ack) => {
      c.needsFull = true;
      if (typeof ack === 'function') ack({ ok: true, data: undefined });
    });
    socket.on('disconnect', () => this.clients.delete(c));
    // The first snapshot goes out at once rather than waiting for the next tick.
    this.sendTo(c, this.opts.live.sealedTick);
  }

  /** Called after the live state sealed a tick. */
  flush(): void {
    const sealed = this.opts.live.sealedTick;
    for (const c of this.clients) if (!c.isInFlight) this.sendTo(c, sealed);
  }

  private sendTo(c: ClientSession, sealed: number): void {
    const built = c.needsFull ? this.buildFull(c, sealed) : (this.buildDelta(c, sealed) ?? undefined);
    if (built === undefined) return;
    const { batch, commit } = built;
    const lag = Math.round(this.opts.live.ingestLagMs);
    if (lag > 0) batch.lagMs = lag;
    c.seq = batch.seq;
    c.isInFlight = true;
    c.lastSentAt = this.opts.clock.now();
    const seq = batch.seq;
    this.metrics.batchesSent++;
    if (batch.isFull) this.metrics.fullSent++;
    for (const k of ENTITY_KINDS)
      this.metrics.bytesSent += (batch[k] as Uint8Array | undefined)?.byteLength ?? 0;
    const timeoutMs = batch.isFull ? ACK_TIMEOUT_MS + this.fullAckAllowanceMs() : ACK_TIMEOUT_MS;
    c.socket.timeout(timeoutMs).emit('wall:batch', batch, (err: Error | null, res?: { ok: boolean }) => {
      if (seq !== c.seq) return; // an answer to a batch we already gave up on
      c.isInFlight = false;
      if (err || !res || res.ok !== true) {
        c.needsFull = true;
        return;
      }
      commit();
      // A tick sealed while this batch was out: send it now rather than at the next tick, or a wall
      // under load would wait up to a whole tick more than the ones in step.
      const latest = this.opts.live.sealedTick;
      if (latest > c.syncedTick && this.clients.has(c)) this.sendTo(c, latest);
    });
  }

  private fullAckAllowanceMs(): number {
    const live = this.opts.live;
    const entities = live.vehicle.count + live.worker.count + live.camera.count;
    return Math.ceil(entities / 100_000) * FULL_ACK_EXTRA_MS_PER_100K_ENTITIES;
  }

  private world(c: ClientSession): WorldInfo {
    return {
      name: this.opts.worldName(),
      epoch: this.opts.live.epoch,
      regionCode: c.scope.regionCode,
      bbox: c.scope.bbox,
    };
  }

  private buildFull(c: ClientSession, sealed: number): { batch: WireBatch; commit: () => void } {
    const live = this.opts.live;
    const batch: WireBatch = {
      v: PROTOCOL_VERSION,
      seq: c.seq + 1,
      isFull: true,
      serverTs: this.opts.clock.now(),
      world: this.world(c),
      incidents: live.incidents.snapshot(c.scope.containsIncident),
    };
    for (const kind of ENTITY_KINDS) batch[kind] = this.encoder.full(kind, sealed, c.scope);
    this.attachStats(c, batch, true);
    const version = live.incidents.version;
    c.needsFull = false;
    return {
      batch,
      commit: () => {
        c.syncedTick = sealed;
        c.incidentVersion = version;
      },
    };
  }

  private buildDelta(c: ClientSession, sealed: number): { batch: WireBatch; commit: () => void } | null {
    const live = this.opts.live;
    const batch: WireBatch = {
      v: PROTOCOL_VERSION,
      seq: c.seq + 1,
      isFull: false,
      serverTs: this.opts.clock.now(),
    };
    let hasContent = false;
    for (const kind of ENTITY_KINDS) {
      const d = this.encoder.delta(kind, c.syncedTick, sealed, c.scope);
      if (d === null) return this.buildFull(c, sealed);
      if (d !== 'empty') {
        batch[kind] = d;
        hasContent = true;
      }
    }
    const version = live.incidents.version;
    const inc = live.incidents.changesSince(c.incidentVersion, c.scope.containsIncident);
    if (inc === null) return this.buildFull(c, sealed);
    if (inc.upserts.length > 0) batch.incidents = inc.upserts;
    if (inc.removed.length > 0) batch.incidentsRemoved = inc.removed;
    hasContent ||= inc.upserts.length > 0 || inc.removed.length > 0;
    hasContent = this.attachStats(c, batch, false) || hasContent;
    if (!hasContent && this.opts.clock.now() - c.lastSentAt < HEARTBEAT_MS) return null;
    return {
      batch,
      commit: () => {
        c.syncedTick = sealed;
        c.incidentVersion = version;
      },
    };
  }

  /** Adds the scope's panel statistics when they changed since this client last got them. */
  private attachStats(c: ClientSession, batch: WireBatch, isFull: boolean): boolean {
    const stats = this.opts.statsFor?.(c.scope);
    if (stats === undefined || (!isFull && stats === c.statsSent)) return false;
    batch.stats = stats;
    c.statsSent = stats;
    return true;
  }

  /** Tells every client to resync (after a restore, or when the world was re-seeded). */
  resyncAll(): void {
    for (const c of this.clients) c.needsFull = true;
  }

  scopesInUse(): Scope[] {
    const m = new Map<string, Scope>();
    for (const c of this.clients) m.set(c.scope.key, c.scope);
    return [...m.values()];
  }
}
