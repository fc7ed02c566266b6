import { describe, expect, it } from 'vitest';
import { clockParts, formatDateTime, formatTime, offsetMinutes, startOfDay, zoneLabel } from './display-time';

describe('display time', () => {
  const t = Date.UTC(2026, 11, 2, 6, 20, 5); // 14:20:05 in Beijing

  it('formats one instant the same way for every page, in the configured zone', () => {
    expect(formatTime(t)).toBe('14:20');
    expect(formatDateTime(t)).toBe('2026-12-02 14:20:05');
    expect(formatTime(t, 'UTC')).toBe('06:20');
    expect(formatTime(t, 'Asia/Urumqi')).toBe('12:20');
  });

  it('crosses midnight by the zone, not by UTC', () => {
    const late = Date.UTC(2026, 11, 2, 17, 0, 0); // 01:00 on 12-03 in Beijing
    expect(clockParts(late).day).toBe(3);
    expect(startOfDay(late)).toBe(Date.UTC(2026, 11, 2, 16, 0, 0));
    expect(offsetMinutes(late)).toBe(480);
  });

  it('names the zone with its offset, for the headers that say which clock a page is on', () => {
    expect(zoneLabel('Asia/Shanghai', t)).toBe('北京时间 UTC+8');
    expect(zoneLabel('Asia/Shanghai', t, 'en')).toBe('Beijing time UTC+8');
    expect(zoneLabel('Asia/Kolkata', t)).toBe('Asia/Kolkata UTC+5:30');
    expect(zoneLabel('America/New_York', t)).toBe('America/New_York UTC-5');
    expect(zoneLabel('UTC', t, 'en')).toBe('UTC');
  });
});
