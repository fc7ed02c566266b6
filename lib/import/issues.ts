/**
 * What an import says about its input: errors (nothing is written while there is one) and warnings (written,
 * but worth a look), each with its place (`feature 17 (330106001001001)`, `row 17`) and, for tables, the field.
 * A 100k-row file full of mistakes must not build a 100k-entry answer: each list keeps the first
 * MAX_ISSUES_KEPT and counts the rest.
 */

/** Issues of one kind kept per import (first come); the rest are only counted. */
export const MAX_ISSUES_KEPT = 1_000;

export interface ImportIssue {
  at: string;
  field?: string;
  message: string;
}

/** The answer of every import, dry run or not (DESIGN §4 HTTP; the admin page and the CLI print it). */
export interface ImportResult {
  ok: boolean;
  dryRun: boolean;
  kind: ImportKind;
  fileName: string | null;
  sha256: string;
  created: number;
  updated: number;
  unchanged: number;
  /** The first MAX_ISSUES_KEPT, then (when there were more) one line at `file` saying how many more. */
  errors: ImportIssue[];
  warnings: ImportIssue[];
  /** Issues beyond MAX_ISSUES_KEPT, counted but not listed. */
  moreErrors: number;
  moreWarnings: number;
  /** The import_runs row written (absent on a dry run or a refused file). */
  runId?: number;
}

export const IMPORT_KINDS = ['territory', 'cameras', 'vehicles', 'workers', 'departments'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];
export type RegistryKind = Exclude<ImportKind, 'territory'>;

export function isImportKind(v: string): v is ImportKind {
  return (IMPORT_KINDS as readonly string[]).includes(v);
}

/** A bounded list: keeps the first `max` issues and counts the others. */
export class IssueList {
  readonly items: ImportIssue[] = [];
  more = 0;

  constructor(private readonly max = MAX_ISSUES_KEPT) {}

  add(at: string, message: string, field?: string): void {
    if (this.items.length >= this.max) {
      this.more++;
      return;
    }
    this.items.push(field === undefined ? { at, message } : { at, field, message });
  }

  get count(): number {
    return this.items.length + this.more;
  }

  /** The kept issues, and when some were only counted a last line saying how many (for a UI that lists them). */
  listed(noun: string): ImportIssue[] {
    if (this.more === 0) return this.items;
    return [
      ...this.items,
      { at: 'file', message: `另有 ${this.more} 个${noun}未列出（只列出前 ${this.max} 个）` },
    ];
  }
}

/** An error that stops a file as a whole (unreadable, wrong format): reported as one issue at `at`. */
export class ImportFileError extends Error {
  constructor(
    readonly at: string,
    message: string,
  ) {
    super(message);
  }
}
