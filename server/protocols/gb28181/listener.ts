import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import os from 'node:os';
import type { Clock } from '@/lib/clock';
import { systemClock } from '@/lib/clock';
import type { Bus } from '@/server/bus/bus';
import type { IngestStats } from '@/server/ingest/ingest-stats';
import type { Logger } from '@/server/logger';
import { ReportBatcher } from '../jt808/report-batcher';
import {
  DEFAULT_KEEPALIVE_INTERVAL_MS,
  DEFAULT_MAX_DEVICES,
  DEFAULT_MISSED_KEEPALIVES,
  DeviceRegistry,
  isGbId,
  type CameraReportOut,
} from './device-registry';
import { checkDigest, createNonce } from './digest';
import { catalogQuery, decodeBody, parseManscdp } from './manscdp';
import {
  buildRequest,
  buildResponse,
  header,
  headerParam,
  parseSip,
  uriUser,
  type SipMessage,
} from './sip-message';

export const STATS_PATH = 'sip';
/** The SIP domain most GB/T 28181 deployments are configured with out of the box (centre code 34020000). */
export const DEFAULT_REALM = '3402000000';
/** Registration lifetime when the device names none. */
const DEFAULT_EXPIRES_S = 3_600;
/** We ask a device for its catalog at most this often (it answers once per query). */
const CATALOG_QUERY_EVERY_MS = 5 * 60_000;
const BATCH_INTERVAL_MS = 50;
const MAX_REPORTS_PER_PUBLISH = 1_000;
/** Distinct camera ids waiting for a publish. */
const MAX_PENDING_REPORTS = 200_000;
const SAMPLE_CHARS = 120;
const BEIJING_OFFSET_MS = 8 * 3_600_000;

export interface Gb28181ListenerOptions {
  port: number;
  host?: string;
  bus: Bus;
  logger: Logger;
  stats: IngestStats;
  /** When set, REGISTER needs MD5 digest authentication and MESSAGEs need a registered device. */
  password?: string;
  realm?: string;
  /** Our own 20-digit id, the From of our catalog queries. */
  platformId?: string;
  /** The address we put in Via of our requests (devices mostly answer to the source address anyway). */
  advertisedHost?: string;
  keepaliveIntervalMs?: number;
  missedKeepalives?: number;
  maxDevices?: number;
  clock?: Clock;
  /** How often silent devices are looked for; default a quarter of the keepalive interval, at most 5 s. */
  sweepIntervalMs?: number;
}

export interface Gb28181Listener {
  port: number;
  close(): Promise<void>;
  /** Runs the offline sweep now and publishes what changed (the timer does it on its own). */
  sweep(): Promise<void>;
  devices(): number;
}

/** Beijing local time in the form GB/T 28181 devices set their clocks from (`Date` of the 200 to REGISTER). */
function gbDate(ms: number): string {
  return new Date(ms + BEIJING_OFFSET_MS).toISOString().slice(0, 23);
}

