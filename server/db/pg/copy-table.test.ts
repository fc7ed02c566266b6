import { getTableConfig, type PgColumn, type PgTable } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { convertValue } from './copy-table';
import { cameras, departments, historySegments, incidents } from './schema';

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
