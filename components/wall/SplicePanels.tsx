'use client';

import { CAMERA_STATUS_LABELS, CATEGORY_LABELS, PRIORITY_LABELS } from '@/lib/domain/enums';
import type { IncidentView } from '@/lib/domain/incident';
import { formatDuration, maskFreeText } from '@/lib/wall/format';
import { t, type Lang } from '@/lib/wall/i18n';
import type { WallStats } from '@/lib/wall/stats';
import type { TownCard, TownCards } from '@/lib/wall/town-cards';
import styles from './splice.module.css';

/**
 * The panels only a splice wall has room for (wall-layout.ts decides when): one card per town, the camera
 * status wall, and the dispatch queue. Read-only: a click opens details or drills down, nothing is changed.
 */

/** States in which an incident waits for someone to act (accept or dispatch it). */
const WAITING_STATES: ReadonlySet<IncidentView['state']> = new Set([
  'reported',
  'accepted',
  'returned',
  'escalated',
]);
/** Rows the queue and the down-camera list render at most (bounded: they run for days). */
const LIST_MAX = 40;
/** Cards are about this much wider than tall: room for a name and two rows of figures. */
const CARD_ASPECT = 1.5;

/** Incidents waiting for action: most urgent first, then the longest waiting. */
export function waitingQueue(incidents: readonly IncidentView[]): IncidentView[] {
  return incidents
    .filter((i) => WAITING_STATES.has(i.state))
    .sort((a, b) => a.priority - b.priority || a.receivedAt - b.receivedAt);
}

/** Columns for `n` cards in a w×h box so that the cards come out as large as possible at CARD_ASPECT. */
export function cardColumns(n: number, w: number, h: number, gap = 12): number {
  let best = 1;
  let bestSize = 0;
  for (let c = 1; c <= Math.max(1, n); c++) {
    const rows = Math.ceil(n / c);
    const cw = (w - (c - 1) * gap) / c;
    const ch = (h - (rows - 1) * gap) / rows;
    const size = Math.min(cw / CARD_ASPECT, ch);
    if (size > bestSize) {
      bestSize = size;
      best = c;
    }
  }
  return best;
}

export function TownCardsBody({
  data,
  lang,
  width,
  height,
  onOpen,
}: {
  data: TownCards | null;
  lang: Lang;
  /** The panel body's size in design pixels (for the number of columns). */
  width: number;
  height: number;
  onOpen: (code: string) => void;
}) {
  if (!data) return null;
  if (data.cards.length === 0) return <div className={styles.empty}>{t('noData', lang)}</div>;
  const cols = cardColumns(data.cards.length, width, height);
  return (
    <div
      className={styles.cards}
      style={{ gridTemplateColumns: `repeat(${cols}, 1fr)` }}
      data-testid="town-cards"
    >
      {data.cards.map((c) => (
        <TownCardView key={c.code} card={c} lang={lang} onOpen={onOpen} />
      ))}
    </div>
  );
}

function TownCardView({
  card,
  lang,
  onOpen,
}: {
  card: TownCard;
  lang: Lang;
  onOpen: (code: string) => void;
}) {
  const cam = card.cameras;
  return (
    <button className={styles.card} onClick={() => onOpen(card.code)} data-code={card.code}>
      <b className={styles.cardName}>{card.name}</b>
      <span className={styles.figures}>
        <Figure label={t('open', lang)} value={card.open} tone="cyan" />
        <Figure label={t('overdue', lang)} value={card.overdue} tone={card.overdue > 0 ? 'red' : 'dim'} />
        <Figure label={t('critical', lang)} value={card.critical} tone={card.critical > 0 ? 'red' : 'dim'} />
      </span>
      <span className={styles.cardFoot}>
        <span>
          {t('cameraOnline', lang)}{' '}
          <b data-tone={cam.total > 0 && cam.online < cam.total ? 'yellow' : 'green'}>
            {cam.online}/{cam.total}
          </b>
        </span>
        <span>
          {t('unitsOnDuty', lang)}{' '}
          <b>
            {card.units.onDuty}/{card.units.total}
          </b>
        </span>
      </span>
    </button>
  );
}

function Figure({ label, value, tone }: { label: string; value: number; tone: string }) {
  return (
    <span className={styles.figure} data-tone={tone}>
      <b>{value}</b>
      <small>{label}</small>
    </span>
  );
}

export function CameraWallBody({
  stats,
  data,
  lang,
}: {
  stats: WallStats | null;
  data: TownCards | null;
  lang: Lang;
}) {
  const c = stats?.cameras;
  return (
    <div className={styles.cameraWall} data-testid="camera-wall">
      {c ? (
        <div className={styles.camCounts}>
          <Figure label={CAMERA_STATUS_LABELS.online[lang]} value={c.online} tone="green" />
          <Figure
            label={CAMERA_STATUS_LABELS.offline[lang]}
            value={c.offline}
            tone={c.offline ? 'yellow' : 'dim'}
          />
          <Figure label={CAMERA_STATUS_LABELS.fault[lang]} value={c.fault} tone={c.fault ? 'red' : 'dim'} />
          <Figure
            label={CAMERA_STATUS_LABELS.stale[lang]}
            value={c.stale}
            tone={c.stale ? 'yellow' : 'dim'}
          />
        </div>
      ) : null}
      {data ? (
        data.offlineCameras.length === 0 ? (
          <div className={styles.empty}>{t('allCamerasOnline', lang)}</div>
        ) : (
          <ul className={styles.list}>
            {data.offlineCameras.slice(0, LIST_MAX).map((cam) => (
              <li key={cam.id} className={styles.row} data-camera-id={cam.id}>
                <span className={styles.chip} data-status={cam.status}>
                  {CAMERA_STATUS_LABELS[cam.status][lang]}
                </span>
                <span className={styles.rowTitle}>{cam.name}</span>
                <span className={styles.rowMeta}>{cam.regionName ?? ''}</span>
              </li>
            ))}
          </ul>
        )
      ) : null}
    </div>
  );
}

export function DispatchQueueBody({
  incidents,
  now,
  lang,
  flashing,
  onOpen,
}: {
  incidents: readonly IncidentView[];
  now: number;
  lang: Lang;
  flashing: ReadonlySet<string>;
  onOpen: (id: string) => void;
}) {
  const rows = waitingQueue(incidents).slice(0, LIST_MAX);
  if (rows.length === 0) return <div className={styles.empty}>{t('queueEmpty', lang)}</div>;
  return (
    <ul className={styles.list} data-testid="dispatch-queue">
      {rows.map((i) => (
        <li
          key={i.id}
          className={`${styles.row} ${styles.clickable} ${flashing.has(i.id) ? styles.flash : ''}`}
          data-incident-id={i.id}
          onClick={() => onOpen(i.id)}
        >
          <span className={styles.prio} data-p={i.priority}>
            {PRIORITY_LABELS[i.priority as 1][lang]}
          </span>
          <span className={styles.rowTitle}>{maskFreeText(i.title)}</span>
          <span className={styles.rowMeta}>{CATEGORY_LABELS[i.category][lang]}</span>
          <span className={styles.wait}>{now ? formatDuration(now - i.receivedAt, lang) : ''}</span>
        </li>
      ))}
    </ul>
  );
}