function firstLanAddress(): string {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

/**
 * The GB/T 28181 SIP listener (UDP): REGISTER, Keepalive and Catalog in, camera statuses out on the bus.
 */
export async function startGb28181Listener(opts: Gb28181ListenerOptions): Promise<Gb28181Listener> {
  const clock = opts.clock ?? systemClock;
  const realm = opts.realm ?? DEFAULT_REALM;
  const platformId = opts.platformId ?? `${realm}2000000001`;
  const keepaliveIntervalMs = opts.keepaliveIntervalMs ?? DEFAULT_KEEPALIVE_INTERVAL_MS;
  const maxDevices = opts.maxDevices ?? DEFAULT_MAX_DEVICES;
  const nonceSecret = randomBytes(32).toString('hex');
  const registry = new DeviceRegistry(
    { keepaliveIntervalMs, missedKeepalives: opts.missedKeepalives ?? DEFAULT_MISSED_KEEPALIVES, maxDevices },
    clock,
  );
  const batcher = new ReportBatcher<CameraReportOut>({
    kind: 'camera',
    path: STATS_PATH,
    bus: opts.bus,
    stats: opts.stats,
    logger: opts.logger,
    intervalMs: BATCH_INTERVAL_MS,
    maxPerPublish: MAX_REPORTS_PER_PUBLISH,
    maxPending: MAX_PENDING_REPORTS,
  });
  const lastQueryAt = new Map<string, number>();
  let querySn = 1;
  const socket = dgram.createSocket({ type: 'udp4', reuseAddr: false });
  const advertisedHost =
    opts.advertisedHost ?? (opts.host && opts.host !== '0.0.0.0' ? opts.host : firstLanAddress());
  const tag = () => randomBytes(6).toString('hex');

  const publish = (reports: CameraReportOut[] | undefined) => {
    for (const r of reports ?? []) batcher.add(r);
  };
  const reject = (reason: string, sample?: Buffer | string) =>
    opts.stats.reject(
      STATS_PATH,
      reason,
      typeof sample === 'string' ? sample : sample?.toString('latin1', 0, SAMPLE_CHARS),
    );

  const reply = (req: SipMessage, status: number, rinfo: dgram.RemoteInfo, extra?: [string, string][]) =>
    socket.send(
      buildResponse(req, status, { source: rinfo, toTag: tag(), extraHeaders: extra }),
      rinfo.port,
      rinfo.address,
    );

  /** Asks a device for its channel list: an NVR's cameras are only known from it. */
  const queryCatalog = (deviceId: string, rinfo: dgram.RemoteInfo) => {
    const now = clock.now();
    if (now - (lastQueryAt.get(deviceId) ?? -Infinity) < CATALOG_QUERY_EVERY_MS) return;
    if (lastQueryAt.size >= maxDevices) lastQueryAt.clear(); // a rate limiter, safe to forget
    lastQueryAt.set(deviceId, now);
    const port = (socket.address() as { port: number }).port;
    const req = buildRequest({
      method: 'MESSAGE',
      uri: `sip:${deviceId}@${rinfo.address}:${rinfo.port}`,
      via: `SIP/2.0/UDP ${advertisedHost}:${port};rport;branch=z9hG4bK${tag()}`,
      from: `<sip:${platformId}@${realm}>;tag=${tag()}`,
      to: `<sip:${deviceId}@${realm}>`,
      callId: `${tag()}@${advertisedHost}`,
      cseq: querySn,
      contentType: 'Application/MANSCDP+xml',
      body: catalogQuery(deviceId, querySn++),
    });
    socket.send(req, rinfo.port, rinfo.address);
  };

  const onRegister = (req: SipMessage, rinfo: dgram.RemoteInfo) => {
    const deviceId = uriUser(header(req, 'from'));
    if (!deviceId || !isGbId(deviceId)) {
      reject('bad_device_id', header(req, 'from'));
      return reply(req, 400, rinfo);
    }
    if (opts.password) {
      const verdict = checkDigest({
        authorization: header(req, 'authorization'),
        method: 'REGISTER',
        realm,
        password: opts.password,
        secret: nonceSecret,
        now: clock.now(),
      });
      if (verdict === 'bad') {
        reject('auth_failed', deviceId);
        return reply(req, 403, rinfo);
      }
      if (verdict !== 'ok') {
        // The first REGISTER of every device carries no credentials: a challenge, not a reject.
        const stale = verdict === 'stale' ? ', stale=true' : '';
        const challenge = `Digest realm="${realm}", nonce="${createNonce(nonceSecret, clock.now())}", algorithm=MD5${stale}`;
        return reply(req, 401, rinfo, [['WWW-Authenticate', challenge]]);
      }
    }
    const expiresRaw = header(req, 'expires') ?? headerParam(header(req, 'contact'), 'expires');
    const expires = expiresRaw === undefined ? DEFAULT_EXPIRES_S : Number(expiresRaw);
    if (!Number.isInteger(expires) || expires < 0) {
      reject('bad_expires', expiresRaw);
      return reply(req, 400, rinfo);
    }
    if (expires === 0) {
      publish(registry.unregister(deviceId));
      return reply(req, 200, rinfo, [['Expires', '0']]);
    }
    const reports = registry.register(deviceId);
    if (!reports) {
      reject('max_devices', deviceId);
      return reply(req, 503, rinfo);
    }
    opts.stats.accept(STATS_PATH, 1);
    publish(reports);
    reply(req, 200, rinfo, [
      ['Expires', String(expires)],
      ['Date', gbDate(clock.now())],
    ]);
    queryCatalog(deviceId, rinfo);
  };

  const onMessage = (req: SipMessage, rinfo: dgram.RemoteInfo) => {
    const deviceId = uriUser(header(req, 'from'));
    if (!deviceId || !isGbId(deviceId)) {
      reject('bad_device_id', header(req, 'from'));
      return reply(req, 400, rinfo);
    }
    if (opts.password && !registry.isRegistered(deviceId)) {
      // Devices re-register when their keepalives are refused (GB/T 28181 §9.6).
      reject('unregistered', deviceId);
      return reply(req, 403, rinfo);
    }
    if (req.body.length === 0) return reply(req, 200, rinfo);
    const parsed = parseManscdp(decodeBody(req.body, header(req, 'content-type')));
    if (!parsed.ok) {
      reject(parsed.reason, req.body);
      return reply(req, 400, rinfo);
    }
    const { doc } = parsed;
    reply(req, 200, rinfo);
    if (doc.cmdType === 'Keepalive') {
      const reports = registry.keepalive(deviceId, doc.status, doc.faultIds);
      if (!reports) return reject('max_devices', deviceId);
      opts.stats.accept(STATS_PATH, 1);
      publish(reports);
      if (!registry.hasCatalog(deviceId)) queryCatalog(deviceId, rinfo);
    } else if (doc.cmdType === 'Catalog' && doc.root !== 'Query') {
      const reports = registry.catalog(deviceId, doc.items);
      if (!reports) return reject('max_devices', deviceId);
      opts.stats.accept(STATS_PATH, 1);
      publish(reports);
    }
    // Alarms, DeviceInfo, DeviceStatus…: acknowledged and not used yet.
  };

  socket.on('message', (buf, rinfo) => {
    try {
      const parsed = parseSip(buf);
      if (!parsed.ok) return reject(parsed.reason, buf);
      const req = parsed.msg;
      if (!req.isRequest) return; // answers to our catalog queries
      switch (req.method) {
        case 'REGISTER':
          return onRegister(req, rinfo);
        case 'MESSAGE':
        case 'NOTIFY':
          return onMessage(req, rinfo);
        case 'OPTIONS':
          return reply(req, 200, rinfo);
        case 'ACK':
          return;
        default:
          reject('unsupported_method', req.method);
          return reply(req, 405, rinfo);
      }
    } catch (err) {
      // A parser bug must cost one datagram, never the listener.
      reject('internal_error', (err as Error).message);
    }
  });
  socket.on('error', (err) => opts.logger.warn({ err: err.message }, 'gb28181 socket error'));

  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(opts.port, opts.host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  const port = socket.address().port;
  const sweep = async () => {
    publish(registry.sweep());
    await batcher.flush();
  };
  const sweepTimer = setInterval(
    () => void sweep(),
    opts.sweepIntervalMs ?? Math.min(5_000, keepaliveIntervalMs / 4),
  );
  sweepTimer.unref();
  opts.logger.info({ port, realm, isAuthenticated: Boolean(opts.password) }, 'gb28181 listener listening');

  return {
    port,
    sweep,
    devices: () => registry.size(),
    async close() {
      clearInterval(sweepTimer);
      await batcher.close();
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };
}
