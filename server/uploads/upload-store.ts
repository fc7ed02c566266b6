import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
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

/**
 * Content-addressed photo storage under UPLOADS_DIR: `<dir>/<hash[0..2]>/<hash>.jpg` and `.thumb.jpg`, written
 * to a temporary name and renamed, so a reader never sees half a file and a second writer of the same photo
 * replaces it with identical bytes. The `uploads` row records who sent it first; attachments tie it to incidents.
 */
export class UploadStore {
  private readonly insertUpload: Database.Statement;
  private readonly selectUpload: Database.Statement<
    [string],
    { hash: string; createdBy: string } & Record<string, unknown>
  >;
  private readonly insertAttachment: Database.Statement;
  private readonly countAttachments: Database.Statement<[string], number>;
  private readonly listAttachments: Database.Statement<[string], AttachmentView>;
  private readonly incidentsOfHash: Database.Statement<
    [string],
    { incidentId: string; gridCode: string | null; assigneeKind: string | null; assigneeId: string | null }
  >;

  constructor(
    private readonly sqlite: Database.Database,
    readonly dir: string,
  ) {
    this.insertUpload = sqlite.prepare(
      `INSERT OR IGNORE INTO uploads (hash, mime, bytes, width, height, created_by, created_at)
       VALUES (@hash, @mime, @bytes, @width, @height, @createdBy, @createdAt)`,
    );
    this.selectUpload = sqlite.prepare(
      'SELECT hash, created_by AS createdBy, width, height FROM uploads WHERE hash = ?',
    );
    this.insertAttachment = sqlite.prepare(
      `INSERT OR IGNORE INTO incident_attachments (incident_id, hash, added_by, added_at) VALUES (?, ?, ?, ?)`,
    );
    this.countAttachments = sqlite
      .prepare<[string], number>('SELECT COUNT(*) FROM incident_attachments WHERE incident_id = ?')
      .pluck();
    this.listAttachments = sqlite.prepare(
      `SELECT a.hash, u.width, u.height, a.added_by AS addedBy, a.added_at AS addedAt
       FROM incident_attachments a JOIN uploads u ON u.hash = a.hash
       WHERE a.incident_id = ? ORDER BY a.added_at, a.id`,
    );
    this.incidentsOfHash = sqlite.prepare(
      `SELECT i.id AS incidentId, i.grid_code AS gridCode, i.assignee_kind AS assigneeKind, i.assignee_id AS assigneeId
       FROM incident_attachments a JOIN incidents i ON i.id = a.incident_id WHERE a.hash = ?`,
    );
  }

  fileOf(hash: string, isThumb: boolean): string {
    if (!HASH_PATTERN.test(hash)) throw new Error('not a stored photo name');
    return path.join(this.dir, hash.slice(0, 2), `${hash}${isThumb ? '.thumb' : ''}.jpg`);
  }

  /** Writes the files (if new) and the row; answers whether this photo was already stored. */
  save(photo: ProcessedPhoto, createdBy: string, now: number): { isNew: boolean } {
    const full = this.fileOf(photo.hash, false);
    const thumb = this.fileOf(photo.hash, true);
    if (!fs.existsSync(full) || !fs.existsSync(thumb)) {
      fs.mkdirSync(path.dirname(full), { recursive: true });
      writeAtomic(full, photo.data);
      writeAtomic(thumb, photo.thumb);
    }
    const r = this.insertUpload.run({
      hash: photo.hash,
      mime: photo.mime,
      bytes: photo.data.length,
      width: photo.width,
      height: photo.height,
      createdBy,
      createdAt: now,
    });
    return { isNew: r.changes > 0 };
  }

  exists(hash: string): { createdBy: string } | null {
    if (!HASH_PATTERN.test(hash)) return null;
    return this.selectUpload.get(hash) ?? null;
  }

  /** Ties stored photos to an incident (a photo already there is left as is); refuses past the bound. */
  attach(
    incidentId: string,
    hashes: readonly string[],
    by: string,
    now: number,
  ): { added: number } | { error: string } {
    const existing = this.countAttachments.get(incidentId) ?? 0;
    if (existing + hashes.length > MAX_ATTACHMENTS_PER_INCIDENT)
      return { error: `每个事件最多 ${MAX_ATTACHMENTS_PER_INCIDENT} 张照片` };
    let added = 0;
    for (const h of hashes) added += this.insertAttachment.run(incidentId, h, by, now).changes;
    return { added };
  }

  list(incidentId: string): AttachmentView[] {
    return this.listAttachments.all(incidentId);
  }

  /** The incidents a photo is attached to, with what access checks read (grid for region, assignee for workers). */
  incidentsOf(hash: string) {
    return this.incidentsOfHash.all(hash);
  }
}

function writeAtomic(file: string, data: Buffer): void {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}
