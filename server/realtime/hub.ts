import type { Server, Socket } from 'socket.io';
import type { Clock } from '@/lib/clock';
import {
  PROTOCOL_VERSION,
  type ClientToServerEvents,
  type ServerToClientEvents,
  type WallHandshakeAuth,
  type WireBatch,
  type WorldInfo,
} from '@/lib/realtime/contract';
import { ENTITY_KINDS, type EntityKind } from '@/lib/realtime/position-codec';
import type { WallStats } from '@/lib/wall/stats';
import { maskWallStats } from '../auth/personal-data';
import type { LiveState } from '../live/live-state';
import type { Logger } from '../logger';
import { BatchEncoder } from './batch-builder';
import { clampRegion, clientAddressOf, OPEN_ACCESS, scopeFor, type ClientAccess } from './client-access';
import type { Scope } from './scope';
import type { SocketRefusal } from './socket-quota';
import type { PositionOrigin } from '@/lib/realtime/position-codec';

/**
 * A batch not acknowledged in this time on a connected socket marks the wall slow (logged, counted). It is not
 * presumed lost: Socket.IO delivers in order on one connection, so the wall is busy (a long frame, a GC, a
 * background tab), and a full snapshot then (1 MB at 100 k units, 30 MB for a province) would only add to
 * what it is behind on. It keeps its one batch in flight and gets the latest state when it answers.
 */
export const ACK_TIMEOUT_MS = 10_000;
/**
 * A connected wall that has not acknowledged for this long is disconnected: it reconnects (its client does
 * on its own) and starts over from a snapshot, rather than hold a session that may never answer.
 */
export const ACK_GIVE_UP_MS = 60_000;
/**
 * A full snapshot at province scale (millions of entities) takes a wall seconds to receive and parse; without
 * this allowance a busy wall would time out, be sent another snapshot, and never catch up.
 */
export const FULL_ACK_EXTRA_MS_PER_100K_ENTITIES = 1_000;
/**
 * How long past Socket.IO's 25 s ping interval either end waits for the other before calling the link dead
 * (Socket.IO's own is 20 s). A province wall on software GL, its main thread saturated, read the server's
 * pings over 45 s late 2–3 times in ~130 s and dropped its link ('ping timeout'): each return cost it a
 * 55 MB snapshot and made it later still (issue 20; once in ~130 s at 60 s). A wall that stops answering
 * at all is still dropped by ACK_GIVE_UP_MS, and its lamp turns stale from missing batches, not pings.
 */
export const PING_TIMEOUT_MS = 60_000;
/** An idle wall still hears from the server this often, so its link indicator stays honest. */
export const HEARTBEAT_MS = 1_000;
/**
 * The shortest time between two full snapshots to one client. A province snapshot is ~30 MB (B4: ≤ 40 MB)
 * and takes a wall up to 2.5 s to draw (B4), so a wall cannot use a second one sooner than this; a client
 * asking more often (wall:resync, refused batches, re-subscribing) gets its requests merged into one full
 * snapshot sent when the interval has passed, never dropped. That bounds one socket to ~10 MB/s of snapshots
 * and MAX_SOCKETS_PER_PRINCIPAL of them. It stays under LINK_STALE_AFTER_MS (5 s), so a wall waiting out the
 * interval is not shown stale for it.
 */
export const FULL_SNAPSHOT_MIN_INTERVAL_MS = 3_000;
/**
 * `wall:subscribe` requests one client may make per FULL_SNAPSHOT_MIN_INTERVAL_MS. A scope only changes what
 * the next full snapshot holds, so more are of no use to a wall (a drill-down is one per click); each unknown
 * region costs a walk over every grid (120 k at province scale) to find its extent.
 */
export const SUBSCRIBES_PER_INTERVAL_MAX = 10;
/** Region scopes remembered (a reconnect storm of one region's walls resolves it once); cleared on import. */
export const SCOPE_CACHE_MAX = 4_096;
/** Refusals logged per socket; past it they are only counted, so a flood of them cannot flood the log. */
const REFUSALS_LOGGED_PER_SOCKET = 5;
/**
 * Telemetry losses remembered for walls that have not caught up with them; a wall further behind than the
 * oldest is sent a full snapshot instead. Each is a dropped subscription: a handful an hour at worst.
 */
export const LOST_REPORTS_KEPT = 16;

export type WallSocket = Socket<ClientToServerEvents, ServerToClientEvents>;
export type WallServer = Server<ClientToServerEvents, ServerToClientEvents>;

