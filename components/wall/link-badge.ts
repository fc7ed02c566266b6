import type { LinkInfo } from '@/lib/realtime/socket-client';
import { formatAge } from '@/lib/wall/format';
import { t, type Lang } from '@/lib/wall/i18n';
import { STATS_LATE_AFTER_MS } from '@/lib/wall/stats';
import { rt } from './replay/replay-words';

const LINK_TONE = {
  live: 'green',
  stale: 'yellow',
  connecting: 'yellow',
  disconnected: 'red',
  unauthorized: 'red',
} as const;

export interface LinkBadge {
  status: LinkInfo['status'] | 'replay' | 'stats-late';
  tone: 'green' | 'yellow' | 'red' | 'amber';
  label: string;
  ageText: string;
}

/**
 * The header's link indicator: the live link's state and the data's age; 回放 while replaying; and 统计延迟
 * when positions flow but the panels' figures stopped being renewed (their database down or too slow), so a
 * live link never vouches for figures minutes old.
 */
export function linkBadge(p: {
  link: LinkInfo;
  /** Age of the positions shown (ms): since the last batch, plus the server's ingest lag. */
  age: number;
  now: number;
  hasStats: boolean;
  /** When the figures shown arrived (this screen's clock), 0: none yet. */
  statsAt: number;
  isReplaying?: boolean;
  lang: Lang;
}): LinkBadge {
  // The live link's age says nothing about a replay (the live feed still flows beneath it).
  if (p.isReplaying) return { status: 'replay', tone: 'amber', label: rt('replay', p.lang), ageText: '' };
  const statsAge = p.now - p.statsAt;
  if (p.link.status === 'live' && p.hasStats && p.statsAt > 0 && statsAge > STATS_LATE_AFTER_MS)
    return {
      status: 'stats-late',
      tone: 'yellow',
      label: t('statsLate', p.lang),
      ageText: `${t('statsAge', p.lang)} ${formatAge(statsAge, p.lang)}`,
    };
  return {
    status: p.link.status,
    tone: LINK_TONE[p.link.status],
    label: t(p.link.status, p.lang),
    ageText: `${t('dataAge', p.lang)} ${formatAge(p.age, p.lang)}`,
  };
}
