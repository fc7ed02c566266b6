import { getTableConfig, type PgColumn, type PgTable } from 'drizzle-orm/pg-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createTestPgDatabase, pgUnavailable } from '@/tests/helpers/pg';
import { openDatabase } from '../open-database';
import { convertValue, copyTable } from './copy-table';
import { createPgPool, migratePg } from './open-pg';
import { cameras, departments, historySegments, incidents, uploads } from './schema';

const pgReason = await pgUnavailable();

const col = (table: PgTable, name: string): PgColumn =>
  getTableConfig(table).columns.find((c) => c.name === name)!;

describe('convertValue (a SQLite value as the PostgreSQL column takes it)', () => {
  it('turns flags into booleans, safe integers into numbers, and keeps blobs, floats and JSON text', () => {
    expect(convertValue(1n, col(cameras, 'is_unassigned'))).toBe(true);
    expect(convertValue(0n, col(cameras, 'is_unassigned'))).toBe(false);
    expect(convertValue(1_796_268_569_273n, col(cameras, 'created_at'))).toBe(1_796_268_569_273);
    expect(convertValue(120.17, col(cameras, 'lng'))).toBe(120.17);
    const blob = Buffer.from([0, 1, 255, 0]);
    expect(convertValue(blob, col(historySegments, 'data'))).toBe(blob);
    expect(convertValue('["fire"]', col(departments, 'categories'))).toBe('["fire"]');
    expect(convertValue(null, col(incidents, 'closed_at'))).toBeNull();
  });

  it('refuses what PostgreSQL would store wrongly or not at all, saying why', () => {
    expect(() => convertValue(2n, col(cameras, 'is_unassigned'))).toThrow(/flag but holds 2/);
    expect(() => convertValue(2n ** 60n, col(cameras, 'created_at'))).toThrow(/beyond 2\^53/);
    expect(() => convertValue(1.5, col(incidents, 'priority'))).toThrow(/not an integer/);
    expect(() => convertValue('{"a":', col(departments, 'categories'))).toThrow(/not valid JSON/);
    expect(() => convertValue('text', col(historySegments, 'data'))).toThrow(/not a blob/);
    expect(() => convertValue(Buffer.from('x'), col(incidents, 'title'))).toThrow(/not text/);
  });
});

describe.skipIf(pgReason !== null)('copyTable batches', () => {
  it('sends blobs in INSERTs bounded by bytes as well as by rows, and every row arrives', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-copy-'));
    const sqlite = openDatabase(path.join(dir, 'pingan.db')).$client;
    const target = await createTestPgDatabase();
    const pool = createPgPool(target.url);
    try {
      const insert = sqlite.prepare(
        `INSERT INTO uploads (hash, mime, bytes, width, height, created_by, created_at, data, thumb)
         VALUES (?, 'image/jpeg', 1000, 4, 4, 'grid01', 1796000000000, ?, ?)`,
      );
      for (let i = 0; i < 5; i++)
        insert.run(String(i).repeat(64), Buffer.alloc(1000, i), Buffer.alloc(1000, i));
      await migratePg(pool);
      const client = await pool.connect();
      try {
        const inserts: number[] = [];
        // The real connection, its INSERTs counted (with their row counts) on the way.
        const counted = new Proxy(client, {
          get: (c, key) =>
            key === 'query'
              ? (text: string, values: unknown[]) => {
                  inserts.push(values.length / getTableConfig(uploads).columns.length);
                  return c.query(text, values);
                }
              : Reflect.get(c, key),
        }) as pg.PoolClient;
        // 2,000 blob bytes a row: the third row would pass 2,500, so batches of two rows go, not of 1,000.
        expect(await copyTable(sqlite, counted, uploads, 1_000, 2_500)).toBe(5);
        expect(inserts).toEqual([2, 2, 1]);
        const rows = await client.query<{ data: Buffer }>('SELECT data FROM uploads ORDER BY hash');
        expect(rows.rows.map((r) => r.data[0])).toEqual([0, 1, 2, 3, 4]);
      } finally {
        client.release();
      }
    } finally {
      await pool.end();
      await target.drop();
      sqlite.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
