import { sql } from 'drizzle-orm';
import { reasonFromZodError } from '@/lib/domain/common';
import { IncidentReportSchema, type IncidentReport, type IncidentView } from '@/lib/domain/incident';
import { toWgs84 } from '@/lib/geo/crs';
import type { IncidentEntry } from '../bus/bus';
import { isTransientConflict, isUniqueViolation, type SqlRunner } from '../db/sql-db';
import type { LiveState } from '../live/live-state';
import type { GridLocator } from '../live/grid-locator';
import type { IngestStats } from './ingest-stats';
import { MAX_FUTURE_SKEW_MS, type IngestResult, type ItemRejection } from './telemetry-ingest';

/** An incident JSON larger than this is refused before parsing (title 200 + detail 4,000 chars fit easily). */
export const MAX_INCIDENT_JSON_BYTES = 64 * 1024;

/** Times a batch is run again after losing a race on the incident keys to another process. */
export const MAX_KEY_RACE_RETRIES = 3;
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

const compareKeys = (a: IncidentReport, b: IncidentReport) =>
  a.source < b.source ? -1 : a.source > b.source ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

/**
 * Incidents are never lost (DESIGN §3): each batch is validated, written to the system of record in one
 * transaction (SQLite synchronous=FULL, or PostgreSQL's commit), and only then does the caller acknowledge
 * it (XACK). Re-delivery is harmless: a report is keyed by (source, the source's id), so a second copy finds
 * the first and changes nothing, while a 12345 work order and a 110 警情 that share a number are two
 * incidents. Two processes handed the same report at once (a claimed entry, a re-sent push) race on the
 * (source, source_ref) unique index: the loser's batch is refused and retried, and then finds the winner's.
 *
 * The API id is the source's id when no other incident holds it, else `<source>-<id>` (then `-2`, `-3`…):
 * chosen once, on first arrival, and found again by (source, id) on every re-delivery.
 */
export class IncidentIngest {
  constructor(
    private readonly db: SqlRunner,
    private readonly live: LiveState,
    private readonly stats: IngestStats,
    private readonly grids: () => GridLocator,
  ) {}

  private async writeBatch(
    tx: SqlRunner,
    reports: IncidentReport[],
    now: number,
  ): Promise<{ created: IncidentView[]; ids: { id: string; isDuplicate: boolean }[] }> {
    const created: IncidentView[] = [];
    const ids: { id: string; isDuplicate: boolean }[] = new Array(reports.length);
    // In key order, whatever the order delivered: processes writing overlapping batches then take the keys'
    // locks in the same order and queue rather than deadlock.
    const order = reports.map((_, i) => i);
    order.sort((a, b) => compareKeys(reports[a]!, reports[b]!));
    for (const i of order) {
      const r = reports[i]!;
      const existing = await tx.get<{ id: string }>(
        sql`SELECT id FROM incidents WHERE source = ${r.source} AND source_ref = ${r.id}`,
      );
      if (existing !== undefined) {
        ids[i] = { id: existing.id, isDuplicate: true };
        continue;
      }
      const id = await this.freeIdFor(tx, r);
      ids[i] = { id, isDuplicate: false };
      const [lng, lat] = toWgs84(r.lng, r.lat, r.crs);
      const gridCode = r.gridCode ?? this.grids().locate(lng, lat);
      const address = r.address ?? null;
      await tx.run(
        sql`INSERT INTO incidents (id, source_ref, category, title, detail, lng, lat, priority, source, reported_at, received_at,
              address, reporter, phone, grid_code, state, supervision, updated_at)
            VALUES (${id}, ${r.id}, ${r.category}, ${r.title}, ${r.detail ?? null}, ${lng}, ${lat}, ${r.priority}, ${r.source},
              ${r.reportedAt}, ${now}, ${address}, ${r.reporter ?? null}, ${r.phone ?? null}, ${gridCode}, 'reported', 0, ${now})`,
      );
      await tx.run(
        sql`INSERT INTO incident_events (incident_id, at, actor, type, to_state, note)
            VALUES (${id}, ${now}, ${`ingest:${r.source}`}, 'reported', 'reported', NULL)`,
      );
      created.push({
        id,
        category: r.category,
        title: r.title,
        priority: r.priority,
        source: r.source,
        state: 'reported',
        lng,
        lat,
        address,
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
  }

  /**
   * One batch in one transaction. A batch that lost a race on the keys (another process stored one of its
   * reports, or took the id it chose, between its look-up and its insert) is rolled back and run again: the
   * look-ups then find the other's rows. So is one PostgreSQL chose as a deadlock's victim. Only PostgreSQL
   * races so: SQLite's IMMEDIATE transaction takes the write lock before the look-ups.
   */
  private async write(via: SqlRunner, reports: IncidentReport[], now: number) {
    for (let attempt = 0; ; attempt++) {
      try {
        return await via.transaction((tx) => this.writeBatch(tx, reports, now));
      } catch (e) {
        if (!(isUniqueViolation(e) || isTransientConflict(e)) || attempt >= MAX_KEY_RACE_RETRIES) throw e;
      }
    }
  }

  /** The report's API id: its own when free, else qualified by its source (deterministic, so tests and logs agree). */
  private async freeIdFor(tx: SqlRunner, r: IncidentReport): Promise<string> {
    const isTaken = async (id: string) =>
      (await tx.get(sql`SELECT 1 AS one FROM incidents WHERE id = ${id}`)) !== undefined;
    if (!(await isTaken(r.id))) return r.id;
    const qualified = `${r.source}-${r.id}`;
    if (!(await isTaken(qualified))) return qualified;
    for (let n = 2; n <= MAX_ID_SUFFIX; n++) {
      const candidate = `${qualified}-${n}`;
      if (!(await isTaken(candidate))) return candidate;
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
    await this.handleItems(items, path);
  }

  /**
   * Validates and writes one batch; `via` (a caller's open transaction) makes the write a savepoint of it,
   * so a caller's own rows (a work order's appeal type, an alarm's snapshot) land with the incidents.
   */
  async handleItems(items: unknown[], path: string, via: SqlRunner = this.db): Promise<IncidentIngestResult> {
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
    // Throws (and so leaves the entries unacknowledged) if the database cannot commit.
    const { created, ids } = valid.length > 0 ? await this.write(via, valid, now) : { created: [], ids: [] };
    for (const view of created) this.live.incidents.upsert(view);
    const duplicates = valid.length - created.length;
    for (let k = 0; k < duplicates; k++) this.stats.reject(path, 'duplicate');
    if (created.length > 0) this.stats.accept(path, created.length);
    const incidents = ids.map((o, k) => ({ index: validIndex[k]!, ...o }));
    return { accepted: created.length, rejected, duplicates, incidents };
  }
}
