import { sql } from 'drizzle-orm';
import type { Clock } from '@/lib/clock';
import type { Crs } from '@/lib/domain/enums';
import type { RuleOutcome } from '@/lib/alarms/rules';
import type { SqlDb } from '../db/sql-db';
import type { IncidentIngest } from '../ingest/incident-ingest';
import type { IngestStats } from '../ingest/ingest-stats';
import type { SnapshotStore, StoredSnapshot } from './snapshot-store';

/** Repeats of one alarm (same camera, same kind) within this long after the last one are one incident. */
export const ALARM_DEDUPE_WINDOW_MS = 10 * 60_000;
/** 'alrm' in ASCII: the class of the two-key advisory locks (camera and kind hashed) that fold repeats on PostgreSQL. */
const ALARM_DEDUPE_LOCK = 0x616c726d;
/** (camera, kind) pairs whose last alarm time is remembered; past it the oldest are forgotten (the database
 * still answers for the incident's own time). */
const MAX_DEDUPE_KEYS = 100_000;
const SOURCE = 'video_patrol';

/** One alarm, already matched against the rules. */
export interface AlarmEvent {
  cameraId: string;
  /** `gb5-6` (AlarmMethod-AlarmType) or `ai-smoke_fire`: the dedupe key with the camera. */
  kind: string;
  outcome: RuleOutcome;
  /** The alarm's own priority (GB AlarmPriority), used when the rule names none. */
  priority: 1 | 2 | 3 | 4 | null;
  time: number | null;
  lng?: number | null;
  lat?: number | null;
  crs?: Crs;
  detail: string;
  /** Checked already (decodeSnapshot); stored with the incident it belongs to. */
  snapshot?: StoredSnapshot | null;
}

export type AlarmOutcome =
  | { status: 'created' | 'duplicate'; incidentId: string }
  | { status: 'ignored'; rule: string }
  | { status: 'rejected'; reason: string };

interface CameraRow {
  id: string;
  name: string | null;
  lng: number | null;
  lat: number | null;
  disabledAt: number | null;
}

/**
 * Camera alarms (GB/T 28181 or AI platforms) into incidents of source `video_patrol`, with the camera
 * attached. Each alarm stands alone: an unknown camera, an ignored type or a repeat is answered and counted
 * by reason, never stops the rest. Repeats are folded by (camera, kind) within ALARM_DEDUPE_WINDOW_MS of the
 * last alarm; the incident's source ref `<camera>:<kind>:<ms>` lets a restarted server still find the last one.
 */
export class AlarmIntake {
  private readonly lastSeen = new Map<string, number>();

  constructor(
    private readonly db: SqlDb,
    private readonly ingest: IncidentIngest,
    private readonly stats: IngestStats,
    private readonly clock: Clock,
    private readonly snapshots: SnapshotStore,
  ) {}

  async handle(e: AlarmEvent, path: string): Promise<AlarmOutcome> {
    const reject = (reason: string): AlarmOutcome => {
      this.stats.reject(path, reason, `${e.cameraId} ${e.kind}`);
      return { status: 'rejected', reason };
    };
    const cam = await this.db.get<CameraRow>(
      sql`SELECT id, name, lng, lat, disabled_at AS "disabledAt" FROM cameras WHERE id = ${e.cameraId}`,
    );
    if (!cam) return reject('unknown_camera');
    if (cam.disabledAt !== null) return reject('camera_disabled');
    if (e.outcome.isIgnored) {
      this.stats.reject(path, 'ignored_by_rule', `${e.cameraId} ${e.kind} ${e.outcome.rule}`);
      return { status: 'ignored', rule: e.outcome.rule };
    }
    const hasOwnPosition = e.lng != null && e.lat != null;
    if (!hasOwnPosition && (cam.lng === null || cam.lat === null)) return reject('no_position');
    const now = this.clock.now();
    const key = `${e.cameraId}:${e.kind}:`;
    const outcome = e.outcome;
    return this.db.transaction(async (tx): Promise<AlarmOutcome> => {
      // PostgreSQL: repeats of one alarm on several connections (or processes) take turns from here to their
      // commit, so the second reads the incident the first opened (a fresh snapshot per statement) instead of
      // opening its own. On SQLite the transaction already holds the one write lock.
      if (tx.dialect === 'postgres')
        await tx.run(sql`SELECT pg_advisory_xact_lock(${ALARM_DEDUPE_LOCK}, hashtext(${key}))`);
      // The (source, source_ref) index serves this range; refs of one key sort by their zero-padded time.
      // PostgreSQL compares bytes only under the C collation (a locale's would skip the ':' and ';').
      const ref = sql.raw(tx.dialect === 'postgres' ? 'source_ref COLLATE "C"' : 'source_ref');
      const last = await tx.get<{ id: string; ref: string }>(
        sql`SELECT id, source_ref AS ref FROM incidents WHERE source = ${SOURCE} AND ${ref} >= ${key} AND ${ref} < ${`${key};`}
            ORDER BY source_ref DESC LIMIT 1`,
      );
      const lastAt = Math.max(Number(last?.ref.slice(key.length)) || 0, this.lastSeen.get(key) ?? 0);
      this.remember(key, now);
      if (last && now - lastAt < ALARM_DEDUPE_WINDOW_MS) {
        this.stats.reject(path, 'duplicate');
        return { status: 'duplicate', incidentId: last.id };
      }
      const r = await this.ingest.handleItems(
        [
          {
            id: `${key}${String(now).padStart(13, '0')}`,
            category: outcome.category,
            title: `${outcome.title}·${cam.name ?? cam.id}`.slice(0, 200),
            detail: e.detail.slice(0, 4000),
            lng: hasOwnPosition ? e.lng : cam.lng,
            lat: hasOwnPosition ? e.lat : cam.lat,
            crs: hasOwnPosition ? e.crs : undefined,
            priority: outcome.priority ?? e.priority ?? 3,
            source: SOURCE,
            // A device clock ahead of ours must not make the alarm "in the future" (and refused).
            reportedAt: Math.min(e.time ?? now, now),
          },
        ],
        path,
        tx,
      );
      const made = r.incidents[0];
      if (!made) return { status: 'rejected', reason: r.rejected[0]?.reason ?? 'invalid' };
      // In this transaction: no incident names a snapshot that is not stored, and a repeat, an ignored or a
      // refused alarm stores none.
      const sha = e.snapshot ? await this.snapshots.put(e.snapshot.bytes, e.snapshot.type, now, tx) : null;
      await tx.run(
        sql`UPDATE incidents SET camera_id = ${e.cameraId}, snapshot_sha256 = ${sha} WHERE id = ${made.id}`,
      );
      return { status: made.isDuplicate ? 'duplicate' : 'created', incidentId: made.id };
    });
  }

  private remember(key: string, at: number): void {
    this.lastSeen.delete(key);
    if (this.lastSeen.size >= MAX_DEDUPE_KEYS) {
      const oldest = this.lastSeen.keys().next().value;
      if (oldest !== undefined) this.lastSeen.delete(oldest);
    }
    this.lastSeen.set(key, at);
  }
}
