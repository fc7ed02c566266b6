import path from 'node:path';
import { sql } from 'drizzle-orm';
import { readLegacyFile } from '../db/legacy-file';
import { flag, forUpdate, type SqlRunner } from '../db/sql-db';
import type { ProcessedPhoto } from './photo';
import { HASH_PATTERN, MAX_STORED_PHOTO_BYTES, MAX_THUMB_BYTES } from './photo';

export interface AttachmentView {
  hash: string;
  width: number;
  height: number;
  addedBy: string;
  addedAt: number;
}

/** Photos an incident may carry; a further one is refused (each is a row and a thumbnail to draw). */
export const MAX_ATTACHMENTS_PER_INCIDENT = 30;
/** Rows `carryFiles` reads per query (hashes only: 64 bytes each). */
const CARRY_PAGE_ROWS = 500;
/** Photos without a readable file that `carryFiles` names (the rest are counted). */
const CARRY_MISSING_NAMED = 20;

const tooMany = () => ({ error: `每个事件最多 ${MAX_ATTACHMENTS_PER_INCIDENT} 张照片` });

/** Where an older version wrote a photo under UPLOADS_DIR: `<dir>/<hash[0..2]>/<hash>.jpg` and `.thumb.jpg`. */
export function photoFilePath(dir: string, hash: string, isThumb: boolean): string {
  if (!HASH_PATTERN.test(hash)) throw new Error('not a stored photo name');
  return path.join(dir, hash.slice(0, 2), `${hash}${isThumb ? '.thumb' : ''}.jpg`);
}

/**
 * Content-addressed photo storage in the system of record: the `uploads` row, keyed by the sha256 of the
 * stored bytes, holds the JPEG and its thumbnail, so every host serves a photo whichever host received it,
 * and the row, its bytes and its audit record commit together or not at all. A row written before the
 * bytes moved into the database has none: its files under UPLOADS_DIR (photoFilePath) are read instead, on
 * the host that has them (`npm run db:migrate-to-postgres` carries them into PostgreSQL).
 */
export class UploadStore {
  constructor(
    /** The database, or (the move to PostgreSQL) a transaction on it. */
    private readonly db: SqlRunner,
    /** UPLOADS_DIR: only read, for rows that have no bytes. */
    readonly dir: string,
  ) {}

  fileOf(hash: string, isThumb: boolean): string {
    return photoFilePath(this.dir, hash, isThumb);
  }

  /**
   * Stores the row with its bytes, unless this photo is stored already (then nothing changes, not even a
   * row that has no bytes); answers whether it was new. `via`: the caller's transaction (the row and its
   * audit record commit together).
   */
  async save(
    photo: ProcessedPhoto,
    createdBy: string,
    now: number,
    via: SqlRunner = this.db,
  ): Promise<{ isNew: boolean }> {
    // processPhoto refuses these already; a caller that built its own photo must not store more.
    if (photo.data.length > MAX_STORED_PHOTO_BYTES || photo.thumb.length > MAX_THUMB_BYTES)
      throw new Error(`photo over its stored bound (${photo.data.length} + ${photo.thumb.length} bytes)`);
    const r = await via.run(
      sql`INSERT INTO uploads (hash, mime, bytes, width, height, created_by, created_at, data, thumb)
          VALUES (${photo.hash}, ${photo.mime}, ${photo.data.length}, ${photo.width}, ${photo.height}, ${createdBy}, ${now},
                  ${photo.data}, ${photo.thumb})
          ON CONFLICT (hash) DO NOTHING`,
    );
    return { isNew: r.changes > 0 };
  }

  /**
   * The stored JPEG or its thumbnail: from the row, else (a row from before the bytes were kept there) from
   * its file; null when there is no such photo, or its bytes are on no disk this process can read.
   */
  async read(hash: string, isThumb: boolean): Promise<Buffer | null> {
    if (!HASH_PATTERN.test(hash)) return null;
    const row = await this.db.get<{ bytes: Buffer | null }>(
      isThumb
        ? sql`SELECT thumb AS bytes FROM uploads WHERE hash = ${hash}`
        : sql`SELECT data AS bytes FROM uploads WHERE hash = ${hash}`,
    );
    if (!row) return null;
    if (row.bytes) return row.bytes;
    const file = await readLegacyFile(
      this.fileOf(hash, isThumb),
      isThumb ? MAX_THUMB_BYTES : MAX_STORED_PHOTO_BYTES,
    );
    return file.ok ? file.data : null;
  }

