import type Database from 'better-sqlite3';
import { reasonFromZodError } from '@/lib/domain/common';
import { IncidentReportSchema, type IncidentReport, type IncidentView } from '@/lib/domain/incident';
import { toWgs84 } from '@/lib/geo/crs';
import type { IncidentEntry } from '../bus/bus';
import type { LiveState } from '../live/live-state';
import type { GridLocator } from '../live/grid-locator';
import type { IngestStats } from './ingest-stats';
import { MAX_FUTURE_SKEW_MS, type IngestResult, type ItemRejection } from './telemetry-ingest';

/** An incident JSON larger than this is refused before parsing (title 200 + detail 4,000 chars fit easily). */
export const MAX_INCIDENT_JSON_BYTES = 64 * 1024;

export interface IncidentIngestResult extends IngestResult {
  duplicates: number;
}

/**
 * Incidents are never lost (DESIGN §3): each batch is validated, written to SQLite in one transaction
 * (synchronous=FULL), and only then does the caller acknowledge it (XACK). Re-delivery is harmless:
 * the source id is the primary key, so a second copy changes nothing.
 */
export class IncidentIngest {
  private readonly insertIncident: Database.Statement;
  private readonly insertEvent: Database.Statement;
  private readonly writeBatch: (reports: IncidentReport[], now: number) => IncidentView[];

  constructor(
    private readonly sqlite: Database.Database,
    private readonly live: LiveState,
    private readonly stats: IngestStats,
    private readonly grids: () => GridLocator,
  ) {
    this.insertIncident = sqlite.prepare(
      `INSERT INTO incidents (id, category, title, detail, lng, lat, priority, source, reported_at, received_at,
         address, reporter, phone, grid_code, state, supervision, updated_at)
       VALUES (@id, @category, @title, @detail, @lng, @lat, @priority, @source, @reportedAt, @receivedAt,
         @address, @reporter, @phone, @gridCode, 'reported', 0, @receivedAt)
       ON CONFLICT(id) DO NOTHING`,
    );
    this.insertEvent = sqlite.prepare(
      `INSERT INTO incident_events (incident_id, at, actor, type, to_state, note)
       VALUES (?, ?, ?, 'reported', 'reported', ?)`,
    );
    this.writeBatch = sqlite.transaction((reports: IncidentReport[], now: number) => {
      const created: IncidentView[] = [];
      for (const r of reports) {
        const [lng, lat] = toWgs84(r.lng, r.lat, r.crs);
        const gridCode = r.gridCode ?? this.grids().locate(lng, lat);
        const row = {
          id: r.id,
          category: r.category,
          title: r.title,
          detail: r.detail ?? null,
          lng,
          lat,
          priority: r.priority,
          source: r.source,
          reportedAt: r.reportedAt,
          receivedAt: now,
          address: r.address ?? null,
          reporter: r.reporter ?? null,
          phone: r.phone ?? null,
          gridCode,
        };
        if (this.insertIncident.run(row).changes === 0) continue;
        this.insertEvent.run(r.id, now, `ingest:${r.source}`, null);
        created.push({
          id: r.id,
          category: r.category,
          title: r.title,
          priority: r.priority,
          source: r.source,
          state: 'reported',
          lng,
          lat,
          address: row.address,
          gridCode,
          reportedAt: r.reportedAt,
          receivedAt: now,
          updatedAt: now,
          assigneeKind: null,
          assigneeId: null,
          supervision: 0,
        });
      }
      return created;
    });
  }

  /** Bus entries: resolves once every valid one is committed; invalid ones are rejected for good. */
  async handleEntries(entries: IncidentEntry[], path = 'redis:incident'): Promise<void> {
    const items: unknown[] = [];
    for (const e of entries) {
      if (e.raw === undefined) {
        this.stats.reject(path, 'missing_json_field', e.entryId);
        continue;
      }
      if (e.raw.length > MAX_INCIDENT_JSON_BYTES) {
        this.stats.reject(path, 'message_too_large', e.raw.slice(0, 100));
        continue;
      }
      try {
        items.push(JSON.parse(e.raw));
      } catch {
        this.stats.reject(path, 'bad_json', e.raw);
      }
    }
    this.handleItems(items, path);
  }

  handleItems(items: unknown[], path: string): IncidentIngestResult {
    const valid: IncidentReport[] = [];
    const rejected: ItemRejection[] = [];
    const now = this.live.clock.now();
    items.forEach((item, index) => {
      const parsed = IncidentReportSchema.safeParse(item);
      let reason: string | null = parsed.success ? null : reasonFromZodError(parsed.error);
      if (parsed.success && parsed.data.reportedAt > now + MAX_FUTURE_SKEW_MS)
        reason = 'reportedAt:in_future';
      if (reason !== null || !parsed.success) {
        rejected.push({ index, reason: reason ?? 'invalid' });
        this.stats.reject(path, reason ?? 'invalid', item);
      } else valid.push(parsed.data);
    });
    // Throws (and so leaves the entries unacknowledged) if SQLite cannot commit.
    const created = valid.length > 0 ? this.writeBatch(valid, now) : [];
    for (const view of created) this.live.incidents.upsert(view);
    const duplicates = valid.length - created.length;
    for (let k = 0; k < duplicates; k++) this.stats.reject(path, 'duplicate');
    if (created.length > 0) this.stats.accept(path, created.length);
    return { accepted: created.length, rejected, duplicates };
  }
}
