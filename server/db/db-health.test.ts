import { describe, expect, it } from 'vitest';
import { dbHealth } from './db-health';
import type { SqlRunner } from './sql-db';

const runner = (get: SqlRunner['get']): SqlRunner => ({
  dialect: 'postgres',
  get,
  all: () => Promise.reject(new Error('unused')),
  run: () => Promise.reject(new Error('unused')),
  transaction: () => Promise.reject(new Error('unused')),
});

describe('dbHealth', () => {
  it('is up when the database answers', async () => {
    expect(await dbHealth(runner(async () => ({ '?column?': 1 }) as never))).toBe('up');
  });

  it('is down when the query fails', async () => {
    expect(await dbHealth(runner(() => Promise.reject(new Error('connection refused'))))).toBe('down');
  });

  it('is down, in time, when the database does not answer at all', async () => {
    const started = Date.now();
    expect(
      await dbHealth(
        runner(() => new Promise(() => {})),
        50,
      ),
    ).toBe('down');
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
