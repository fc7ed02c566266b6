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
  DEFAULT_MAX_CATALOG_CHANNELS,
  DEFAULT_MAX_DEVICES,
  DEFAULT_MISSED_KEEPALIVES,
  DeviceRegistry,
  isGbId,
  type CameraReportOut,
} from './device-registry';
import type { DeviceLookup } from './device-directory';
import { checkDigest, createNonce, sipHa1 } from './digest';
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
  /**
   * The domain password (GB28181_PASSWORD): REGISTER of a device without its own password needs MD5 digest
   * with it. A device with its own (field_devices.sip_ha1) uses that instead.
   */
  password?: string;
  /** Provisioned devices (field_devices); every other id is refused unless `autoRegister`. */
  devices?: DeviceLookup;
  /**
   * FIELD_AUTO_REGISTER (demo): an unknown device may register (with the domain password when one is set,
   * openly otherwise). Off: only provisioned devices, always with a password.
   */
  autoRegister: boolean;
  /** Catalog channels across all devices; default DEFAULT_MAX_CATALOG_CHANNELS. */
  maxCatalogChannels?: number;
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
  /**
   * A registered device's Alarm notification (its decoded MANSCDP body): server/alarms turns it into an
   * incident and returns the Response body GB/T 28181 wants sent back (a MESSAGE), or null for none.
   */
  onAlarm?: (xml: string) => Promise<{ response: string | null }>;
}

export interface Gb28181Listener {
  port: number;
  close(): Promise<void>;
  /** Runs the offline sweep now and publishes what changed (the timer does it on its own). */
  sweep(): Promise<void>;
  devices(): number;
  /**
   * Handles one datagram as if it arrived from `rinfo` (answers go there) and returns the status answered:
   * for fuzzing the whole request path without the kernel dropping a burst of UDP.
   */
  handleDatagram(buf: Buffer, rinfo: { address: string; port: number }): number | undefined;
  /** Catalog channels held across all devices. */
  channels(): number;
  /** Forgets devices that were disabled or deprovisioned (their cameras go offline); the directory's change
   * signal does it on its own. */
  recheckDevices(): number;
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
    {
      keepaliveIntervalMs,
      missedKeepalives: opts.missedKeepalives ?? DEFAULT_MISSED_KEEPALIVES,
      maxDevices,
      maxChannels: opts.maxCatalogChannels ?? DEFAULT_MAX_CATALOG_CHANNELS,
    },
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

  const addressOf = (rinfo: dgram.RemoteInfo) => `${rinfo.address}:${rinfo.port}`;

  /** Answers a request; returns the status, which is what the datagram handler reports. */
  const reply = (
    req: SipMessage,
    status: number,
    rinfo: dgram.RemoteInfo,
    extra?: [string, string][],
  ): number => {
    socket.send(
      buildResponse(req, status, { source: rinfo, toTag: tag(), extraHeaders: extra }),
      rinfo.port,
      rinfo.address,
    );
    return status;
  };

  /** A MANSCDP MESSAGE from us to a device (catalog query, alarm response). */
  const sendMessage = (deviceId: string, rinfo: dgram.RemoteInfo, body: string) => {
    const port = (socket.address() as { port: number }).port;
    const req = buildRequest({
      method: 'MESSAGE',
      uri: `sip:${deviceId}@${rinfo.address}:${rinfo.port}`,
      via: `SIP/2.0/UDP ${advertisedHost}:${port};rport;branch=z9hG4bK${tag()}`,
      from: `<sip:${platformId}@${realm}>;tag=${tag()}`,
      to: `<sip:${deviceId}@${realm}>`,
      callId: `${tag()}@${advertisedHost}`,
      cseq: querySn++,
      contentType: 'Application/MANSCDP+xml',
      // Our alarm response is ASCII: its GB2312 declaration and these bytes agree.
      body: Buffer.from(body, 'latin1'),
    });
    socket.send(req, rinfo.port, rinfo.address);
  };

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

