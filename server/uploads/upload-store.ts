import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { forUpdate, type SqlDb, type SqlRunner } from '../db/sql-db';
import type { ProcessedPhoto } from './photo';
import { HASH_PATTERN } from './photo';

export interface AttachmentView {
  hash: string;
  width: number;
  height: number;
  addedBy: string;
  addedAt: number;
}

/** Photos an incident may carry; a further one is refused (each is a file, a row and a thumbnail to draw). */
export const MAX_ATTACHMENTS_PER_INCIDENT = 30;

const tooMany = () => ({ error: `每个事件最多 ${MAX_ATTACHMENTS_PER_INCIDENT} 张照片` });

/**
 * Content-addressed photo storage under UPLOADS_DIR: `<dir>/<hash[0..2]>/<hash>.jpg` and `.thumb.jpg`, written
 * to a temporary name and renamed, so a reader never sees half a file and a second writer of the same photo
 * replaces it with identical bytes. The `uploads` row records who sent it first; attachments tie it to incidents.
 */
export class UploadStore {
  constructor(
    private readonly db: SqlDb,
    readonly dir: string,
  ) {}

  fileOf(hash: string, isThumb: boolean): string {
    if (!HASH_PATTERN.test(hash)) throw new Error('not a stored photo name');
    return path.join(this.dir, hash.slice(0, 2), `${hash}${isThumb ? '.thumb' : ''}.jpg`);
  }

  /**
   * Writes the files (if new) and the row; answers whether this photo was already stored. `via`: the
   * caller's transaction (the row and its audit record commit together).
   */
  async save(
    photo: ProcessedPhoto,
    createdBy: string,
    now: number,
    via: SqlRunner = this.db,
  ): Promise<{ isNew: boolean }> {
    const full = this.fileOf(photo.hash, false);
    const thumb = this.fileOf(photo.hash, true);
    if (!fs.existsSync(full) || !fs.existsSync(thumb)) {
      fs.mkdirSync(path.dirname(full), { recursive: true });
      writeAtomic(full, photo.data);
      writeAtomic(thumb, photo.thumb);
    }
    const r = await via.run(
      sql`INSERT INTO uploads (hash, mime, bytes, width, height, created_by, created_at)
          VALUES (${photo.hash}, ${photo.mime}, ${photo.data.length}, ${photo.width}, ${photo.height}, ${createdBy}, ${now})
          ON CONFLICT (hash) DO NOTHING`,
    );
    return { isNew: r.changes > 0 };
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

function writeAtomic(file: string, data: Buffer): void {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}
