import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** A decoded snapshot larger than this is refused (a 1080p JPEG is 200–600 KB). */
export const MAX_SNAPSHOT_BYTES = 2 * 1024 * 1024;
const SHA256_PATTERN = /^[0-9a-f]{64}$/;
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

/**
 * Alarm snapshots, content-addressed: `<dir>/<sha[0..2]>/<sha>.<jpg|png>`, written to a temporary name and
 * renamed, so a reader never sees half a file and the same picture sent twice is stored once. Kept apart from
 * the field photos of server/uploads (re-encoded, EXIF stripped, thumbnailed): a camera snapshot is evidence
 * as the platform sent it, and carries no phone's location data.
 */
export class SnapshotStore {
  constructor(readonly dir: string) {}

  private fileOf(sha: string, type: SnapshotType): string {
    if (!SHA256_PATTERN.test(sha)) throw new Error('not a snapshot name');
    return path.join(this.dir, sha.slice(0, 2), `${sha}.${type === 'jpeg' ? 'jpg' : 'png'}`);
  }

  /** Stores the bytes (once) and returns their sha256. */
  put(bytes: Buffer, type: SnapshotType): string {
    const sha = createHash('sha256').update(bytes).digest('hex');
    const file = this.fileOf(sha, type);
    if (fs.existsSync(file)) return sha;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    fs.writeFileSync(tmp, bytes);
    fs.renameSync(tmp, file);
    return sha;
  }

  /** The stored file and its type, or null when it is not there. */
  find(sha: string): { file: string; type: SnapshotType } | null {
    if (!SHA256_PATTERN.test(sha)) return null;
    for (const type of ['jpeg', 'png'] as const) {
      const file = this.fileOf(sha, type);
      if (fs.existsSync(file)) return { file, type };
    }
    return null;
  }
}
