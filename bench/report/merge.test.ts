import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Figure } from './figures';
import { mergeIntoLatest, type BenchResult } from './merge';

const fig = (value: number): Figure => ({
  value,
  unit: 'u',
  baseline: null,
  target: 1,
  ratio: null,
  met: true,
  note: '',
});

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function latestWith(r: object): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'merge-'));
  dirs.push(dir);
  const file = path.join(dir, 'latest.json');
  fs.writeFileSync(file, JSON.stringify(r));
  return file;
}

describe('mergeIntoLatest', () => {
  it('replaces the parts a partial run measured and keeps the rest, each figure stamped with its own run', () => {
    const file = latestWith({
      measuredAt: '2026-12-02T09:00:00Z',
      loadAverage: { atStart: [2], atEnd: [3] },
      figures: { B1: fig(500), B7: fig(5.9) },
      curves: { packed: [1] },
      history: { old: true },
      product: { district: { figures: {} } },
    });
    const partial: BenchResult = {
      measuredAt: '2026-12-03T16:00:00Z',
      runs: 3,
      loadAverage: { atStart: [0.5], atEnd: [1] },
      figures: { B1: fig(600) },
      curves: { packed: [2] },
      history: undefined,
      ingestCost: [],
    };
    expect(mergeIntoLatest(file, partial)).toEqual(['B1']);
    const out = JSON.parse(fs.readFileSync(file, 'utf8')) as BenchResult;
    expect(out.figures.B1).toMatchObject({ value: 600, measuredAt: '2026-12-03T16:00:00Z' });
    expect(out.figures.B1!.loadAverage).toEqual({ atStart: [0.5], atEnd: [1] });
    expect(out.figures.B7).toMatchObject({ value: 5.9, measuredAt: '2026-12-02T09:00:00Z' });
    expect(out.figures.B7!.loadAverage).toEqual({ atStart: [2], atEnd: [3] });
    expect(out.curves).toEqual({ packed: [2] });
    // A part the partial run did not measure (absent or empty) keeps what was there.
    expect(out.history).toEqual({ old: true });
    expect(out.ingestCost).toBeUndefined();
    expect(out.product).toEqual({ district: { figures: {} } });
    expect(out.measuredAt).toBe('2026-12-03T16:00:00Z');
  });

  it('starts latest.json when there is none', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'merge-'));
    dirs.push(dir);
    const file = path.join(dir, 'latest.json');
    mergeIntoLatest(file, { measuredAt: 't', figures: { S1assign: fig(322) } });
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({
      figures: { S1assign: { value: 322, measuredAt: 't' } },
    });
  });
});
