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

/** Attempts at a free `<source>-<id>-<n>` before a batch gives up (only crafted ids ever need a second). */
const MAX_ID_SUFFIX = 1_000;

/** Where one valid report went: the incident's API id, and whether it was there already. */
export interface IncidentOutcome {
  index: number;
  id: string;
  isDuplicate: boolean;
}

export interface IncidentIngestResult extends IngestResult {
  duplicates: number;
  /** One per valid item, in input order. */
  incidents: IncidentOutcome[];
}

/**
 * Incidents are never lost (DESIGN §3): each batch is validated, written to SQLite in one transaction
 * (synchronous=FULL), and only then does the caller acknowledge it (XACK). Re-delivery is harmless: a
 * report is keyed by (source, the source's id), so a second copy finds the first and changes nothing,
 * while a 12345 work order and a 110 警情 that share a number are two incidents.
 *
 * The API id is the source's id when no other incident holds it, else `<source>-<id>` (then `-2`, `-3`…):
 * chosen once, on first arrival, and found again by (source, id) on every re-delivery.
 */
export class IncidentIngest {
  private readonly insertIncident: Database.Statement;
  private readonly insertEvent: Database.Statement;
  private readonly selectBySource: Database.Statement<[string, string], string>;
  private readonly isIdTaken: Database.Statement<[string], number>;
  private readonly writeBatch: Database.Transaction<
    (
      reports: IncidentReport[],
      now: number,
    ) => { created: IncidentView[]; ids: { id: string; isDuplicate: boolean }[] }
  >;

  constructor(
    private readonly sqlite: Database.Database,
    private readonly live: LiveState,
    private readonly stats: IngestStats,
    private readonly grids: () => GridLocator,
  ) {
    this.insertIncident = sqlite.prepare(
      `INSERT INTO incidents (id, source_ref, category, title, detail, lng, lat, priority, source, reported_at, received_at,
         address, reporter, phone, grid_code, state, supervision, updated_at)
       VALUES (@id, @sourceRef, @category, @title, @detail, @lng, @lat, @priority, @source, @reportedAt, @receivedAt,
         @address, @reporter, @phone, @gridCode, 'reported', 0, @receivedAt)`,
    );
    this.selectBySource = sqlite
      .prepare<[string, string], string>('SELECT id FROM incidents WHERE source = ? AND source_ref = ?')
      .pluck();
    this.isIdTaken = sqlite.prepare<[string], number>('SELECT 1 FROM incidents WHERE id = ?').pluck();
    this.insertEvent = sqlite.prepare(
      `INSERT INTO incident_events (incident_id, at, actor, type, to_state, note)
       VALUES (?, ?, ?, 'reported', 'reported', ?)`,
    );
    this.writeBatch = sqlite.transaction((reports: IncidentReport[], now: number) => {
      const created: IncidentView[] = [];
      const ids: { id: string; isDuplicate: boolean }[] = [];
      for (const r of reports) {
        const existing = this.selectBySource.get(r.source, r.id);
        if (existing !== undefined) {
          ids.push({ id: existing, isDuplicate: true });
          continue;
        }
        const id = this.freeIdFor(r);
        ids.push({ id, isDuplicate: false });
        const [lng, lat] = toWgs84(r.lng, r.lat, r.crs);
        const gridCode = r.gridCode ?? this.grids().locate(lng, lat);
        const row = {
          id,
          sourceRef: r.id,
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
        this.insertIncident.run(row);
        this.insertEvent.run(id, now, `ingest:${r.source}`, null);
        created.push({
          id,
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
      return { created, ids };
    });
  }

  /** The report's API id: its own when free, else qualified by its source (deterministic, so tests and logs agree). */
  private freeIdFor(r: IncidentReport): string {
    if (this.isIdTaken.get(r.id) === undefined) return r.id;
    const qualified = `${r.source}-${r.id}`;
    if (this.isIdTaken.get(qualified) === undefined) return qualified;
    for (let n = 2; n <= MAX_ID_SUFFIX; n++) {
      const candidate = `${qualified}-${n}`;
      if (this.isIdTaken.get(candidate) === undefined) return candidate;
    }
    // Only ids crafted to occupy every candidate get here: the batch fails and is retried, never mis-keyed.
    throw new Error(`no free incident id for ${r.source}/${r.id}`);
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
    const validIndex: number[] = [];
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
      } else {
        valid.push(parsed.data);
        validIndex.push(index);
      }
    });
    // Throws (and so leaves the entries unacknowledged) if SQLite cannot commit.
    // IMMEDIATE takes the write lock before the look-ups, so a process sharing the database cannot slip the
    // same (source, id) in between; nested in a caller's transaction it is a savepoint of that one.
    const write = this.sqlite.inTransaction ? this.writeBatch : this.writeBatch.immediate;
    const { created, ids } = valid.length > 0 ? write(valid, now) : { created: [], ids: [] };
    for (const view of created) this.live.incidents.upsert(view);
    const duplicates = valid.length - created.length;
    for (let k = 0; k < duplicates; k++) this.stats.reject(path, 'duplicate');
    if (created.length > 0) this.stats.accept(path, created.length);
    const incidents = ids.map((o, k) => ({ index: validIndex[k]!, ...o }));
    return { accepted: created.length, rejected, duplicates, incidents };
  }
}
