/**
 * A wall's link to the server: connects (Socket.IO reconnects by itself, with backoff), applies each
 * `wall:batch` through the pure client store, acknowledges it, and says how fresh its data is. The server
 * sends a full snapshot on every (re)connection and after any refused batch, so resync is automatic.
 */
import { io, type Socket } from 'socket.io-client';
import { applyBatch, createClientState, type ApplyResult, type ClientState } from './client-store';
import {
  isLiveLag,
  LINK_STALE_AFTER_MS,
  PROTOCOL_VERSION,
  type BatchAck,
  type ClientToServerEvents,
  type ServerToClientEvents,
  type WallHandshakeAuth,
  type WireBatch,
} from './contract';

export type LinkStatus = 'connecting' | 'live' | 'stale' | 'disconnected' | 'unauthorized';

export interface LinkInfo {
  status: LinkStatus;
  /** When the last batch arrived (client clock, epoch ms); 0 before the first. */
  lastBatchAt: number;
  /** Server time of the last batch: data age is measured against the server's clock, not ours. */
  serverTs: number;
  /** How far behind the server's telemetry ingest said it was in the last batch, ms. */
  lagMs: number;
  isConnected: boolean;
}

/** After the server refused our credentials, try again this often (a session may be restored meanwhile). */
export const AUTH_RETRY_MS = 15_000;
/**
 * After the server closed this wall's socket (a batch left unanswered for a minute, a session that ended),
 * which Socket.IO does not reconnect by itself, connect again after this long: a wall is never left dark.
 */
export const SERVER_CLOSED_RETRY_MS = 1_000;
/** Handshake refusals by the server (not network errors), which Socket.IO does not retry by itself. */
const SERVER_REFUSALS: ReadonlySet<string> = new Set(['unauthorized', 'too many connections']);

export interface WallConnectionOptions {
  url?: string;
  regionCode: string | null;
  token?: string | null;
  now?: () => number;
  /** Tests inject a socket factory; the wall uses socket.io-client. */
  connect?: (
    url: string | undefined,
    opts: Parameters<typeof io>[1],
  ) => Socket<ServerToClientEvents, ClientToServerEvents>;
}

/**
 * The batch handler's main-thread time (store and every listener: map model, trails, panels) as a User
 * Timing measure, which `npm run bench -- --product` observes (B3, B4). Only the latest entry of each name is
 * kept in the page's timeline: a wall runs for weeks, and an observer sees every entry as it is queued.
 */
function timeBatch(name: 'pingan:batch' | 'pingan:snapshot', startedAt: number): void {
  if (typeof performance === 'undefined' || typeof performance.measure !== 'function') return;
  performance.clearMeasures(name);
  performance.measure(name, { start: startedAt });
}

/**
 * A dropped link as a User Timing mark named with Socket.IO's reason ('ping timeout', 'transport close', …),
 * so the bench can say why a wall reconnected (each reconnection costs it a full snapshot). Latest only.
 */
function markDisconnect(reason: string): void {
  if (typeof performance === 'undefined' || typeof performance.mark !== 'function') return;
  const name = `pingan:disconnect:${reason}`;
  performance.clearMarks(name);
  performance.mark(name);
}

export type BatchListener = (result: ApplyResult, state: ClientState) => void;

/**
 * What this link has handled since it was made. The bench reads these (through the map's test view) to know
 * how many batches a wall took, rather than inferring it from timing entries.
 */
export interface LinkCounts {
  /** Deltas applied. */
  batches: number;
  /** Full snapshots applied. */
  snapshots: number;
  /** Batches answered as not applied (a gap, a decode error, another protocol version). */
  notApplied: number;
  /** Listeners that threw; the others still ran, and the error went to the page's error reporting. */
  listenerErrors: number;
}

/**
 * A listener's error, reported as an uncaught one would be (the console, window.onerror) without skipping
 * the listeners after it: one panel's bug must not stop the map from moving.
 */
function reportListenerError(err: unknown): void {
  if (typeof reportError === 'function') reportError(err);
  else console.error(err);
}

/**
 * The link status from what we know; pure so the banner logic is testable. Batches that keep coming while
 * the server's ingest lags so that positions reach us more than LIVE_MAX_LAG_MS old are stale, not live.
 */
export function linkStatus(isConnected: boolean, lastBatchAt: number, now: number, lagMs = 0): LinkStatus {
  if (!isConnected) return lastBatchAt === 0 ? 'connecting' : 'disconnected';
  if (lastBatchAt === 0) return 'connecting';
  return now - lastBatchAt > LINK_STALE_AFTER_MS || !isLiveLag(lagMs) ? 'stale' : 'live';
}