  /**
   * Fills in the bytes of rows stored before they were kept in the database, from their files, one photo
   * at a time (`npm run db:migrate-to-postgres` runs it in its transaction); a row whose file is missing or
   * over its bound keeps no bytes for it and is named in the answer.
   */
  async carryFiles(): Promise<{
    carried: number;
    missing: number;
    named: { hash: string; isThumb: boolean; reason: string }[];
  }> {
    const named: { hash: string; isThumb: boolean; reason: string }[] = [];
    let carried = 0;
    let missing = 0;
    let after = '';
    for (;;) {
      const page = await this.db.all<{ hash: string; hasData: number | boolean; hasThumb: number | boolean }>(
        sql`SELECT hash, data IS NOT NULL AS "hasData", thumb IS NOT NULL AS "hasThumb" FROM uploads
            WHERE (data IS NULL OR thumb IS NULL) AND hash > ${after} ORDER BY hash LIMIT ${CARRY_PAGE_ROWS}`,
      );
      for (const row of page) {
        const bytes: Partial<Record<'data' | 'thumb', Buffer>> = {};
        for (const isThumb of [false, true]) {
          if (flag(isThumb ? row.hasThumb : row.hasData)) continue;
          if (!HASH_PATTERN.test(row.hash)) continue; // not a name this store ever wrote a file under
          const file = await readLegacyFile(
            this.fileOf(row.hash, isThumb),
            isThumb ? MAX_THUMB_BYTES : MAX_STORED_PHOTO_BYTES,
          );
          if (file.ok) bytes[isThumb ? 'thumb' : 'data'] = file.data;
          else if (missing++ < CARRY_MISSING_NAMED)
            named.push({ hash: row.hash, isThumb, reason: file.reason });
        }
        if (bytes.data || bytes.thumb) {
          await this.db.run(
            sql`UPDATE uploads SET data = COALESCE(data, ${bytes.data ?? null}), thumb = COALESCE(thumb, ${bytes.thumb ?? null})
                WHERE hash = ${row.hash}`,
          );
          carried++;
        }
      }
      if (page.length < CARRY_PAGE_ROWS) break;
      after = page[page.length - 1]!.hash;
    }
    return { carried, missing, named };
  }

  async exists(hash: string): Promise<{ createdBy: string } | null> {
    if (!HASH_PATTERN.test(hash)) return null;
    const row = await this.db.get<{ createdBy: string }>(
      sql`SELECT created_by AS "createdBy" FROM uploads WHERE hash = ${hash}`,
    );
    return row ?? null;
  }

  /**
   * Ties stored photos to an incident (a photo already there is left as is); refuses past the bound. In a
   * transaction of its own, or a savepoint of the one `via` is in.
   */
  attach(
    incidentId: string,
    hashes: readonly string[],
    by: string,
    now: number,
    via: SqlRunner = this.db,
  ): Promise<{ added: number } | { error: string }> {
    return via.transaction(async (tx) => {
      // PostgreSQL: two attaches to one incident take turns on its row, so the bound holds between them.
      await tx.get(sql`SELECT id FROM incidents WHERE id = ${incidentId}${forUpdate(tx)}`);
      const existing = await tx.get<{ n: number }>(
        sql`SELECT COUNT(*) AS n FROM incident_attachments WHERE incident_id = ${incidentId}`,
      );
      if ((existing?.n ?? 0) + hashes.length > MAX_ATTACHMENTS_PER_INCIDENT) return tooMany();
      let added = 0;
      for (const h of hashes) {
        const r = await tx.run(
          sql`INSERT INTO incident_attachments (incident_id, hash, added_by, added_at) VALUES (${incidentId}, ${h}, ${by}, ${now})
              ON CONFLICT (incident_id, hash) DO NOTHING`,
        );
        added += r.changes;
      }
      return { added };
    });
  }

  list(incidentId: string): Promise<AttachmentView[]> {
    return this.db.all<AttachmentView>(
      sql`SELECT a.hash, u.width, u.height, a.added_by AS "addedBy", a.added_at AS "addedAt"
          FROM incident_attachments a JOIN uploads u ON u.hash = a.hash
          WHERE a.incident_id = ${incidentId} ORDER BY a.added_at, a.id`,
    );
  }

  /** The incidents a photo is attached to, with what access checks read (grid for region, assignee for workers). */
  incidentsOf(hash: string) {
    return this.db.all<{
      incidentId: string;
      gridCode: string | null;
      assigneeKind: string | null;
      assigneeId: string | null;
    }>(
      sql`SELECT i.id AS "incidentId", i.grid_code AS "gridCode", i.assignee_kind AS "assigneeKind", i.assignee_id AS "assigneeId"
          FROM incident_attachments a JOIN incidents i ON i.id = a.incident_id WHERE a.hash = ${hash}`,
    );
  }
}