interface ClientSession {
  socket: WallSocket;
  seq: number;
  needsFull: boolean;
  isInFlight: boolean;
  syncedTick: number;
  incidentVersion: number;
  /** Telemetry losses (Hub.reportsLost, numbered from 1) this wall's state already reflects. */
  lostSeen: number;
  scope: Scope;
  access: ClientAccess;
  lastSentAt: number;
  /** When the last full snapshot went out (clock ms); null before the first. */
  lastFullAt: number | null;
  /** Subscribes since `subscribeWindowAt` (clock ms), for SUBSCRIBES_PER_INTERVAL_MAX. */
  subscribeCount: number;
  subscribeWindowAt: number;
  refusalsLogged: number;
  statsSent: unknown;
  /** The timer watching the batch in flight (slow, then give up); cleared on its answer or a disconnect. */
  ackTimer: NodeJS.Timeout | null;
  /** The entity kinds this socket is fed: all for a wall, none for an `incidents` feed (WallFeed). */
  kinds: readonly EntityKind[];
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
  /** What a socket's principal may receive; absent: everything (no auth configured). */
  accessOf?: (socket: WallSocket) => ClientAccess;
  /** Counts a refusal (the caller's metrics); the hub logs it. */
  onRefusal?: (reason: SocketRefusal) => void;
  /** ACK_TIMEOUT_MS and ACK_GIVE_UP_MS unless given (tests shorten them). */
  ackTiming?: { slowMs: number; giveUpMs: number };
}

export interface HubMetrics {
  batchesSent: number;
  bytesSent: number;
  fullSent: number;
  /** Full snapshots asked for (resync, refused batch, subscribe) within FULL_SNAPSHOT_MIN_INTERVAL_MS: merged. */
  fullDeferred: number;
  /** Batches a connected wall took longer than ACK_TIMEOUT_MS to acknowledge. */
  slowAcks: number;
  /** Walls disconnected for not acknowledging within ACK_GIVE_UP_MS. */
  ackGiveUps: number;
  /** Sockets connected since start: each begins with a full snapshot (a wall that keeps reconnecting shows here). */
  connects: number;
  /** Batches a client answered as not applied (a gap, a decode error): each costs it a full snapshot. */
  refusedBatches: number;
}

/**
 * Fans live state out to walls. Per client: at most one batch in flight; each batch carries the latest
 * state of everything changed since the client's last acknowledged batch, so a slow wall skips
 * intermediate positions instead of building a backlog. At most one full snapshot per
 * FULL_SNAPSHOT_MIN_INTERVAL_MS: a client waiting for one gets nothing else meanwhile (its state is about to
 * be replaced). What a client gets never exceeds its principal's access: its region, masked incidents.
 */
export class RealtimeHub {
  private readonly clients = new Set<ClientSession>();
  private readonly encoder: BatchEncoder;
  /** Weak: a stats object the provider replaced is dropped with its masked copy. */
  private readonly maskedStatsCache = new WeakMap<WallStats, WallStats>();
  private readonly scopeCache = new Map<string, Scope | null>();
  /** Server times of the last LOST_REPORTS_KEPT telemetry losses; `lostCount` numbers every one ever. */
  private readonly lostAt: number[] = [];
  private lostCount = 0;
  private readonly resolveScope = (code: string): Scope | null => {
    if (this.scopeCache.has(code)) return this.scopeCache.get(code)!;
    const scope = this.opts.resolveScope(code);
    if (this.scopeCache.size >= SCOPE_CACHE_MAX) this.scopeCache.delete(this.scopeCache.keys().next().value!);
    this.scopeCache.set(code, scope);
    return scope;
  };
  readonly metrics: HubMetrics = {
    batchesSent: 0,
    bytesSent: 0,
    fullSent: 0,
    fullDeferred: 0,
    slowAcks: 0,
    ackGiveUps: 0,
    connects: 0,
    refusedBatches: 0,
  };

  constructor(private readonly opts: HubOptions) {
    this.encoder = new BatchEncoder(opts.live, opts.origin);
    opts.io.on('connection', (socket) => this.onConnection(socket));
  }

  get clientCount(): number {
    return this.clients.size;
  }