  const onRegister = (req: SipMessage, rinfo: dgram.RemoteInfo): number => {
    const deviceId = uriUser(header(req, 'from'));
    if (!deviceId || !isGbId(deviceId)) {
      reject('bad_device_id', header(req, 'from'));
      return reply(req, 400, rinfo);
    }
    const entry = opts.devices?.lookup(deviceId);
    if (entry?.isDisabled) {
      reject('device_disabled', deviceId);
      publish(registry.remove(deviceId));
      return reply(req, 403, rinfo);
    }
    if (!entry && !opts.autoRegister) {
      // Not provisioned: refused outright, no challenge (nothing to authenticate against).
      reject('unknown_device', deviceId);
      return reply(req, 403, rinfo);
    }
    const ha1 = entry?.ha1 ?? (opts.password ? sipHa1(deviceId, realm, opts.password) : undefined);
    if (!ha1 && !opts.autoRegister) {
      // Provisioned without a password of its own and no domain password: nothing it could prove.
      reject('no_credentials', deviceId);
      return reply(req, 403, rinfo);
    }
    if (ha1) {
      const verdict = checkDigest({
        authorization: header(req, 'authorization'),
        method: 'REGISTER',
        realm,
        ha1,
        username: deviceId,
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
    const address = addressOf(rinfo);
    if (expires === 0) {
      // Only the registered address may unregister a device (a stranger's Expires: 0 would take it offline).
      const bound = registry.addressOf(deviceId);
      if (bound !== undefined && bound !== address && !ha1) {
        reject('foreign_address', deviceId);
        return reply(req, 403, rinfo);
      }
      publish(registry.unregister(deviceId));
      return reply(req, 200, rinfo, [['Expires', '0']]);
    }
    const reports = registry.register(deviceId, address);
    if (!reports) {
      reject('max_devices', deviceId);
      return reply(req, 503, rinfo);
    }
    opts.stats.accept(STATS_PATH, 1);
    if (!entry) opts.devices?.autoRegistered?.(deviceId, address, clock.now());
    opts.devices?.seen?.(deviceId, address, clock.now());
    publish(reports);
    reply(req, 200, rinfo, [
      ['Expires', String(expires)],
      ['Date', gbDate(clock.now())],
    ]);
    queryCatalog(deviceId, rinfo);
    return 200;
  };

  const onMessage = (req: SipMessage, rinfo: dgram.RemoteInfo): number => {
    const deviceId = uriUser(header(req, 'from'));
    if (!deviceId || !isGbId(deviceId)) {
      reject('bad_device_id', header(req, 'from'));
      return reply(req, 400, rinfo);
    }
    const entry = opts.devices?.lookup(deviceId);
    if (entry?.isDisabled) {
      reject('device_disabled', deviceId);
      return reply(req, 403, rinfo);
    }
    if (!entry && !opts.autoRegister) {
      reject('unknown_device', deviceId);
      return reply(req, 403, rinfo);
    }
    const address = addressOf(rinfo);
    const bound = registry.addressOf(deviceId);
    if (bound !== undefined) {
      // Anyone can write a registered device's id into From: only its registered address speaks for it.
      if (bound !== address) {
        reject('foreign_address', `${deviceId} from ${address}`);
        return reply(req, 403, rinfo);
      }
    } else if (entry?.lastAddress === address && (entry.ha1 || opts.password)) {
      // Registered before a restart, from this very address: carry on without waiting up to an hour for
      // the device's next REGISTER.
      publish(registry.register(deviceId, address));
    } else if (!opts.autoRegister || opts.password) {
      // Devices re-register when their keepalives are refused (GB/T 28181 §9.6).
      reject('unregistered', deviceId);
      return reply(req, 403, rinfo);
    }
    if (req.body.length === 0) return reply(req, 200, rinfo);
    const xml = decodeBody(req.body, header(req, 'content-type'));
    const parsed = parseManscdp(xml);
    if (!parsed.ok) {
      reject(parsed.reason, req.body);
      return reply(req, 400, rinfo);
    }
    const { doc } = parsed;
    reply(req, 200, rinfo);
    opts.devices?.seen?.(deviceId, address, clock.now());
    if (doc.cmdType === 'Keepalive') {
      const reports = registry.keepalive(deviceId, doc.status, doc.faultIds);
      if (!reports) {
        reject('max_devices', deviceId);
        return 200;
      }
      registry.bindAddress(deviceId, address);
      opts.stats.accept(STATS_PATH, 1);
      publish(reports);
      if (!registry.hasCatalog(deviceId)) queryCatalog(deviceId, rinfo);
    } else if (doc.cmdType === 'Catalog' && doc.root !== 'Query') {
      const refusedBefore = registry.channelsRefused;
      const reports = registry.catalog(deviceId, doc.items);
      if (!reports) {
        reject('max_devices', deviceId);
        return 200;
      }
      registry.bindAddress(deviceId, address);
      if (registry.channelsRefused > refusedBefore)
        reject('channel_cap', `${deviceId}: ${registry.channelsRefused - refusedBefore} channels`);
      opts.stats.accept(STATS_PATH, 1);
      publish(reports);
    } else if (doc.cmdType === 'Alarm' && doc.root === 'Notify' && opts.onAlarm) {
      // The MESSAGE is answered 200 now; the alarm's Response follows once its incident is stored. When it
      // cannot be stored the device gets no Response, and repeats the alarm.
      opts.onAlarm(xml).then(
        ({ response }) => {
          if (response) sendMessage(deviceId, rinfo, response);
        },
        (err: unknown) =>
          opts.logger.error(
            { err: (err as Error).message, deviceId },
            'gb28181 alarm not stored; the device will repeat it',
          ),
      );
    }
    // DeviceInfo, DeviceStatus…: acknowledged and not used yet.
    return 200;
  };

  /** One datagram in; the SIP status answered, or undefined when none was (malformed, a response, ACK). */
  const handleDatagram = (buf: Buffer, rinfo: dgram.RemoteInfo): number | undefined => {
    try {
      const parsed = parseSip(buf);
      if (!parsed.ok) {
        reject(parsed.reason, buf);
        return undefined;
      }
      const req = parsed.msg;
      if (!req.isRequest) return undefined; // answers to our catalog queries
      switch (req.method) {
        case 'REGISTER':
          return onRegister(req, rinfo);
        case 'MESSAGE':
        case 'NOTIFY':
          return onMessage(req, rinfo);
        case 'OPTIONS':
          return reply(req, 200, rinfo);
        case 'ACK':
          return undefined;
        default:
          reject('unsupported_method', req.method);
          return reply(req, 405, rinfo);
      }
    } catch (err) {
      // A parser bug must cost one datagram, never the listener.
      reject('internal_error', (err as Error).message);
      return undefined;
    }
  };
  socket.on('message', (buf, rinfo) => void handleDatagram(buf, rinfo));
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
  const recheckDevices = () => {
    if (!opts.devices) return 0;
    const gone: string[] = [];
    for (const id of registry.ids()) {
      const entry = opts.devices.lookup(id);
      if (entry?.isDisabled || (!entry && !opts.autoRegister)) gone.push(id);
    }
    for (const id of gone) publish(registry.remove(id));
    return gone.length;
  };
  opts.devices?.onChange?.(() => void recheckDevices());
  opts.logger.info(
    { port, realm, hasDomainPassword: Boolean(opts.password), autoRegister: opts.autoRegister },
    'gb28181 listener listening',
  );

  return {
    port,
    sweep,
    recheckDevices,
    handleDatagram: (buf, rinfo) => handleDatagram(buf, { family: 'IPv4', size: buf.length, ...rinfo }),
    channels: () => registry.channelCount(),
    devices: () => registry.size(),
    async close() {
      clearInterval(sweepTimer);
      await batcher.close();
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };
}
