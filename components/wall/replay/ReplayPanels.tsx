'use client';

import { useMemo } from 'react';
import { CATEGORY_LABELS, STATE_LABELS, type IncidentCategory, type IncidentState } from '@/lib/domain/enums';
import type { HistoryIncident } from '@/lib/history/contract';
import { incidentsAt, periodFigures } from '@/lib/history/replay-model';
import { formatTime } from '@/lib/time/display-time';
import type { Lang } from '@/lib/wall/i18n';
import { PRIORITY_COLOR } from '@/lib/wall/palette';
import { Panel } from '../Panel';
import { rt } from './replay-words';
import styles from './replay.module.css';

interface Span {
  x: number;
  w: number;
}

/** Incidents listed at the replay time at most (the list scrolls past no one: the newest come first). */
const LIST_MAX = 40;

const label = <K extends string>(table: Record<K, { zh: string; en: string }>, k: string, lang: Lang) =>
  (table as Record<string, { zh: string; en: string }>)[k]?.[lang] ?? k;

/**
 * The side columns while replaying: the period's figures up to the replay clock (said plainly to be the
 * period's, not live) and the incidents open at that instant. They replace the live panels, which would
 * otherwise show today's numbers beside a map of the past.
 */
export function ReplayPanels({
  incidents,
  from,
  at,
  left,
  right,
  top,
  height,
  tz,
  lang,
  onOpen,
}: {
  incidents: HistoryIncident[];
  from: number;
  at: number;
  left: Span;
  right: Span;
  top: number;
  height: number;
  tz: string;
  lang: Lang;
  onOpen: (id: string) => void;
}) {
  // Recomputed on the bar's tick (4 Hz): a period holds thousands of incidents at most.
  const figures = useMemo(() => periodFigures(incidents, from, at), [incidents, from, at]);
  const open = useMemo(
    () =>
      incidentsAt(incidents, at)
        .sort((a, b) => b.reportedAt - a.reportedAt)
        .slice(0, LIST_MAX),
    [incidents, at],
  );
  const maxCat = Math.max(1, ...figures.byCategory.map((c) => c.count));
  return (
    <>
      <div
        className={styles.column}
        style={{ left: left.x, width: left.w, top, height }}
        data-testid="replay-figures"
      >
        <Panel title={rt('periodFigures', lang)} testId="panel-replay-figures">
          <p className={styles.note}>{rt('periodNote', lang)}</p>
          <div className={styles.figures}>
            {(
              [
                ['reported', figures.reported],
                ['dispatched', figures.dispatched],
                ['resolved', figures.resolved],
                ['openAt', figures.open],
              ] as const
            ).map(([k, v]) => (
              <div key={k} data-testid={`replay-figure-${k}`}>
                <b>{v}</b>
                <span>{rt(k, lang)}</span>
              </div>
            ))}
          </div>
          <h3 className={styles.sub}>{rt('byCategory', lang)}</h3>
          <ul className={styles.cats}>
            {figures.byCategory.slice(0, 8).map((c) => (
              <li key={c.category}>
                <span>{label(CATEGORY_LABELS, c.category as IncidentCategory, lang)}</span>
                <i style={{ width: `${(c.count / maxCat) * 100}%` }} />
                <b>{c.count}</b>
              </li>
            ))}
          </ul>
          <p className={styles.note}>{rt('heatNote', lang)}</p>
        </Panel>
      </div>
      <div
        className={styles.column}
        style={{ left: right.x, width: right.w, top, height }}
        data-testid="replay-incidents"
      >
        <Panel title={rt('incidentsAt', lang)} extra={String(figures.open)}>
          {open.length === 0 ? (
            <p className={styles.note}>{rt('noIncidents', lang)}</p>
          ) : (
            <ul className={styles.list}>
              {open.map((i) => (
                <li key={i.id} onClick={() => onOpen(i.id)} data-state={i.state}>
                  <i
                    style={{
                      background: `rgb(${(PRIORITY_COLOR[i.priority] ?? [150, 150, 150]).slice(0, 3).join(',')})`,
                    }}
                  />
                  <time>{formatTime(i.reportedAt, tz)}</time>
                  <span>{i.title}</span>
                  <em>{label(STATE_LABELS, i.state as IncidentState, lang)}</em>
                </li>
              ))}
            </ul>
          )}
        </Panel>
      </div>
    </>
  );
}
