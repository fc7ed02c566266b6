import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '@/lib/clock';
import { MAX_ISSUES_KEPT } from '@/lib/import/issues';
import { SqlAudit } from '../../audit/audit-append';
import { openDatabase, type Db } from '../../db/open-database';
import { sqliteSqlDb } from '../../db/sql-db';
import type { ImportContext } from './import-context';
import { importRegistry } from './import-registry';
import { importTerritory } from './import-territory';

let db: Db;
let ctx: ImportContext;

/** Everything an import may write: a refused one must leave every byte of it as it was. */
const dump = () =>
  JSON.stringify(
    ['cameras', 'vehicles', 'workers', 'departments', 'regions', 'grids', 'import_runs', 'meta'].map((t) =>
      db.$client.prepare(`SELECT * FROM ${t}`).all(),
    ),
  );

beforeAll(() => {
  db = openDatabase(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-imp-')), 't.db'));
  const sql = sqliteSqlDb(db.$client);
  const clock = new FakeClock();
  ctx = {
    sql,
    audit: new SqlAudit(sql, clock),
    clock,
    actor: { username: 'test', role: 'admin', clientAddress: null },
  };
});
afterAll(() => db.$client.close());

describe('bad input leaves the database as it was', () => {
  it('100k camera rows with a bad longitude: 1,000 errors by row and field, the rest counted, nothing written', async () => {
    const lines = ['id,name,lng,lat'];
    for (let i = 0; i < 100_000; i++) lines.push(`${String(i).padStart(20, '3')},摄像机${i},999,30`);
    const before = dump();
    const r = await importRegistry(
      ctx,
      'cameras',
      { bytes: Buffer.from(lines.join('\n')), name: 'c.csv' },
      { dryRun: false },
    );
    expect(r.ok).toBe(false);
    expect(r.errors).toHaveLength(MAX_ISSUES_KEPT + 1);
    expect(r.errors[MAX_ISSUES_KEPT]).toEqual({
      at: 'file',
      message: '另有 99000 个错误未列出（只列出前 1000 个）',
    });
    expect(r.moreErrors).toBe(100_000 - MAX_ISSUES_KEPT);
    expect(r.errors[0]).toEqual({ at: 'row 2', field: 'lng', message: '经度超出范围（70–140）："999"' });
    expect(dump()).toBe(before);
  });

  it('property: a registry file of random rows (any encoding) is judged; a refused one writes nothing', async () => {
    const cell = fc.oneof(
      fc.string({ maxLength: 8 }),
      fc.constantFrom('', '120.1', '30.2', 'gcj02', '张三', '33010600001320000001'),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('cameras', 'vehicles', 'workers', 'departments' as const),
        fc.array(fc.array(cell, { minLength: 1, maxLength: 8 }), { maxLength: 6 }),
        fc.boolean(),
        async (kind, rows, isGbk) => {
          const text = [
            'id,name,lng,lat,kind,role,phone',
            ...rows.map((r) => r.map((c) => `"${c.replace(/"/g, '""')}"`).join(',')),
          ].join('\n');
          const before = dump();
          const r = await importRegistry(
            ctx,
            kind,
            { bytes: isGbk ? iconv.encode(text, 'gbk') : Buffer.from(text), name: null },
            { dryRun: false },
          );
          for (const e of r.errors) expect(e.at).toMatch(/^(row \d+|file)$/);
          if (!r.ok) expect(dump()).toBe(before);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('property: a territory with any one broken feature is refused whole', async () => {
    const good = (i: number) => ({
      type: 'Feature',
      properties: { code: `3301${String(10 + i)}000000`, name: `区${i}` },
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [120 + i, 30],
            [120.5 + i, 30],
            [120.5 + i, 30.5],
            [120 + i, 30],
          ],
        ],
      },
    });
    const broken = fc.oneof(
      fc.record({ type: fc.constant('Feature'), properties: fc.jsonValue(), geometry: fc.jsonValue() }),
      fc.constant({
        type: 'Feature',
        properties: { code: '330199000000', name: '蝶' },
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [0, 0],
              [1, 1],
              [1, 0],
              [0, 1],
              [0, 0],
            ],
          ],
        },
      }),
      fc.constant({
        type: 'Feature',
        properties: { code: '330199001001001', name: '孤网格' },
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [0, 0],
              [1, 0],
              [1, 1],
              [0, 0],
            ],
          ],
        },
      }),
    );
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 5 }), broken, async (at, bad) => {
        const features: unknown[] = Array.from({ length: 5 }, (_, i) => good(i));
        features.splice(at, 0, bad);
        const before = dump();
        const r = await importTerritory(
          ctx,
          { bytes: Buffer.from(JSON.stringify({ type: 'FeatureCollection', features })), name: 't.geojson' },
          { dryRun: false },
        );
        expect(r.ok).toBe(false);
        expect(r.errors.some((e) => e.at.startsWith(`feature ${at}`))).toBe(true);
        expect(dump()).toBe(before);
      }),
      { numRuns: 30 },
    );
  });
});