export class WallConnection {
  readonly state: ClientState = createClientState();
  readonly counts: LinkCounts = { batches: 0, snapshots: 0, notApplied: 0, listenerErrors: 0 };
  private socket: Socket<ServerToClientEvents, ClientToServerEvents> | null = null;
  private readonly listeners = new Set<BatchListener>();
  private lastBatchAt = 0;
  private lagMs = 0;
  private regionCode: string | null;
  private readonly now: () => number;
  private isUnauthorized = false;
  /** A connect of our own, for what Socket.IO does not retry by itself (refusals, a server-side close). */
  private retry: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly opts: WallConnectionOptions) {
    this.regionCode = opts.regionCode;
    this.now = opts.now ?? (() => Date.now());
  }

  start(): void {
    if (this.socket) return;
    const make = this.opts.connect ?? io;
    const socket = make(this.opts.url, {
      // Let the session cookie flow; a display token rides in the handshake for unattended screens.
      withCredentials: true,
      auth: {
        token: this.opts.token ?? undefined,
        regionCode: this.regionCode ?? undefined,
      } satisfies WallHandshakeAuth,
      transports: ['websocket', 'polling'],
      // DESIGN §5: a full snapshot ≤ 5 s after the server is back. With a 5 s cap the retry alone could use
      // all of it (kill -9 test: 3.5–4.1 s); 2 s leaves room for the handshake and the snapshot.
      reconnectionDelayMax: 2_000,
    });
    socket.on('wall:batch', (batch, ack) => this.onBatch(batch, ack));
    socket.on('connect', () => {
      this.isUnauthorized = false;
    });
    socket.on('connect_error', (err) => {
      // A refusal by the server's middleware is not retried by Socket.IO itself; a network error is.
      // 'too many connections' (the per-principal socket cap) passes once dead sockets time out, so the
      // wall tries again rather than staying dark; it shows as disconnected, not as unauthorised.
      if (!SERVER_REFUSALS.has(err.message)) return;
      this.isUnauthorized = err.message === 'unauthorized';
      this.connectIn(AUTH_RETRY_MS);
    });
    socket.on('disconnect', (reason) => {
      markDisconnect(reason);
      if (reason === 'io server disconnect') this.connectIn(SERVER_CLOSED_RETRY_MS);
    });
    // The handshake names the region, so the server's first snapshot is already scoped: subscribing on
    // connect as well would cost a second full snapshot (tens of MB at province scale).
    this.socket = socket;
  }

  private connectIn(ms: number): void {
    this.retry ??= setTimeout(() => {
      this.retry = null;
      this.socket?.connect();
    }, ms);
  }

  stop(): void {
    if (this.retry) clearTimeout(this.retry);
    this.socket?.disconnect();
    this.socket = null;
    this.listeners.clear();
  }

  /**
   * Re-scopes this wall (drill-down without a reload); the server answers with a full snapshot. The region
   * this connection already asked for (its handshake's, or the last one set) is not asked again: the wall
   * mounts with it before any snapshot came, and that subscribe cost every connection a second full snapshot
   * 3 s after the first (1.1 MB at 100 k units, issue 20).
   */
  setRegion(regionCode: string | null): void {
    if (regionCode === this.regionCode) return;
    this.regionCode = regionCode;
    if (this.socket)
      this.socket.auth = { ...(this.socket.auth as object), regionCode: regionCode ?? undefined };
    this.socket?.emit('wall:subscribe', { protocol: PROTOCOL_VERSION, regionCode }, () => {});
  }

  onBatch(batch: WireBatch, ack: (res: BatchAck) => void): void {
    const startedAt = performance.now();
    const result = applyBatch(this.state, batch);
    this.lastBatchAt = this.now();
    this.lagMs = batch.lagMs ?? 0;
    // Acknowledge after applying: the server sends the next batch only then (one in flight per wall).
    ack(result.ok ? { ok: true } : { ok: false, error: result.error });
    if (!result.ok) this.counts.notApplied++;
    else if (result.isFull) this.counts.snapshots++;
    else this.counts.batches++;
    for (const l of this.listeners) {
      try {
        l(result, this.state);
      } catch (err) {
        this.counts.listenerErrors++;
        reportListenerError(err);
      }
    }
    timeBatch(result.ok && result.isFull ? 'pingan:snapshot' : 'pingan:batch', startedAt);
  }

  subscribe(listener: BatchListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  link(): LinkInfo {
    const isConnected = this.socket?.connected ?? false;
    return {
      status:
        this.isUnauthorized && !isConnected
          ? 'unauthorized'
          : linkStatus(isConnected, this.lastBatchAt, this.now(), this.lagMs),
      lastBatchAt: this.lastBatchAt,
      serverTs: this.state.serverTs,
      lagMs: this.lagMs,
      isConnected,
    };
  }
}
