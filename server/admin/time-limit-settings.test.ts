import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_TIME_LIMITS,
  activeTimeLimits,
  parseTimeLimitConfig,
  setActiveTimeLimits,
} from '@/lib/domain/time-limits';
import { openDatabase } from '../db/open-database';
import {
  TIME_LIMITS_REFRESH_MS,
  readTimeLimits,
  watchStoredTimeLimits,
  writeTimeLimits,
} from './time-limit-settings';

afterEach(() => {
  vi.useRealTimers();
  setActiveTimeLimits(DEFAULT_TIME_LIMITS);
});

describe('stored time limits', () => {
  it('reads the defaults until saved, and falls back to them when the row is unreadable', () => {
    const db = openDatabase(':memory:');
    expect(readTimeLimits(db.$client)).toEqual({ config: DEFAULT_TIME_LIMITS, updatedAt: null });
    const c = parseTimeLimitConfig('{"minutes":{"1":{"accept":5}}}');
    writeTimeLimits(db.$client, c, 1_000);
    expect(readTimeLimits(db.$client)).toEqual({ config: c, updatedAt: 1_000 });
    db.$client.prepare("UPDATE meta SET value = '{\"yellowRatio\":7}' WHERE key = 'time_limits'").run();
    expect(readTimeLimits(db.$client).config).toBe(DEFAULT_TIME_LIMITS);
    db.$client.close();
  });

  it('a change saved by another process sharing the database reaches this one', () => {
    vi.useFakeTimers();
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-tl-')), 'shared.db');
    const here = openDatabase(file);
    const other = openDatabase(file);
    const stop = watchStoredTimeLimits(here.$client);
    const c = parseTimeLimitConfig('{"yellowRatio":0.6}');
    writeTimeLimits(other.$client, c, Date.now());
    expect(activeTimeLimits()).toBe(DEFAULT_TIME_LIMITS);
    vi.advanceTimersByTime(TIME_LIMITS_REFRESH_MS);
    expect(activeTimeLimits()).toEqual(c);
    // Only changes are applied: this process's own later setting is not overwritten by an unchanged row.
    setActiveTimeLimits(DEFAULT_TIME_LIMITS);
    vi.advanceTimersByTime(TIME_LIMITS_REFRESH_MS);
    expect(activeTimeLimits()).toBe(DEFAULT_TIME_LIMITS);
    stop();
    here.$client.close();
    other.$client.close();
  });

  it('stops by itself once its database is closed', () => {
    vi.useFakeTimers();
    const db = openDatabase(':memory:');
    watchStoredTimeLimits(db.$client);
    db.$client.close();
    expect(() => vi.advanceTimersByTime(3 * TIME_LIMITS_REFRESH_MS)).not.toThrow();
    expect(vi.getTimerCount()).toBe(0);
  });
});
