/**
 * latest.json holds each part's newest whole measurement. A full `npm run bench` measures every part, about an
 * hour a run here; a partial one (`--only=… --merge`, or `--merge=FILE` for a partial result already written)
 * replaces the figures and details it measured and keeps the others. Every figure carries when it was measured
 * and the machine's load then, so a reader sees which came from which run.
 */
import fs from 'node:fs';
import type { Figure } from './figures';

export interface BenchResult {
  measuredAt: string;
  runs?: number;
  loadAverage?: { atStart: number[]; atEnd: number[] };
  figures: Record<string, Figure>;
  [detail: string]: unknown;
}

/** The run-level fields a merge must not copy as details. */
const RUN_FIELDS = new Set(['machine', 'mode', 'runs', 'measuredAt', 'loadAverage', 'durationS', 'figures']);

const isEmpty = (v: unknown) => v === undefined || v === null || (Array.isArray(v) && v.length === 0);

function stampFigures(r: BenchResult): Record<string, Figure> {
  return Object.fromEntries(
    Object.entries(r.figures).map(([k, f]) => [
      k,
      { ...f, measuredAt: f.measuredAt ?? r.measuredAt, loadAverage: f.loadAverage ?? r.loadAverage },
    ]),
  );
}

export function mergeIntoLatest(latestFile: string, partial: BenchResult): string[] {
  const latest = fs.existsSync(latestFile)
    ? (JSON.parse(fs.readFileSync(latestFile, 'utf8')) as BenchResult)
    : { measuredAt: partial.measuredAt, figures: {} };
  const merged: BenchResult = {
    ...latest,
    figures: { ...stampFigures(latest), ...stampFigures(partial) },
    // The newest part's time: a kept older result merged later does not make the file look older.
    measuredAt: partial.measuredAt > latest.measuredAt ? partial.measuredAt : latest.measuredAt,
  };
  for (const [k, v] of Object.entries(partial)) {
    if (!RUN_FIELDS.has(k) && !isEmpty(v)) merged[k] = v;
  }
  for (const k of ['machine', 'mode', 'runs', 'loadAverage', 'durationS'])
    merged[k] = partial[k] ?? latest[k];
  fs.writeFileSync(latestFile, `${JSON.stringify(merged, null, 2)}\n`);
  return Object.keys(partial.figures);
}
