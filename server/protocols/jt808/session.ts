import type { Crs } from '@/lib/domain/enums';
import type { VehicleReportInput } from '@/lib/domain/vehicle';
import type { IngestStats } from '@/server/ingest/ingest-stats';
import { FrameSplitter } from './frame';
import { decodeLocation, decodeLocationBatch, type Fix, type FixResult } from './location';
import { decodeFrame, encodeFrame, MSG, platformResponseBody, RESULT, type Jt808Header } from './message';
import { decodeAuthCode, decodeRegistration, REGISTER_RESULT, registerResponseBody } from './registration';

export const STATS_PATH = 'jt808';
/** Packets in one split message we are willing to hold, and their bytes together (authenticated only). */
export const MAX_SPLIT_PACKETS = 64;
export const MAX_SPLIT_BODY_BYTES = 64 * 1_024;
/**
 * Before authentication a terminal has no business sending more than a registration, an authentication and a
 * heartbeat or two; past this many frames the connection is closed.
 */
export const MAX_PREAUTH_FRAMES = 8;
/**
 * The longest escaped frame read before authentication: 0x0100 (2019: 76 bytes + plate) and 0x0102 (2019:
 * 1 + code + 35) are far below it, so a stranger cannot make the gateway hold 4 KiB per connection.
 */
export const MAX_PREAUTH_FRAME_BYTES = 1_024;
/** Bytes of a rejected frame kept as a log sample. */
const SAMPLE_BYTES = 48;

export type VehicleReportOut = VehicleReportInput & { ts: number };

/** How a 0x0100 is answered: the 0x8100 result, the code on success, and whether to hang up after it. */
export interface RegisterDecision {
  result: number;
  authCode?: string;
  close: boolean;
  /** Counted reason when refused. */
  reason?: string;
}

/** A successful 0x0102: the id positions are published under, and what the binding rests on. */
export interface AuthBinding {
  vehicleId: string;
  /** The stored hash (or `auto:` for a derived code) the connection authenticated against. */
  credential: string;
}

export interface FuturePolicy {
  /** Positions stamped further ahead than this are clamped to now or refused. */
  maxMs: number;
  policy: 'clamp' | 'reject';
}

export interface SessionDeps {
  stats: IngestStats;
  /** Writes one frame to the terminal. */
  send(frame: Buffer): void;
  onReport(report: VehicleReportOut): void;
  /** Decides a registration (0x0100) from this phone. */
  register(phone: string): RegisterDecision;
  /** Checks an authentication (0x0102); undefined: refused (`reason` says why). */
  authenticate(phone: string, code: string | undefined): AuthBinding | { refused: string };
  /** The coordinate system the terminals send (the standard says WGS-84; some fleets are GCJ-02). */
  crs?: Crs;
  /**
   * Called once 0x0102 succeeded: only then is the connection this phone's, so only then may an older
   * connection of the phone be closed.
   */
  onBound(phone: string): void;
  /** Hangs up after the answers already written (refusals, logout, abuse). */
  close(reason: string): void;
  future?: FuturePolicy;
}

interface SplitState {
  header: Jt808Header;
  parts: (Buffer | undefined)[];
  received: number;
  bytes: number;
}

/**
 * One terminal connection's protocol state, independent of the socket: bytes in, frames and reports out.
 * A connection is nobody until 0x0102 succeeds: before that it may register, authenticate and send a
 * heartbeat, and nothing it sends names, replaces or speaks for a terminal.
 */
export class Jt808Session {
  /** The bound phone: set only once the connection authenticated. */
  phone: string | undefined;
  /** The id positions are published under (a vehicle id, or the phone for auto-registered terminals). */
  vehicleId: string | undefined;
  /** What the binding rests on (the stored hash); the gateway drops the connection when it changes. */
  credential: string | undefined;
  isAuthenticated = false;
  isClosed = false;
  /** When the last good frame arrived (clock ms), for the idle sweep. */
  lastFrameAt: number;
  /** When the connection opened, for the authentication timeout. */
  readonly openedAt: number;
  private plate = '';
  private serial = 0;
  private preAuthFrames = 0;
  private split: SplitState | null = null;
  private readonly splitter: FrameSplitter;

