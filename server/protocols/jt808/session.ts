import type { Crs } from '@/lib/domain/enums';
import type { VehicleReportInput } from '@/lib/domain/vehicle';
import type { IngestStats } from '@/server/ingest/ingest-stats';
import { FrameSplitter } from './frame';
import { decodeLocation, decodeLocationBatch, type Fix, type FixResult } from './location';
import { decodeFrame, encodeFrame, MSG, platformResponseBody, RESULT, type Jt808Header } from './message';
import { decodeAuthCode, decodeRegistration, REGISTER_RESULT, registerResponseBody } from './registration';

export const STATS_PATH = 'jt808';
/** Packets in one split message we are willing to hold, and their bytes together. */
export const MAX_SPLIT_PACKETS = 64;
export const MAX_SPLIT_BODY_BYTES = 64 * 1_024;
/** Bytes of a rejected frame kept as a log sample. */
const SAMPLE_BYTES = 48;

export type VehicleReportOut = VehicleReportInput & { ts: number };

export interface SessionDeps {
  stats: IngestStats;
  /** Writes one frame to the terminal. */
  send(frame: Buffer): void;
  onReport(report: VehicleReportOut): void;
  /** The auth code we hand this phone at registration and expect back at authentication. */
  authCodeFor(phone: string): string;
  /** Maps a terminal phone to a vehicle id; undefined: an unassigned vehicle keyed by the phone. */
  resolveVehicleId?: (phone: string) => string | undefined;
  /** The coordinate system the terminals send (the standard says WGS-84; some fleets are GCJ-02). */
  crs?: Crs;
  /** Positions before authentication are refused (a conforming terminal registers and authenticates). */
  requireAuth: boolean;
  /** Called when a connection first names its phone, so an older connection of that phone can be closed. */
  onIdentified(phone: string): void;
}

interface SplitState {
  header: Jt808Header;
  parts: (Buffer | undefined)[];
  received: number;
  bytes: number;
}

/**
 * One terminal connection's protocol state, independent of the socket: bytes in, frames and reports out.
 */
export class Jt808Session {
  phone: string | undefined;
  isAuthenticated = false;
  /** When the last good frame arrived (clock ms), for the idle sweep. */
  lastFrameAt: number;
  private plate = '';
  private serial = 0;
  private split: SplitState | null = null;
  private readonly splitter: FrameSplitter;

  constructor(
    private readonly deps: SessionDeps,
    now: number,
    private readonly clockNow: () => number,
  ) {
    this.lastFrameAt = now;
    this.splitter = new FrameSplitter({
      onFrame: (f) => this.onFrame(f),
      onDiscard: (reason, bytes) => deps.stats.reject(STATS_PATH, reason, { bytes }),
    });
  }

  push(chunk: Buffer): void {
    this.splitter.push(chunk);
  }

  bufferedBytes(): number {
    return this.splitter.bufferedBytes();
  }

  private reject(reason: string, sample?: Buffer): void {
    this.deps.stats.reject(STATS_PATH, reason, sample?.subarray(0, SAMPLE_BYTES).toString('hex'));
  }

  private onFrame(escaped: Buffer): void {
    const decoded = decodeFrame(escaped);
    if (!decoded.ok) return this.reject(decoded.reason, escaped);
    const { header, body } = decoded.message;
    if (this.phone === undefined) {
      this.phone = header.phone;
      this.deps.onIdentified(header.phone);
    } else if (this.phone !== header.phone) {
      this.reject('phone_changed', escaped);
      return this.respond(header, RESULT.failure);
    }
    this.lastFrameAt = this.clockNow();
    if (header.packetTotal > 1) return this.onPart(header, body);
    this.onMessage(header, body);
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
        return this.onRegister(header, body);
      case MSG.authenticate:
        return this.onAuthenticate(header, body);
      case MSG.heartbeat:
        return this.respond(header, RESULT.ok);
      case MSG.logout:
        this.isAuthenticated = false;
        return this.respond(header, RESULT.ok);
      case MSG.location:
        if (!this.mayReport(header)) return;
        this.respond(header, this.publishFix(decodeLocation(body)) ? RESULT.ok : RESULT.badMessage);
        return;
      case MSG.locationBatch:
        if (!this.mayReport(header)) return;
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
    this.plate = reg.plate;
    // Registration is open: an unknown terminal becomes an unassigned vehicle rather than being refused.
    this.sendMessage(
      header,
      MSG.registerResponse,
      registerResponseBody(header.serial, REGISTER_RESULT.ok, this.deps.authCodeFor(header.phone)),
    );
  }

  private onAuthenticate(header: Jt808Header, body: Buffer): void {
    const code = decodeAuthCode(body, header.is2019);
    this.isAuthenticated = code !== undefined && code === this.deps.authCodeFor(header.phone);
    if (!this.isAuthenticated) this.reject('auth_failed');
    this.respond(header, this.isAuthenticated ? RESULT.ok : RESULT.failure);
  }

  private mayReport(header: Jt808Header): boolean {
    if (this.isAuthenticated || !this.deps.requireAuth) return true;
    this.reject('unauthenticated');
    this.respond(header, RESULT.failure);
    return false;
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
    const phone = this.phone!;
    const mapped = this.deps.resolveVehicleId?.(phone);
    const report: VehicleReportOut = { id: mapped ?? phone, lng: fix.lng, lat: fix.lat, ts: fix.ts };
    if (this.deps.crs && this.deps.crs !== 'wgs84') report.crs = this.deps.crs;
    if (fix.speedKmh !== undefined) report.speed = fix.speedKmh;
    if (fix.heading !== undefined) report.heading = fix.heading;
    if (!mapped && this.plate) report.name = this.plate;
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
