import type { TelemetryKind } from '@/lib/realtime/contract';
import type { Bus } from '@/server/bus/bus';
import type { IngestStats } from '@/server/ingest/ingest-stats';
import type { Logger } from '@/server/logger';
import { createThrottledLog } from '@/server/logger';

export interface ReportBatcherOptions {
  kind: TelemetryKind;
  /** Ingest path for counting (`jt808`, `sip`). */
  path: string;
  bus: Bus;
  stats: IngestStats;
  logger: Logger;
  /** How long a report may wait to share a publish with others. */
  intervalMs: number;
  /** Reports per PUBLISH: keeps one message well under a megabyte. */
  maxPerPublish: number;
  /** Distinct ids waiting; past it new ids are dropped (counted) until the next flush. */
  maxPending: number;
}

/**
 * Coalesces telemetry per id (newest `ts` wins, as on the server) and publishes it in arrays every
 * `intervalMs`, one publish at a time. While the bus is slow the pending map absorbs the load: it grows
 * with distinct ids, never with report rate.
 */
export class ReportBatcher<T extends { id: string; ts: number }> {
  private pending = new Map<string, T>();
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private readonly warn: ReturnType<typeof createThrottledLog>;

  constructor(private readonly opts: ReportBatcherOptions) {
    this.warn = createThrottledLog(opts.logger);
  }

  add(report: T): void {
    const prev = this.pending.get(report.id);
    if (prev) {
      if (report.ts >= prev.ts) this.pending.set(report.id, report);
    } else if (this.pending.size >= this.opts.maxPending) {
      this.opts.stats.reject(this.opts.path, 'backlog', report.id);
      return;
    } else {
      this.pending.set(report.id, report);
    }
    if (!this.timer) this.timer = setTimeout(() => void this.flush(), this.opts.intervalMs);
  }

  /** Publishes everything pending; resolves when it is on the bus (or failed and was counted). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.inFlight) await this.inFlight;
    if (this.pending.size === 0) return;
    const reports = [...this.pending.values()];
    this.pending = new Map();
    this.inFlight = this.publish(reports);
    try {
      await this.inFlight;
    } finally {
      this.inFlight = null;
    }
  }

  pendingCount(): number {
    return this.pending.size;
  }

  async close(): Promise<void> {
    await this.flush();
  }

  private async publish(reports: T[]): Promise<void> {
    const { bus, kind, maxPerPublish, stats, path } = this.opts;
    for (let i = 0; i < reports.length; i += maxPerPublish) {
      const chunk = reports.slice(i, i + maxPerPublish);
      try {
        await bus.publishTelemetry(kind, JSON.stringify(chunk));
      } catch (err) {
        // Telemetry is latest-wins: the next report replaces what is lost here, so count and move on.
        for (const r of chunk) stats.reject(path, 'publish_failed', r.id);
        this.warn(
          `${path}-publish`,
          { err: (err as Error).message, lost: chunk.length },
          'telemetry publish failed',
        );
      }
    }
  }
}
