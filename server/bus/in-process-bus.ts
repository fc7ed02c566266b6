import type { TelemetryKind } from '@/lib/realtime/contract';
import type { Bus, BusState, IncidentBatchHandler, IncidentEntry, TelemetryHandler } from './bus';

/** Incidents queued while nothing consumes them (e.g. before start-up finishes). */
export const IN_PROCESS_INCIDENT_QUEUE_MAX = 100_000;
const INCIDENT_BATCH_MAX = 256;
const RETRY_AFTER_FAILURE_MS = 1_000;

/**
 * The embedded bus: same semantics as Redis within one process. Telemetry is delivered on a microtask so a
 * publisher never runs the ingest path inside its own call stack.
 */
export class InProcessBus implements Bus {
  private telemetryHandler: TelemetryHandler | null = null;
  private incidentHandler: IncidentBatchHandler | null = null;
  private readonly queue: IncidentEntry[] = [];
  private nextEntry = 1;
  private isDraining = false;
  private isClosed = false;

  async publishTelemetry(kind: TelemetryKind, json: string): Promise<void> {
    const h = this.telemetryHandler;
    if (h && !this.isClosed) queueMicrotask(() => h(kind, json));
  }

  async addIncident(json: string): Promise<string> {
    if (this.queue.length >= IN_PROCESS_INCIDENT_QUEUE_MAX) throw new Error('incident queue full');
    const entryId = `${Date.now()}-${this.nextEntry++}`;
    this.queue.push({ entryId, raw: json });
    queueMicrotask(() => void this.drain());
    return entryId;
  }

  async onTelemetry(handler: TelemetryHandler): Promise<void> {
    this.telemetryHandler = handler;
  }

  async consumeIncidents(handler: IncidentBatchHandler): Promise<void> {
    this.incidentHandler = handler;
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.isDraining || !this.incidentHandler) return;
    this.isDraining = true;
    try {
      while (this.queue.length > 0 && !this.isClosed) {
        const batch = this.queue.slice(0, INCIDENT_BATCH_MAX);
        await this.incidentHandler(batch);
        // Like XACK: removed only once handled; a throwing handler leaves them queued for a retry.
        this.queue.splice(0, batch.length);
      }
    } catch {
      // The handler logs its own failure (e.g. SQLite busy); try again shortly, as Redis re-delivery would.
      setTimeout(() => void this.drain(), RETRY_AFTER_FAILURE_MS).unref();
    } finally {
      this.isDraining = false;
    }
  }

  /** Nothing is lost in process: the listener is never called. */
  onTelemetryGap(_listener: () => void): void {}

  reconnects(): number {
    return 0;
  }

  state(): BusState {
    return 'disabled';
  }

  async close(): Promise<void> {
    this.isClosed = true;
  }
}
