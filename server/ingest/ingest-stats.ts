import { Counter, type Registry } from 'prom-client';
import type { Logger } from '../logger';
import { createThrottledLog } from '../logger';

/** Distinct reasons kept per path; past it they are folded into `other` so labels stay bounded. */
const MAX_REASONS = 200;

/**
 * Counts every accepted and rejected report by ingest path (`redis:vehicle`, `http:incident`, `jt808`, `sip`…)
 * and reason, for /api/health and /metrics, and logs rejections (throttled per reason).
 */
export class IngestStats {
  accepted = 0;
  registered = 0;
  readonly rejected = new Map<string, number>();
  /** Reports accepted after a correction (e.g. `jt808/future_clamped`), by path and what was corrected. */
  readonly adjusted = new Map<string, number>();
  private readonly acceptedCounter: Counter<'path'>;
  private readonly rejectedCounter: Counter<'path' | 'reason'>;
  private readonly registeredCounter: Counter<'kind'>;
  private readonly adjustedCounter: Counter<'path' | 'reason'>;
  private readonly warn: ReturnType<typeof createThrottledLog>;

  constructor(registry: Registry, logger: Logger) {
    this.acceptedCounter = new Counter({
      name: 'pingan_ingest_accepted_total',
      help: 'Reports accepted, by ingest path',
      labelNames: ['path'],
      registers: [registry],
    });
    this.rejectedCounter = new Counter({
      name: 'pingan_ingest_rejected_total',
      help: 'Reports rejected, by ingest path and reason',
      labelNames: ['path', 'reason'],
      registers: [registry],
    });
    this.registeredCounter = new Counter({
      name: 'pingan_ingest_registered_total',
      help: 'Unknown devices registered as unassigned by their first report',
      labelNames: ['kind'],
      registers: [registry],
    });
    this.adjustedCounter = new Counter({
      name: 'pingan_ingest_adjusted_total',
      help: 'Reports accepted after a correction (a future timestamp clamped to now), by path and reason',
      labelNames: ['path', 'reason'],
      registers: [registry],
    });
    this.warn = createThrottledLog(logger);
  }

  accept(path: string, n = 1): void {
    this.accepted += n;
    this.acceptedCounter.inc({ path }, n);
  }

  reject(path: string, reason: string, sample?: unknown): void {
    const key = `${path}/${reason}`;
    const label = this.rejected.has(key) || this.rejected.size < MAX_REASONS ? key : `${path}/other`;
    this.rejected.set(label, (this.rejected.get(label) ?? 0) + 1);
    this.rejectedCounter.inc({ path, reason: label === key ? reason : 'other' });
    this.warn(key, { path, reason, sample: preview(sample) }, 'ingest rejected');
  }

  /** A report kept but corrected; reasons come from code, never from input, so labels stay bounded. */
  adjust(path: string, reason: string, sample?: unknown): void {
    const key = `${path}/${reason}`;
    this.adjusted.set(key, (this.adjusted.get(key) ?? 0) + 1);
    this.adjustedCounter.inc({ path, reason });
    this.warn(key, { path, reason, sample: preview(sample) }, 'ingest adjusted');
  }

  register(kind: string): void {
    this.registered++;
    this.registeredCounter.inc({ kind });
  }

  rejectedObject(): Record<string, number> {
    return Object.fromEntries(this.rejected);
  }
}

function preview(sample: unknown): string | undefined {
  if (sample === undefined) return undefined;
  try {
    const s = typeof sample === 'string' ? sample : JSON.stringify(sample);
    return s.length > 200 ? `${s.slice(0, 200)}…` : s;
  } catch {
    return '[unserialisable]';
  }
}
