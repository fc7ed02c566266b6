import type { Logger } from '../logger';

/**
 * Redis drops a subscriber whose unread backlog passes its pub/sub output buffer limit
 * (`client-output-buffer-limit pubsub <hard> <soft> <soft-seconds>`, 32 MB / 8 MB / 60 s by default), and
 * everything in that backlog is lost. This reads the limit at start-up and says what it means in reports.
 */
export interface PubSubBufferLimit {
  hardBytes: number;
  softBytes: number;
  softSeconds: number;
}

/**
 * Bytes one position report costs in Redis's output buffer when no traffic has been measured yet: a
 * contract report as gateways send it (`{"id":"V-000123","lng":104.061234,"lat":30.661234,"heading":123,
 * "speed":12.3,"status":"patrol","ts":1733190000000}`), batched so the per-message overhead is negligible.
 */
export const ASSUMED_REPORT_BYTES = 110;
/** Below this many seconds of the configured peak rate in the hard limit, a stall of the server drops the feed. */
export const MIN_ABSORB_S = 1;

/** Parses a CONFIG GET client-output-buffer-limit value ("normal 0 0 0 replica … pubsub 33554432 8388608 60"). */
export function parsePubSubLimit(value: string): PubSubBufferLimit | null {
  const parts = value.trim().split(/\s+/);
  const at = parts.indexOf('pubsub');
  if (at < 0 || at + 3 >= parts.length) return null;
  const [hard, soft, seconds] = parts.slice(at + 1, at + 4).map(parseBytes);
  if (hard === null || soft === null || seconds === null) return null;
  return { hardBytes: hard!, softBytes: soft!, softSeconds: seconds! };
}

/** Redis reports plain bytes, but accepts (and some proxies echo) 32mb / 8gb style units. */
function parseBytes(s: string | undefined): number | null {
  const m = /^(\d+)(b|kb|mb|gb|k|m|g)?$/i.exec(s ?? '');
  if (!m) return null;
  const unit = (m[2] ?? 'b').toLowerCase();
  const mult: Record<string, number> = {
    b: 1,
    k: 1e3,
    kb: 1024,
    m: 1e6,
    mb: 1024 ** 2,
    g: 1e9,
    gb: 1024 ** 3,
  };
  return Number(m[1]) * mult[unit]!;
}

export interface PubSubCapacity {
  limit: PubSubBufferLimit;
  bytesPerReport: number;
  /** Reports the hard limit holds unread before Redis drops the subscriber (0: no limit). */
  burstReports: number;
  /** At peakRate, how long the server may stop reading before the hard limit drops it (Infinity: no limit). */
  stallSeconds: number;
  /** A backlog over the soft limit for softSeconds also drops it: that many reports, sustained. */
  softReports: number;
  peakRate: number | null;
  isBelowScale: boolean;
}

export function pubSubCapacity(
  limit: PubSubBufferLimit,
  bytesPerReport: number,
  peakRate: number | null,
): PubSubCapacity {
  const burstReports = limit.hardBytes > 0 ? Math.floor(limit.hardBytes / bytesPerReport) : 0;
  const stallSeconds = limit.hardBytes === 0 ? Infinity : peakRate ? burstReports / peakRate : Infinity;
  return {
    limit,
    bytesPerReport,
    burstReports,
    stallSeconds,
    softReports: limit.softBytes > 0 ? Math.floor(limit.softBytes / bytesPerReport) : 0,
    peakRate,
    isBelowScale: peakRate !== null && stallSeconds < MIN_ABSORB_S,
  };
}

/** Logs the capacity: a warning when a stall of MIN_ABSORB_S at the configured peak would drop the feed. */
export function logPubSubCapacity(logger: Logger, c: PubSubCapacity): void {
  const fields = {
    hardBytes: c.limit.hardBytes,
    softBytes: c.limit.softBytes,
    softSeconds: c.limit.softSeconds,
    bytesPerReport: Math.round(c.bytesPerReport),
    burstReports: c.limit.hardBytes === 0 ? 'unlimited' : c.burstReports,
    stallSeconds: Number.isFinite(c.stallSeconds) ? +c.stallSeconds.toFixed(2) : 'unlimited',
    peakRate: c.peakRate ?? 'unset (TELEMETRY_PEAK_RATE)',
  };
  if (c.isBelowScale)
    logger.warn(
      fields,
      `redis pub/sub buffer absorbs ${c.burstReports} unread reports: ${c.stallSeconds.toFixed(2)} s of TELEMETRY_PEAK_RATE; ` +
        'a longer stall drops the subscription and its backlog (raise client-output-buffer-limit pubsub)',
    );
  else logger.info(fields, 'redis pub/sub buffer capacity');
}
