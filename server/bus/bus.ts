import type { TelemetryKind } from '@/lib/realtime/contract';

/** One entry read from the incident stream: `ack()` only after the incident is committed to SQLite. */
export interface IncidentEntry {
  /** Stream entry id (Redis) or a local sequence (in-process). */
  entryId: string;
  /** The raw `json` field, untrusted until validated. */
  raw: string | undefined;
}

/** A payload as text (in-process bus) or as the bytes Redis delivered (read without decoding to text first). */
export type TelemetryHandler = (kind: TelemetryKind, raw: string | Uint8Array) => void;

/** A telemetry payload as text, whichever form the bus delivered it in. */
export function payloadText(raw: string | Uint8Array): string {
  return typeof raw === 'string' ? raw : new TextDecoder().decode(raw);
}
/** Must resolve only after every entry it was given is durably handled (or rejected for good). */
export type IncidentBatchHandler = (entries: IncidentEntry[]) => Promise<void>;

export type BusState = 'up' | 'down' | 'disabled';

/**
 * The ingest transport (DESIGN §3): latest-wins telemetry on pub/sub, durable incidents on a stream with a
 * consumer group. Two implementations: Redis (REDIS_URL) and in-process (embedded demo, tests).
 */
export interface Bus {
  /** Publishes one JSON payload (an object or an array of reports) on a telemetry channel. */
  publishTelemetry(kind: TelemetryKind, json: string): Promise<void>;
  /** Appends one IncidentReport JSON to the incident stream; resolves with the entry id. */
  addIncident(json: string): Promise<string>;
  /** Starts delivering telemetry. One handler per bus. */
  onTelemetry(handler: TelemetryHandler): Promise<void>;
  /**
   * Hears every moment telemetry may have been lost in transit (a pub/sub subscription dropped: Redis
   * keeps nothing for a subscriber that is away). Any unit's latest report may be among the lost ones.
   */
  onTelemetryGap(listener: () => void): void;
  /**
   * Starts the incident consumer: pending entries of this consumer first (a restart re-reads them), then new
   * ones. Entries are acknowledged after the handler resolves.
   */
  consumeIncidents(handler: IncidentBatchHandler): Promise<void>;
  state(): BusState;
  /** Times a connection came back after it was lost (Redis restarted, or dropped a subscriber that fell behind). */
  reconnects(): number;
  close(): Promise<void>;
}