  constructor(
    private readonly deps: SessionDeps,
    now: number,
    private readonly clockNow: () => number,
  ) {
    this.lastFrameAt = now;
    this.openedAt = now;
    this.splitter = new FrameSplitter(
      {
        onFrame: (f) => this.onFrame(f),
        onDiscard: (reason, bytes) => deps.stats.reject(STATS_PATH, reason, { bytes }),
      },
      MAX_PREAUTH_FRAME_BYTES,
    );
  }

  push(chunk: Buffer): void {
    if (!this.isClosed) this.splitter.push(chunk);
  }

  /** Bytes held for this connection: an unfinished frame and a split message being reassembled. */
  bufferedBytes(): number {
    return this.splitter.bufferedBytes() + (this.split?.bytes ?? 0);
  }

  private reject(reason: string, sample?: Buffer): void {
    this.deps.stats.reject(STATS_PATH, reason, sample?.subarray(0, SAMPLE_BYTES).toString('hex'));
  }

  private hangUp(reason: string): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.split = null;
    this.deps.close(reason);
  }

  private onFrame(escaped: Buffer): void {
    if (this.isClosed) return;
    const decoded = decodeFrame(escaped);
    if (!decoded.ok) return this.reject(decoded.reason, escaped);
    const { header, body } = decoded.message;
    if (!this.isAuthenticated) return this.onPreAuthFrame(header, body, escaped);
    if (this.phone !== header.phone) {
      this.reject('phone_changed', escaped);
      return this.respond(header, RESULT.failure);
    }
    this.lastFrameAt = this.clockNow();
    if (header.packetTotal > 1) return this.onPart(header, body);
    this.onMessage(header, body);
  }

  /**
   * Before 0x0102 succeeds the connection speaks for nobody: a handful of frames, no reassembly, no
   * positions. Each refused frame is counted with its reason.
   */
  private onPreAuthFrame(header: Jt808Header, body: Buffer, escaped: Buffer): void {
    if (++this.preAuthFrames > MAX_PREAUTH_FRAMES) {
      this.reject('preauth_flood', escaped);
      return this.hangUp('preauth_flood');
    }
    if (header.packetTotal > 1) {
      // Reassembly holds memory for whoever asks: only a terminal we know may ask for it.
      this.reject('split_unauthenticated', escaped);
      return this.hangUp('split_unauthenticated');
    }
    switch (header.msgId) {
      case MSG.register:
        return this.onRegister(header, body);
      case MSG.authenticate:
        return this.onAuthenticate(header, body);
      case MSG.heartbeat:
      case MSG.location:
      case MSG.locationBatch:
        this.reject('unauthenticated');
        return this.respond(header, RESULT.failure);
      case MSG.logout:
        this.reject('unauthenticated');
        this.respond(header, RESULT.ok);
        return this.hangUp('logout');
      case MSG.terminalResponse:
        return this.reject('unauthenticated');
      default:
        this.reject('unauthenticated');
        return this.respond(header, RESULT.failure);
    }
  }

  private onPart(header: Jt808Header, body: Buffer): void {
    let s = this.split;
    if (s && (s.header.msgId !== header.msgId || s.parts.length !== header.packetTotal)) {
      this.reject('split_abandoned');
      s = this.split = null;
    }
    if (!s) {
      if (header.packetTotal > MAX_SPLIT_PACKETS) {
        this.reject('split_too_many');
        return this.respond(header, RESULT.failure);
      }
      s = this.split = { header, parts: new Array(header.packetTotal), received: 0, bytes: 0 };
    }
    const idx = header.packetSeq - 1;
    if (!s.parts[idx]) {
      if (s.bytes + body.length > MAX_SPLIT_BODY_BYTES) {
        this.split = null;
        this.reject('split_oversize');
        return this.respond(header, RESULT.failure);
      }
      s.parts[idx] = Buffer.from(body); // copy: `body` views the read buffer
      s.received++;
      s.bytes += body.length;
    }
    if (s.received < s.parts.length) return this.respond(header, RESULT.ok);
    this.split = null;
    this.onMessage(header, Buffer.concat(s.parts as Buffer[]), s.header);
  }

  /** `first` is the split message's first header when reassembled (its serial is the message's). */
  private onMessage(header: Jt808Header, body: Buffer, first?: Jt808Header): void {
    switch (header.msgId) {
      case MSG.register:
        // Already authenticated on this connection: nothing to register.
        return this.onRegister(header, body);
      case MSG.authenticate:
        return this.respond(header, RESULT.ok);
      case MSG.heartbeat:
        return this.respond(header, RESULT.ok);
      case MSG.logout:
        this.respond(header, RESULT.ok);
        return this.hangUp('logout');
      case MSG.location:
        this.respond(header, this.publishFix(decodeLocation(body)) ? RESULT.ok : RESULT.badMessage);
        return;
      case MSG.locationBatch:
        return this.onBatch(header, body);
      case MSG.terminalResponse:
        return; // answers to our commands; we send none
      default:
        this.reject('unsupported_msg');
        this.respond(first ?? header, RESULT.unsupported);
    }
  }

  private onRegister(header: Jt808Header, body: Buffer): void {
    const reg = decodeRegistration(body, header.is2019);
    if (!reg) {
      this.reject('bad_register', body);
      return this.respond(header, RESULT.badMessage);
    }
    const decision = this.deps.register(header.phone);
    if (decision.result === REGISTER_RESULT.ok) this.plate = reg.plate;
    else this.reject(decision.reason ?? `register_${decision.result}`);
    this.sendMessage(
      header,
      MSG.registerResponse,
      registerResponseBody(header.serial, decision.result, decision.authCode ?? ''),
    );
    if (decision.close) this.hangUp(decision.reason ?? 'register_refused');
  }

  private onAuthenticate(header: Jt808Header, body: Buffer): void {
    const verdict = this.deps.authenticate(header.phone, decodeAuthCode(body, header.is2019));
    if ('refused' in verdict) {
      this.reject(verdict.refused);
      this.respond(header, RESULT.failure);
      // A wrong code is not retried on the same connection: guessing costs a TCP handshake each time.
      return this.hangUp(verdict.refused);
    }
    this.isAuthenticated = true;
    this.phone = header.phone;
    this.vehicleId = verdict.vehicleId;
    this.credential = verdict.credential;
    this.lastFrameAt = this.clockNow();
    this.splitter.maxFrameBytes = undefined; // the full frame size from now on
    this.deps.onBound(header.phone);
    this.respond(header, RESULT.ok);
  }

  private onBatch(header: Jt808Header, body: Buffer): void {
    const decoded = decodeLocationBatch(body);
    if (!decoded.ok) {
      this.reject(decoded.reason, body);
      return this.respond(header, RESULT.badMessage);
    }
    let published = 0;
    for (const r of decoded.batch.fixes) if (this.publishFix(r)) published++;
    this.respond(header, published > 0 || decoded.batch.fixes.length === 0 ? RESULT.ok : RESULT.badMessage);
  }

  private publishFix(result: FixResult): boolean {
    if (!result.ok) {
      this.reject(result.reason);
      return false;
    }
    const fix: Fix = result.fix;
    // Without a fix the coordinates are the last known ones or zeros: not a position to draw.
    if (!fix.isPositioned) {
      this.reject('no_fix');
      return true; // the message itself was fine: acknowledge it
    }
    let ts = fix.ts;
    const future = this.deps.future;
    if (future) {
      const now = this.clockNow();
      if (ts > now + future.maxMs) {
        // A clock far ahead would make this fix outrank every real one (latest wins by report time).
        if (future.policy === 'reject') {
          this.reject('future_ts');
          return false;
        }
        this.deps.stats.adjust(STATS_PATH, 'future_clamped', this.vehicleId);
        ts = now;
      }
    }
    const report: VehicleReportOut = { id: this.vehicleId!, lng: fix.lng, lat: fix.lat, ts };
    if (this.deps.crs && this.deps.crs !== 'wgs84') report.crs = this.deps.crs;
    if (fix.speedKmh !== undefined) report.speed = fix.speedKmh;
    if (fix.heading !== undefined) report.heading = fix.heading;
    if (this.vehicleId === this.phone && this.plate) report.name = this.plate;
    this.deps.stats.accept(STATS_PATH, 1);
    this.deps.onReport(report);
    return true;
  }

  private respond(header: Jt808Header, result: number): void {
    this.sendMessage(header, MSG.platformResponse, platformResponseBody(header.serial, header.msgId, result));
  }

  /** Answers in the terminal's own edition (header layout and protocol version). */
  private sendMessage(to: Jt808Header, msgId: number, body: Buffer): void {
    this.deps.send(
      encodeFrame({
        msgId,
        phone: to.phoneDigits,
        serial: this.serial++ & 0xffff,
        body,
        is2019: to.is2019,
        protocolVersion: to.protocolVersion,
      }),
    );
  }
}