  private onConnection(socket: WallSocket): void {
    const access = this.opts.accessOf?.(socket) ?? OPEN_ACCESS;
    const auth = (socket.handshake.auth ?? {}) as { [K in keyof WallHandshakeAuth]?: unknown };
    const requested = typeof auth.regionCode === 'string' ? auth.regionCode : null;
    // A handshake asking beyond the principal's region is not refused (the page would only retry): it is
    // given the principal's own region, and the attempt is counted.
    const clamped = clampRegion(access.regionCode, requested);
    const c: ClientSession = {
      socket,
      seq: 0,
      needsFull: true,
      isInFlight: false,
      syncedTick: 0,
      incidentVersion: 0,
      lostSeen: 0,
      scope: scopeFor(access, clamped.ok ? clamped.regionCode : access.regionCode, this.resolveScope, true)!,
      access,
      lastSentAt: 0,
      lastFullAt: null,
      subscribeCount: 0,
      subscribeWindowAt: this.opts.clock.now(),
      refusalsLogged: 0,
      statsSent: undefined,
      ackTimer: null,
      kinds: auth.feed === 'incidents' ? [] : ENTITY_KINDS,
    };
    if (!clamped.ok) this.refuse(c, 'region_not_allowed', { requested });
    this.clients.add(c);
    this.metrics.connects++;
    socket.on('wall:subscribe', (req, ack) => {
      const reply = typeof ack === 'function' ? ack : () => {};
      if (!req || typeof req !== 'object' || req.protocol !== PROTOCOL_VERSION) {
        reply({ ok: false, error: `protocol ${PROTOCOL_VERSION} required` });
        return;
      }
      if (!this.takeSubscribe(c)) {
        this.refuse(c, 'too_many_requests', { event: 'wall:subscribe' });
        reply({ ok: false, error: 'too many requests' });
        return;
      }
      const code = req.regionCode;
      if (code !== null && typeof code !== 'string') {
        reply({ ok: false, error: 'unknown region' });
        return;
      }
      const allowed = clampRegion(access.regionCode, code);
      if (!allowed.ok) {
        this.refuse(c, 'region_not_allowed', { requested: code });
        reply({ ok: false, error: 'region not allowed' });
        return;
      }
      const scope = scopeFor(access, allowed.regionCode, this.resolveScope, false);
      if (!scope) {
        reply({ ok: false, error: 'unknown region' });
        return;
      }
      c.scope = scope;
      this.requestFull(c);
      reply({ ok: true, data: { regionCode: scope.regionCode } });
    });
    socket.on('wall:resync', (ack) => {
      this.requestFull(c);
      if (typeof ack === 'function') ack({ ok: true, data: undefined });
    });
    socket.on('disconnect', (reason) => {
      // Why a wall left ('ping timeout' from a wall too busy to read pings, a closed tab): each return
      // costs it a full snapshot.
      this.opts.logger.info({ address: clientAddressOf(socket), reason }, 'wall socket closed');
      this.clients.delete(c);
      if (c.ackTimer) clearTimeout(c.ackTimer);
      c.ackTimer = null;
    });
    // The first snapshot goes out at once rather than waiting for the next tick.
    this.sendTo(c, this.opts.live.sealedTick);
  }

  private refuse(c: ClientSession, reason: SocketRefusal, detail: Record<string, unknown>): void {
    this.opts.onRefusal?.(reason);
    if (c.refusalsLogged++ >= REFUSALS_LOGGED_PER_SOCKET) return;
    const principal = (c.socket.data as { principal?: { username?: string } } | undefined)?.principal;
    this.opts.logger.warn(
      { reason, user: principal?.username, address: clientAddressOf(c.socket), ...detail },
      'wall request refused',
    );
  }

  /** One subscribe from the client's budget (SUBSCRIBES_PER_INTERVAL_MAX per interval); false when spent. */
  private takeSubscribe(c: ClientSession): boolean {
    const now = this.opts.clock.now();
    if (now - c.subscribeWindowAt >= FULL_SNAPSHOT_MIN_INTERVAL_MS) {
      c.subscribeWindowAt = now;
      c.subscribeCount = 0;
    }
    return ++c.subscribeCount <= SUBSCRIBES_PER_INTERVAL_MAX;
  }

  /** The territory changed (an import): region extents are recomputed on the next use. */
  forgetScopes(): void {
    this.scopeCache.clear();
  }

  /** A full snapshot is wanted: merged with one already pending, and sent no sooner than the interval allows. */
  private requestFull(c: ClientSession): void {
    if (c.needsFull || !this.isFullDue(c)) this.metrics.fullDeferred++;
    c.needsFull = true;
  }

  private isFullDue(c: ClientSession): boolean {
    return c.lastFullAt === null || this.opts.clock.now() - c.lastFullAt >= FULL_SNAPSHOT_MIN_INTERVAL_MS;
  }

  /** Called after the live state sealed a tick. */
  flush(): void {
    const sealed = this.opts.live.sealedTick;
    for (const c of this.clients) if (!c.isInFlight) this.sendTo(c, sealed);
  }

