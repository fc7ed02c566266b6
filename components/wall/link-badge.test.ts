import { describe, expect, it } from 'vitest';
import type { LinkInfo } from '@/lib/realtime/socket-client';
import { STATS_LATE_AFTER_MS, STATS_REFRESH_MAX_MS } from '@/lib/wall/stats';
import { linkBadge } from './link-badge';

const NOW = Date.UTC(2026, 11, 5, 2, 0, 0);
const link = (status: LinkInfo['status']): LinkInfo => ({
  status,
  lastBatchAt: NOW - 200,
  serverTs: NOW - 200,
  lagMs: 0,
  isConnected: status === 'live' || status === 'stale',
});
const badge = (o: Partial<Parameters<typeof linkBadge>[0]> = {}) =>
  linkBadge({
    link: link('live'),
    age: 200,
    now: NOW,
    hasStats: true,
    statsAt: NOW - 1_000,
    lang: 'zh',
    ...o,
  });

describe('the wall header link badge', () => {
  it('reads 实时 with the data age while positions and figures are both renewed', () => {
    expect(badge()).toEqual({ status: 'live', tone: 'green', label: '实时', ageText: '数据 0秒前' });
    // Figures the server renews at its slowest are still current.
    expect(badge({ statsAt: NOW - STATS_REFRESH_MAX_MS - 5_000 }).status).toBe('live');
  });

  it('says 统计延迟, with the figures\u2019 age, once they have not been renewed for two refreshes', () => {
    const b = badge({ statsAt: NOW - STATS_LATE_AFTER_MS - 1 });
    expect(b.status).toBe('stats-late');
    expect(b.tone).toBe('yellow');
    expect(b.label).toBe('统计延迟');
    expect(b.ageText).toMatch(/^统计 1分/);
    expect(badge({ statsAt: NOW - 3 * 60_000, lang: 'en' }).label).toBe('Figures late');
  });

  it('leaves the link\u2019s own state first: a stale or broken link, a replay, no figures yet', () => {
    const old = NOW - 10 * 60_000;
    expect(badge({ link: link('stale'), statsAt: old }).status).toBe('stale');
    expect(badge({ link: link('disconnected'), statsAt: old }).tone).toBe('red');
    expect(badge({ isReplaying: true, statsAt: old })).toMatchObject({ status: 'replay', ageText: '' });
    expect(badge({ hasStats: false, statsAt: old }).status).toBe('live');
    expect(badge({ statsAt: 0 }).status).toBe('live');
  });
});
