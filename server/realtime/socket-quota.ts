import { Gauge, type Registry } from 'prom-client';
import type { Logger } from '../logger';
import { clientAddressOf } from './client-access';

/** As much of a Socket.IO server socket as admission needs. */
export interface AdmittedSocket {
  data?: unknown;
  handshake: { address: string };
  once(event: 'disconnect', listener: () => void): unknown;
  conn: { once(event: 'close', listener: () => void): unknown };
}

/**
 * Sockets one principal (a user, or one display token: `display:<name>`) may hold at once, per server
 * process. A screen is one tab; a console beside it a second; a few more cover spare tabs and the dead
 * sockets of a network drop, which linger until the ping timeout (25 s + PING_TIMEOUT_MS) notices them. Beyond
 * that a token is being used to multiply full snapshots (each up to ~30 MB at province scale, B4).
 */
export const MAX_SOCKETS_PER_PRINCIPAL = 8;

export type SocketRefusal = 'region_not_allowed' | 'too_many_sockets' | 'too_many_requests';

/** What the client's `connect_error` carries when its principal is at the cap. */
export const TOO_MANY_SOCKETS_ERROR = 'too many connections';

/**
 * Counts live sockets per principal. The NEWEST socket beyond the cap is refused rather than the oldest
 * closed: a screen already showing keeps its link (and a stolen token cannot knock it off), and the browser
 * wall only reconnects by itself after a network error, not after the server closed it, so closing the
 * oldest would leave a real screen dark for good.
 */
export class SocketQuota {
  private readonly held = new Map<string, number>();
  readonly refusals: Record<SocketRefusal, number> = {
    region_not_allowed: 0,
    too_many_sockets: 0,
    too_many_requests: 0,
  };

  constructor(readonly max = MAX_SOCKETS_PER_PRINCIPAL) {}

  /**
   * Takes a place for `key`; the returned release gives it back (idempotent, so it can be wired to both the
   * socket's disconnect and its transport's close). Null when the principal is at the cap.
   */
  acquire(key: string): (() => void) | null {
    const n = this.held.get(key) ?? 0;
    if (n >= this.max) {
      this.refusals.too_many_sockets++;
      return null;
    }
    this.held.set(key, n + 1);
    let isReleased = false;
    return () => {
      if (isReleased) return;
      isReleased = true;
      const left = (this.held.get(key) ?? 1) - 1;
      // An entry per principal with sockets, none for those without: the map is bounded by live sockets.
      if (left > 0) this.held.set(key, left);
      else this.held.delete(key);
    };
  }

  /**
   * Admits a socket in the handshake middleware, or refuses (logged, counted). Its place is given back when
   * it disconnects, or when its transport closes before the connection completed (no disconnect then).
   */
  admit(socket: AdmittedSocket, key: string, logger: Logger): boolean {
    const release = this.acquire(key);
    if (!release) {
      logger.warn(
        { principal: key, address: clientAddressOf(socket), max: this.max },
        'socket refused: too many sockets for one principal',
      );
      return false;
    }
    socket.once('disconnect', release);
    socket.conn.once('close', release);
    return true;
  }

  holding(key: string): number {
    return this.held.get(key) ?? 0;
  }

  countRefusal(reason: SocketRefusal): void {
    this.refusals[reason]++;
  }

  /** `pingan_socket_refusals{reason}`: refusals since start, read at scrape time. */
  register(registry: Registry): void {
    const refusals = this.refusals;
    new Gauge({
      name: 'pingan_socket_refusals',
      help: 'Socket connections or subscriptions refused since start: region outside the principal, too many sockets for one principal, too many subscribes from one socket',
      labelNames: ['reason'],
      registers: [registry],
      collect() {
        for (const [reason, n] of Object.entries(refusals)) this.set({ reason }, n);
      },
    });
  }
}
