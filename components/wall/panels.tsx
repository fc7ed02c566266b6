'use client';

import { CATEGORY_LABELS, PRIORITY_LABELS, STATE_LABELS, type IncidentCategory } from '@/lib/domain/enums';
import type { IncidentView } from '@/lib/domain/incident';
import { timeLimitStatus } from '@/lib/domain/time-limits';
import { cstTime, formatDuration, maskFreeText } from '@/lib/wall/format';
import { t, type Lang } from '@/lib/wall/i18n';
import { LAMP_COLOR } from '@/lib/wall/palette';
import type { WallStats } from '@/lib/wall/stats';
import { AnimatedNumber } from './AnimatedNumber';
import styles from './wall.module.css';

/** The live feed shows this many newest incidents (bounded: the wall runs for days). */
export const FEED_MAX = 40;
const SUPERVISION_LABEL = ['', '督办', '黄牌', '红牌'];

export function KpiBoard({
  stats,
  lang,
  periodLabel,
}: {
  stats: WallStats | null;
  lang: Lang;
  periodLabel: string;
}) {
  const k = stats?.kpi;
  const pct = (r: number | null | undefined) => (r === null || r === undefined ? null : r * 100);
  return (
    <div className={styles.kpi} data-testid="kpi">
      <div className={styles.kpiBig}>
        <Kpi
          label={lang === 'zh' ? `${periodLabel}受理` : t('received', lang)}
          value={k?.received ?? null}
          tone="cyan"
        />
        <Kpi label={t('resolved', lang)} value={k?.resolved ?? null} tone="green" />
        <Kpi label={t('resolveRate', lang)} value={pct(k?.resolveRate)} digits={1} suffix="%" tone="cyan" />
        <Kpi label={t('onTimeRate', lang)} value={pct(k?.onTimeRate)} digits={1} suffix="%" tone="green" />
      </div>
      <div className={styles.kpiSmall}>
        <Kpi label={t('open', lang)} value={k?.open ?? null} tone="cyan" small />
        <Kpi label={t('overdue', lang)} value={k?.overdue ?? null} tone="red" small />
        <Kpi label={t('supervised', lang)} value={k?.supervised ?? null} tone="yellow" small />
        <Kpi label={t('critical', lang)} value={k?.critical ?? null} tone="red" small />
      </div>
    </div>
  );
}

function Kpi(p: {
  label: string;
  value: number | null;
  digits?: number;
  suffix?: string;
  tone: string;
  small?: boolean;
}) {
  return (
    <div className={`${styles.kpiCell} ${p.small ? styles.kpiCellSmall : ''}`} data-tone={p.tone}>
      <div className={styles.kpiValue}>
        <AnimatedNumber value={p.value} digits={p.digits} suffix={p.suffix} minChars={p.suffix ? 5 : 3} />
      </div>
      <div className={styles.kpiLabel}>{p.label}</div>
    </div>
  );
}

function Lamp({ color }: { color: string }) {
  return <i className={styles.lamp} style={{ background: color, boxShadow: `0 0 10px ${color}` }} />;
}

/** The newest incidents, most recent first; 特急 rows flash until acknowledged. */
export function IncidentFeed({
  incidents,
  now,
  lang,
  flashing,
  onOpen,
}: {
  incidents: IncidentView[];
  now: number;
  lang: Lang;
  flashing: ReadonlySet<string>;
  onOpen: (i: IncidentView) => void;
}) {
  const rows = incidents.slice(0, FEED_MAX);
  if (rows.length === 0) return <div className={styles.empty}>{t('noData', lang)}</div>;
  return (
    <ul className={styles.feed} data-testid="incident-feed">
      {rows.map((i) => {
        const lamp = timeLimitStatus(i, now).lamp;
        return (
          <li
            key={i.id}
            className={`${styles.feedRow} ${flashing.has(i.id) ? styles.flash : ''}`}
            data-incident-id={i.id}
            data-state={i.state}
            data-priority={i.priority}
            onClick={() => onOpen(i)}
          >
            <span className={styles.prio} data-p={i.priority}>
              {PRIORITY_LABELS[i.priority as 1][lang]}
            </span>
            <span className={styles.feedTitle}>{maskFreeText(i.title)}</span>
            <span className={styles.feedMeta}>{CATEGORY_LABELS[i.category][lang]}</span>
            <span className={styles.feedMeta}>{STATE_LABELS[i.state][lang]}</span>
            <span className={styles.feedTime}>
              {lamp === 'red' || lamp === 'yellow' ? <Lamp color={LAMP_COLOR[lamp]} /> : null}
              {cstTime(i.receivedAt)}
            </span>
          </li>
        );
      })}
    </ul>
  );
}

/** Overdue and 督办 incidents with red/yellow lamps (from the server's stats for this scope). */
export function OverdueList({
  stats,
  now,
  lang,
  onOpen,
}: {
  stats: WallStats | null;
  now: number;
  lang: Lang;
  onOpen: (id: string) => void;
}) {
  const rows = stats?.overdueList ?? [];
  if (rows.length === 0) return <div className={styles.empty}>{t('noData', lang)}</div>;
  return (
    <ul className={styles.feed} data-testid="overdue-list">
      {rows.map((r) => (
        <li key={r.id} className={styles.feedRow} onClick={() => onOpen(r.id)} data-incident-id={r.id}>
          <Lamp color={LAMP_COLOR[r.lamp]} />
          <span className={styles.feedTitle}>{maskFreeText(r.title)}</span>
          <span className={styles.feedMeta}>
            {r.regionName ?? CATEGORY_LABELS[r.category as IncidentCategory][lang]}
          </span>
          {r.supervision > 0 ? (
            <span className={styles.card} data-card={r.supervision}>
              {SUPERVISION_LABEL[r.supervision]}
            </span>
          ) : (
            <span />
          )}
          <span className={styles.feedTime}>{formatDuration(now - r.receivedAt, lang)}</span>
        </li>
      ))}
    </ul>
  );
}
