import { describe, expect, it } from 'vitest';
import { formatTime } from '../time/display-time';
import {
  cstClock,
  cstTime,
  wallClock,
  wallTime,
  formatAge,
  formatDuration,
  maskFreeText,
  maskName,
  maskPhone,
} from './format';

describe('wall formatting', () => {
  it('ages in Chinese', () => {
    expect(formatAge(3_400)).toBe('3秒前');
    expect(formatAge(125_000)).toBe('2分钟前');
    expect(formatAge(Number.POSITIVE_INFINITY)).toBe('—');
  });
  it('durations and ages in English, without the Chinese suffix leaking', () => {
    expect(formatAge(3_400, 'en')).toBe('3s ago');
    expect(formatAge(-1_000, 'en')).toBe('now');
    expect(formatDuration(2 * 3_600_000 + 5, 'en')).toBe('2h');
    expect(formatDuration(3 * 86_400_000, 'zh')).toBe('3天');
    expect(formatDuration(59_999)).toBe('59秒');
  });
  it('clock in China Standard Time', () => {
    expect(cstClock(Date.UTC(2026, 10, 23, 16, 30, 5))).toEqual({
      date: '2026-11-24',
      time: '00:30:05',
      weekday: '星期二',
    });
  });
  it('clock in the display zone it is given (DISPLAY_TZ), the same string the console shows', () => {
    const t = Date.UTC(2026, 11, 2, 6, 20, 5);
    expect(wallClock(t, 'UTC')).toEqual({ date: '2026-12-02', time: '06:20:05', weekday: '星期三' });
    expect(wallTime(t)).toBe(formatTime(t, 'Asia/Shanghai'));
    expect(cstTime(t, 'Asia/Urumqi')).toBe('12:20');
  });
  it('masks personal data', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskName('张三丰')).toBe('张**');
    expect(maskFreeText('居民13812345678反映，身份证510104199001011234，住3栋5号')).toBe(
      '居民138****5678反映，身份证510104********1234，住*栋*号',
    );
  });
});