  private sendTo(c: ClientSession, sealed: number): void {
    let built = c.needsFull ? 'full' : this.buildDelta(c, sealed);
    if (built === null) return;
    if (built === 'full') {
      // Deferred, not dropped: needsFull stays set and the next flush after the interval sends it.
      c.needsFull = true;
      if (!this.isFullDue(c)) return;
      built = this.buildFull(c, sealed);
    }
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
    const { slowMs, giveUpMs } = this.opts.ackTiming ?? { slowMs: ACK_TIMEOUT_MS, giveUpMs: ACK_GIVE_UP_MS };
    const allowance = batch.isFull ? this.fullAckAllowanceMs() : 0;
    const sentAt = Date.now();
    const waited = () => ({ address: clientAddressOf(c.socket), seq, waitedMs: Date.now() - sentAt });
    c.ackTimer = setTimeout(() => {
      this.metrics.slowAcks++;
      this.opts.logger.warn(
        waited(),
        'wall slow to acknowledge a batch; waiting for it, sending nothing more meanwhile',
      );
      c.ackTimer = setTimeout(() => {
        c.ackTimer = null;
        this.metrics.ackGiveUps++;
        this.opts.logger.warn(
          waited(),
          'wall did not acknowledge a batch in time; disconnected (it reconnects with a snapshot)',
        );
        c.socket.disconnect(true);
      }, giveUpMs - slowMs);
    }, slowMs + allowance);
    c.socket.emit('wall:batch', batch, (res?: { ok: boolean }) => {
      if (c.ackTimer) clearTimeout(c.ackTimer);
      c.ackTimer = null;
      c.isInFlight = false;
      if (!res || res.ok !== true) {
        this.metrics.refusedBatches++;
        this.requestFull(c);
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
      incidents: live.incidents.snapshot(c.scope.containsIncident, c.access.incidentVariant),
    };
    for (const kind of c.kinds) batch[kind] = this.encoder.full(kind, sealed, c.scope);
    this.attachStats(c, batch, true);
    const version = live.incidents.version;
    const lost = this.lostCount;
    c.needsFull = false;
    c.lastFullAt = this.opts.clock.now();
    return {
      batch,
      commit: () => {
        c.syncedTick = sealed;
        c.incidentVersion = version;
        c.lostSeen = lost;
      },
    };
  }

  /** Null: nothing worth sending yet; 'full': the client is further behind than the incident log reaches. */
  private buildDelta(
    c: ClientSession,
    sealed: number,
  ): { batch: WireBatch; commit: () => void } | 'full' | null {
    const live = this.opts.live;
    const batch: WireBatch = {
      v: PROTOCOL_VERSION,
      seq: c.seq + 1,
      isFull: false,
      serverTs: this.opts.clock.now(),
    };
    let hasContent = false;
    for (const kind of c.kinds) {
      const d = this.encoder.delta(kind, c.syncedTick, sealed, c.scope);
      if (d !== 'empty') {
        batch[kind] = d;
        hasContent = true;
      }
    }
    const version = live.incidents.version;
    const inc = live.incidents.changesSince(
      c.incidentVersion,
      c.scope.containsIncident,
      c.access.incidentVariant,
    );
    if (inc === null) return 'full';
    const lost = this.lostCount;
    if (c.lostSeen < lost && c.kinds.length > 0) {
      const missed = lost - c.lostSeen;
      if (missed > this.lostAt.length) return 'full';
      batch.reportsLostAt = this.lostAt.slice(this.lostAt.length - missed);
      hasContent = true;
    }
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
        c.lostSeen = lost;
      },
    };
  }

  /** Adds the scope's panel statistics when they changed since this client last got them. */
  private attachStats(c: ClientSession, batch: WireBatch, isFull: boolean): boolean {
    // An incidents feed has no panels: its scope's figures are neither computed nor sent.
    if (c.kinds.length === 0) return false;
    const stats = this.opts.statsFor?.(c.scope);
    if (stats === undefined || (!isFull && stats === c.statsSent)) return false;
    batch.stats = c.access.incidentVariant === 'raw' ? stats : this.maskedStats(stats);
    c.statsSent = stats;
    return true;
  }

  /** The 督办 list's titles carry free text too: masked once per stats object, shared by every such wall. */
  private maskedStats(stats: WallStats): WallStats {
    let masked = this.maskedStatsCache.get(stats);
    if (!masked) this.maskedStatsCache.set(stats, (masked = maskWallStats(stats)));
    return masked;
  }

  /**
   * The live state's report times were just moved back for a telemetry loss at `at` (markReportsLost): each
   * wall's next batch says so and the wall does the same to its copy, instead of a full snapshot each.
   */
  reportsLost(at: number): void {
    // Cached encodings hold the report times as they were.
    this.encoder.invalidate();
    this.lostAt.push(at);
    if (this.lostAt.length > LOST_REPORTS_KEPT) this.lostAt.shift();
    this.lostCount++;
  }

  /** Tells every client to resync (after a restore, or when the world was re-seeded). */
  resyncAll(): void {
    this.encoder.invalidate();
    for (const c of this.clients) this.requestFull(c);
  }
}
