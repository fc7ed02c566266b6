'use client';

import type { CSSProperties } from 'react';
import { CAMERA_STATUS_LABELS, PRIORITY_LABELS, VEHICLE_STATUS_LABELS } from '@/lib/domain/enums';
import { t, type Lang } from '@/lib/wall/i18n';
import {
  CAMERA_LOOK_COLOR,
  CAMERA_LOOKS,
  CLUSTER_LINE_COLOR,
  GRID_HEAT,
  type AreaLevel,
  PRIORITY_COLOR,
  VEHICLE_LOOK_COLOR,
  WORKER_LOOK_COLOR,
  type Rgba,
} from '@/lib/wall/palette';
import { MAP_LAYER_KEYS, type MapLayerKey } from '../map/layer-keys';
import { HEAT_LEGEND_LABEL, heatSwatchTitles } from './heat-legend';
import styles from './wall.module.css';

/** Words of the layer toggles and legend that only this box uses. */
const WORDS = {
  workers: { zh: '网格员', en: 'Grid workers' },
  onDuty: { zh: '在岗', en: 'On duty' },
  offDuty: { zh: '离岗', en: 'Off duty' },
  cluster: { zh: '聚合', en: 'Group' },
  clusterTitle: {
    zh: '缩小时多个车辆或网格员合为一个圆，数字为数量，颜色取其中最紧要的状态；点击放大',
    en: 'Zoomed out, units or workers close together show as one circle with their count, coloured by the most urgent; click to zoom in',
  },
  camerasQuiet: {
    zh: '视频点位缩小时淡显、不可点击，放大后逐个显示',
    en: 'Cameras are faint and not clickable zoomed out, shown one by one zoomed in',
  },
} as const;

const LAYER_LABEL: Record<MapLayerKey, (lang: Lang) => string> = {
  grids: (l) => t('grids', l),
  incidents: (l) => t('incidents', l),
  vehicles: (l) => t('vehiclesLayer', l),
  workers: (l) => WORDS.workers[l],
  trails: (l) => t('trails', l),
  cameras: (l) => t('cameras', l),
};
const css = (c: Rgba) => `rgba(${c[0]},${c[1]},${c[2]},${Math.max(0.6, c[3] / 255)})`;

/** The person glyph of the workers' layer, as the map draws it (head and shoulders). */
function PersonMark({ color }: { color: Rgba }) {
  return (
    <svg width="13" height="13" viewBox="0 0 64 64" aria-hidden>
      <circle cx="32" cy="19" r="13" fill={css(color)} />
      <path d="M8 60 C8 40 18 34 32 34 C46 34 56 40 56 60 Z" fill={css(color)} />
    </svg>
  );
}

const CLUSTER_MARK: CSSProperties = {
  display: 'inline-flex',
  alignItems: 'center',
  justifyContent: 'center',
  width: 20,
  height: 20,
  borderRadius: '50%',
  border: `1.5px solid ${css(CLUSTER_LINE_COLOR)}`,
  background: css(VEHICLE_LOOK_COLOR.patrol),
  color: '#061228',
  fontSize: 11,
  fontWeight: 700,
};

/**
 * Toggles and legend flow together in one box of two lines: the wall keeps CONTROLS_H (90 design px,
 * components/wall/wall-layout.ts) at the map's bottom for it, and a third line would cover markers.
 */
const FLOW: CSSProperties = {
  flexDirection: 'row',
  flexWrap: 'wrap',
  alignItems: 'center',
  gap: '4px 12px',
};
/** Tighter than the stylesheet's 10 px between entries: two lines must hold the whole legend. */
const GROUP: CSSProperties = { gap: 6, flexShrink: 0 };
const SWATCH: CSSProperties = { width: 12, marginLeft: 1 };

/** Layer toggles and the legend, in one box at the bottom of the map. */
export function MapControls({
  visible,
  lang,
  onToggle,
  areaLevel,
}: {
  visible: Record<MapLayerKey, boolean>;
  lang: Lang;
  onToggle: (k: MapLayerKey) => void;
  /** The level the map draws its areas at now (it follows the zoom). */
  areaLevel: AreaLevel;
}) {
  const titles = heatSwatchTitles(areaLevel, lang);
  return (
    <div className={styles.mapControls} style={FLOW} data-testid="map-controls">
      <div className={styles.layerToggles} style={{ flexShrink: 0 }} aria-label={t('layers', lang)}>
        {MAP_LAYER_KEYS.map((k) => (
          <button
            key={k}
            className={visible[k] ? styles.on : ''}
            onClick={() => onToggle(k)}
            data-layer={k}
            aria-pressed={visible[k]}
          >
            {LAYER_LABEL[k](lang)}
          </button>
        ))}
      </div>
      <div className={styles.legend} style={{ display: 'contents' }} data-testid="map-legend">
        <span className={styles.legendGroup} style={GROUP} data-legend="incidents">
          {([1, 2, 3, 4] as const).map((p) => (
            <span key={p}>
              <i className={styles.dot} style={{ background: css(PRIORITY_COLOR[p]!) }} />
              {PRIORITY_LABELS[p][lang]}
            </span>
          ))}
        </span>
        <span className={styles.legendGroup} style={GROUP} data-legend="workers">
          <span>
            <PersonMark color={WORKER_LOOK_COLOR.on_duty} />
            {`${WORDS.workers[lang]}${lang === 'zh' ? '' : ' '}${WORDS.onDuty[lang]}`}
          </span>
          <span>
            <PersonMark color={WORKER_LOOK_COLOR.off_duty} />
            {WORDS.offDuty[lang]}
          </span>
        </span>
        <span
          className={styles.legendGroup}
          style={GROUP}
          data-legend="clusters"
          title={WORDS.clusterTitle[lang]}
        >
          <span>
            <i style={CLUSTER_MARK}>12</i>
            {WORDS.cluster[lang]}
          </span>
        </span>
        <span className={styles.legendGroup} style={GROUP} data-legend="vehicles">
          {(['patrol', 'responding', 'on_scene', 'idle', 'offline'] as const).map((s) => (
            <span key={s}>
              <i className={styles.arrow} style={{ borderBottomColor: css(VEHICLE_LOOK_COLOR[s]) }} />
              {VEHICLE_STATUS_LABELS[s][lang]}
            </span>
          ))}
        </span>
        <span
          className={styles.legendGroup}
          style={GROUP}
          data-legend="cameras"
          title={WORDS.camerasQuiet[lang]}
        >
          {t('cameras', lang)}
          {CAMERA_LOOKS.map((s) => (
            <span key={s}>
              <i className={styles.dotSmall} style={{ background: css(CAMERA_LOOK_COLOR[s]) }} />
              {CAMERA_STATUS_LABELS[s][lang]}
            </span>
          ))}
        </span>
        <span className={styles.legendGroup} style={GROUP} data-legend="grids" data-area-level={areaLevel}>
          {HEAT_LEGEND_LABEL[areaLevel][lang]}
          {GRID_HEAT.map((c, k) => (
            <i
              key={k}
              className={styles.swatch}
              style={{ ...SWATCH, background: css([c[0], c[1], c[2], 200]) }}
              title={titles[k]}
            />
          ))}
        </span>
      </div>
    </div>
  );
}
