/**
 * The audit chain's head, kept outside the database. The hash chain proves no row was changed, removed or
 * re-ordered *before* the newest row, but not that the newest rows are still there: deleting the last N
 * rows leaves a shorter chain that verifies. So every AUDIT_ANCHOR_MS the newest (id, hash) is written to a
 * file beside the database and to the log (which a centre ships off the box), and verification requires
 * the anchored row to still be in the chain with that hash.
 *
 * The anchor never overwrites evidence: once the anchored row is gone or different, it stays as it is and
 * every verification fails until an administrator looks (after restoring a backup, delete the file).
 */
import fs from 'node:fs';
import type Database from 'better-sqlite3';
import type { Clock } from '@/lib/clock';
import type { AuditHead } from '@/lib/dispatch/api-types';
import type { Logger } from '../logger';

/** The newest rows written in this window can be removed without a trace (the price of not writing per row). */
export const AUDIT_ANCHOR_MS = 5_000;

export type { AuditHead };

export interface AnchorReading {
  head: AuditHead | null;
  /** The file exists but cannot be read as an anchor: that is itself tampering evidence. */
  error?: string;
}

/** The anchor path for a database file; null for an in-memory database (nothing to protect across runs). */
export function anchorPathFor(databasePath: string): string | null {
  return databasePath === ':memory:' ? null : `${databasePath}.audit-head.json`;
}

export function readAnchor(path: string): AnchorReading {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { head: null };
    return { head: null, error: `anchor unreadable: ${(e as Error).message}` };
  }
  try {
    const h = JSON.parse(text) as Partial<AuditHead>;
    if (Number.isInteger(h.id) && typeof h.hash === 'string' && /^[0-9a-f]{64}$/.test(h.hash))
      return { head: { id: h.id!, hash: h.hash, at: Number(h.at) || 0 } };
  } catch {
    // fall through
  }
  return { head: null, error: 'anchor file is not an anchor (edited?)' };
}

/** Why the chain no longer holds the anchored head, or null when it does. */
export function anchorProblem(sqlite: Database.Database, reading: AnchorReading): string | null {
  if (reading.error) return `${reading.error} (after restoring a backup, delete the anchor file)`;
  const head = reading.head;
  if (!head) return null;
  const row = sqlite.prepare('SELECT hash FROM audit_log WHERE id = ?').get(head.id) as
    { hash: string } | undefined;
  const when = new Date(head.at).toISOString();
  const remedy = '(after restoring a backup or re-creating the database, delete the anchor file)';
  if (!row)
    return `row ${head.id}, the chain's head at ${when}, is gone: rows were removed from the end ${remedy}`;
  if (row.hash !== head.hash)
    return `row ${head.id} no longer has the hash anchored at ${when}: rows were removed and others written ${remedy}`;
  return null;
}

export class AuditAnchor {
  private head: AuditHead | null;
  private problem: string | null;
  private readonly newest: Database.Statement<[], { id: number; hash: string }>;

  constructor(
    private readonly sqlite: Database.Database,
    readonly path: string,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    this.newest = sqlite.prepare('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1');
    const reading = readAnchor(path);
    this.head = reading.head;
    this.problem = anchorProblem(sqlite, reading);
    if (this.problem) this.reportProblem();
  }

  /** Moves the anchor to the chain's current head, unless the chain lost the anchored one. */
  tick(): void {
    if (this.problem) return;
    this.problem = anchorProblem(this.sqlite, { head: this.head });
    if (this.problem) {
      this.reportProblem();
      return;
    }
    const now = this.newest.get();
    if (!now || (this.head && this.head.id === now.id)) return;
    const head: AuditHead = { id: now.id, hash: now.hash, at: this.clock.now() };
    // Write-then-rename: a crash mid-write leaves the previous anchor, never half a file. Per process,
    // because scale-out processes sharing the database anchor the same file.
    const tmp = `${this.path}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify(head)}\n`);
    fs.renameSync(tmp, this.path);
    this.head = head;
    this.logger.info({ auditHead: head }, 'audit chain head anchored');
  }

  /** Anchors every AUDIT_ANCHOR_MS until the database closes; returns a stop function. */
  start(): () => void {
    const timer = setInterval(() => {
      if (!this.sqlite.open) {
        clearInterval(timer);
        return;
      }
      try {
        this.tick();
      } catch (e) {
        this.logger.error({ err: e }, 'audit anchor could not be written');
      }
    }, AUDIT_ANCHOR_MS);
    timer.unref();
    return () => clearInterval(timer);
  }

  private reportProblem(): void {
    this.logger.error(
      { anchor: this.head, path: this.path, problem: this.problem },
      'audit log lost its anchored head: the anchor is kept as evidence',
    );
  }
}
