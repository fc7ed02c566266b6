/**
 * Files written before photos and reports moved into the system of record (UPLOADS_DIR, REPORTS_DIR): read
 * where a row has no bytes, imported at start, and carried into PostgreSQL by the move. The size is checked
 * on the open handle before anything is read, so a file grown past its bound (or a device, or a directory
 * under the name) is refused instead of filling memory.
 */
import fs from 'node:fs/promises';

export type LegacyFile =
  { ok: true; data: Buffer; mtimeMs: number } | { ok: false; reason: 'missing' | 'too_large' | 'unreadable' };

export async function readLegacyFile(file: string, maxBytes: number): Promise<LegacyFile> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (e) {
    return { ok: false, reason: (e as { code?: string }).code === 'ENOENT' ? 'missing' : 'unreadable' };
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) return { ok: false, reason: 'unreadable' };
    if (st.size > maxBytes) return { ok: false, reason: 'too_large' };
    const data = Buffer.alloc(st.size);
    let at = 0;
    while (at < st.size) {
      const { bytesRead } = await handle.read(data, at, st.size - at, at);
      // Shorter than stat said: truncated while read, so not a whole file.
      if (bytesRead === 0) return { ok: false, reason: 'unreadable' };
      at += bytesRead;
    }
    return { ok: true, data, mtimeMs: Math.round(st.mtimeMs) };
  } catch {
    return { ok: false, reason: 'unreadable' };
  } finally {
    await handle.close().catch(() => {});
  }
}
