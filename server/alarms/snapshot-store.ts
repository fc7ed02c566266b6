import { createHash } from 'node:crypto';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { readLegacyFile } from '../db/legacy-file';
import type { SqlRunner } from '../db/sql-db';

/** A decoded snapshot larger than this is refused (a 1080p JPEG is 200–600 KB). */
export const MAX_SNAPSHOT_BYTES = 2 * 1024 * 1024;
const SHA256_PATTERN = /^[0-9a-f]{64}$/;
/** Snapshot names `carryFiles` reads per query (64 bytes each). */
const CARRY_PAGE_ROWS = 500;
/** Snapshots without a readable file that `carryFiles` names (the rest are counted). */
const CARRY_MISSING_NAMED = 20;
const BASE64_PATTERN = /^[A-Za-z0-9+/]*={0,2}$/;

export type SnapshotType = 'jpeg' | 'png';
export const SNAPSHOT_MIME: Record<SnapshotType, string> = { jpeg: 'image/jpeg', png: 'image/png' };

/** The image type by its magic bytes (the name or a declared type proves nothing). */
export function sniffSnapshot(b: Uint8Array): SnapshotType | null {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (b.length >= png.length && png.every((v, i) => b[i] === v)) return 'png';
  return null;
}

export type DecodedSnapshot =
  | { ok: true; bytes: Buffer; type: SnapshotType }
  | { ok: false; reason: 'snapshot_not_base64' | 'snapshot_too_large' | 'snapshot_not_image' };

/** Base64 (or a data: URL) to checked bytes: size first (from the length, before decoding), then magic bytes. */
export function decodeSnapshot(text: string): DecodedSnapshot {
  const b64 = text.startsWith('data:') ? text.slice(text.indexOf(',') + 1) : text;
  const compact = b64.replace(/\s+/g, '');
  if (Math.floor((compact.length * 3) / 4) > MAX_SNAPSHOT_BYTES + 2)
    return { ok: false, reason: 'snapshot_too_large' };
  if (compact.length === 0 || compact.length % 4 !== 0 || !BASE64_PATTERN.test(compact))
    return { ok: false, reason: 'snapshot_not_base64' };
  const bytes = Buffer.from(compact, 'base64');
  if (bytes.length > MAX_SNAPSHOT_BYTES) return { ok: false, reason: 'snapshot_too_large' };
  const type = sniffSnapshot(bytes);
  return type ? { ok: true, bytes, type } : { ok: false, reason: 'snapshot_not_image' };
}

/** Where an older version wrote alarm snapshots as files: only read now, for snapshots that have no row. */
export const legacySnapshotDir = (uploadsDir: string) => path.join(uploadsDir, 'alarm-snapshots');

/** Where an older version wrote one snapshot under legacySnapshotDir: `<sha[0..2]>/<sha>.<jpg|png>`. */
export function snapshotFilePath(dir: string, sha: string, type: SnapshotType): string {
  if (!SHA256_PATTERN.test(sha)) throw new Error('not a snapshot name');
  return path.join(dir, sha.slice(0, 2), `${sha}.${type === 'jpeg' ? 'jpg' : 'png'}`);
}

export interface StoredSnapshot {
  bytes: Buffer;
  type: SnapshotType;
}

type LegacySnapshot =
  | ({ ok: true; mtimeMs: number } & StoredSnapshot)
  | { ok: false; reason: 'missing' | 'too_large' | 'unreadable' | 'not_an_image' };

/**
 * Alarm snapshots in the system of record, content-addressed: the `alarm_snapshots` row, keyed by the
 * sha256 of the bytes, so every host serves a snapshot whichever host received the alarm, and the same
 * picture sent twice is one row. Kept apart from the field photos of server/uploads (re-encoded, EXIF
 * stripped, thumbnailed): a camera snapshot is evidence as the platform sent it, and carries no phone's
 * location data. A snapshot an older version wrote as a file (snapshotFilePath) has no row: it is read from
 * its file, on the host that has it (`npm run db:migrate-to-postgres` carries it into PostgreSQL).
 */
export class SnapshotStore {
  constructor(
    /** The database, or (the move to PostgreSQL) a transaction on it. */
    private readonly db: SqlRunner,
    /** legacySnapshotDir(UPLOADS_DIR): only read, for snapshots that have no row. */
    readonly dir: string,
  ) {}

  /**
   * Stores the bytes (once) and returns their sha256. `via`: the caller's transaction, so the snapshot
   * commits with the incident that names it, or not at all.
   */
  async put(bytes: Buffer, type: SnapshotType, now: number, via: SqlRunner = this.db): Promise<string> {
    // decodeSnapshot refuses these already; a caller that built its own must not store more, or a lie.
    if (bytes.length > MAX_SNAPSHOT_BYTES) throw new Error(`snapshot over its bound (${bytes.length} bytes)`);
    if (sniffSnapshot(bytes) !== type) throw new Error(`snapshot bytes are not ${type}`);
    const sha = createHash('sha256').update(bytes).digest('hex');
    await via.run(
      sql`INSERT INTO alarm_snapshots (sha256, type, bytes, created_at, body)
          VALUES (${sha}, ${type}, ${bytes.length}, ${now}, ${bytes})
          ON CONFLICT (sha256) DO NOTHING`,
    );
    return sha;
  }

  /**
   * The snapshot: from its row, else (stored before snapshots moved into the database) from its file; null
   * when there is none, or its file is on no disk this process can read, over the bound, or not an image.
   */
  async read(sha: string): Promise<StoredSnapshot | null> {
    if (!SHA256_PATTERN.test(sha)) return null;
    const row = await this.db.get<{ type: SnapshotType; body: Buffer }>(
      sql`SELECT type, body FROM alarm_snapshots WHERE sha256 = ${sha}`,
    );
    if (row) return { bytes: row.body, type: row.type };
    const file = await this.readFile(sha);
    return file.ok ? { bytes: file.bytes, type: file.type } : null;
  }

  /** The file an older version wrote, typed by its bytes (its name proves nothing). */
  private async readFile(sha: string): Promise<LegacySnapshot> {
    for (const named of ['jpeg', 'png'] as const) {
      const file = await readLegacyFile(snapshotFilePath(this.dir, sha, named), MAX_SNAPSHOT_BYTES);
      if (!file.ok && file.reason === 'missing') continue;
      if (!file.ok) return file;
      const type = sniffSnapshot(file.data);
      return type
        ? { ok: true, bytes: file.data, type, mtimeMs: file.mtimeMs }
        : { ok: false, reason: 'not_an_image' };
    }
    return { ok: false, reason: 'missing' };
  }

  /**
   * Stores the snapshots that incidents name but the database lacks, from the files an older version wrote
   * (`npm run db:migrate-to-postgres` runs it in its transaction). Only named ones: a file no incident names
   * (an alarm refused after its picture was kept) is left behind. A file that is missing, over the bound,
   * not an image or not the bytes its name says is named in the answer and stores nothing.
   */
  async carryFiles(): Promise<{
    carried: number;
    missing: number;
    named: { sha256: string; reason: string }[];
  }> {
    const named: { sha256: string; reason: string }[] = [];
    let carried = 0;
    let missing = 0;
    let after = '';
    for (;;) {
      const page = await this.db.all<{ sha: string }>(
        sql`SELECT DISTINCT i.snapshot_sha256 AS sha FROM incidents i
            WHERE i.snapshot_sha256 > ${after}
              AND NOT EXISTS (SELECT 1 FROM alarm_snapshots s WHERE s.sha256 = i.snapshot_sha256)
            ORDER BY 1 LIMIT ${CARRY_PAGE_ROWS}`,
      );
      for (const { sha } of page) {
        const reason = await this.carryOne(sha);
        if (reason === null) carried++;
        else if (missing++ < CARRY_MISSING_NAMED) named.push({ sha256: sha, reason });
      }
      if (page.length < CARRY_PAGE_ROWS) break;
      after = page[page.length - 1]!.sha;
    }
    return { carried, missing, named };
  }

  /** Stores one file-only snapshot, received when its file was last written; the reason it could not, or null. */
  private async carryOne(sha: string): Promise<string | null> {
    if (!SHA256_PATTERN.test(sha)) return 'not_a_snapshot_name';
    const file = await this.readFile(sha);
    if (!file.ok) return file.reason;
    // The key is the content: bytes that are not what the name says would be served as that snapshot.
    if (createHash('sha256').update(file.bytes).digest('hex') !== sha) return 'content_mismatch';
    await this.put(file.bytes, file.type, file.mtimeMs);
    return null;
  }
}
