'use client';

import { CAMERA_STATUS_LABELS, PRIORITY_LABELS, VEHICLE_STATUS_LABELS } from '@/lib/domain/enums';
import { t, type Lang } from '@/lib/wall/i18n';
import {
  CAMERA_LOOK_COLOR,
  CAMERA_LOOKS,
  GRID_HEAT,
  PRIORITY_COLOR,
  VEHICLE_LOOK_COLOR,
  type Rgba,
} from '@/lib/wall/palette';
import { MAP_LAYER_KEYS, type MapLayerKey } from '../map/layer-keys';
import styles from './wall.module.css';

const LAYER_WORD = {
  grids: 'grids',
  incidents: 'incidents',
  vehicles: 'vehiclesLayer',
  trails: 'trails',
  cameras: 'cameras',
} as const;
const css = (c: Rgba) => `rgba(${c[0]},${c[1]},${c[2]},${Math.max(0.6, c[3] / 255)})`;

/** Layer toggles and the legend, in one box at the bottom of the map. */
export function MapControls({
  visible,
  lang,
  onToggle,
}: {
  visible: Record<MapLayerKey, boolean>;
  lang: Lang;
  onToggle: (k: MapLayerKey) => void;
}) {
  return (
    <div className={styles.mapControls} data-testid="map-controls">
      <div className={styles.layerToggles}>
        <span>{t('layers', lang)}</span>
        {MAP_LAYER_KEYS.map((k) => (
          <button key={k} className={visible[k] ? styles.on : ''} onClick={() => onToggle(k)} data-layer={k}>
            {t(LAYER_WORD[k], lang)}
          </button>
        ))}
      </div>
      <div className={styles.legend}>
        <span className={styles.legendGroup}>
          {([1, 2, 3, 4] as const).map((p) => (
            <span key={p}>
              <i className={styles.dot} style={{ background: css(PRIORITY_COLOR[p]!) }} />
              {PRIORITY_LABELS[p][lang]}
            </span>
          ))}
        </span>
        <span className={styles.legendGroup}>
          {(['patrol', 'responding', 'on_scene', 'idle', 'offline'] as const).map((s) => (
            <span key={s}>
              <i className={styles.arrow} style={{ borderBottomColor: css(VEHICLE_LOOK_COLOR[s]) }} />
              {VEHICLE_STATUS_LABELS[s][lang]}
            </span>
          ))}
        </span>
        <span className={styles.legendGroup}>
          {CAMERA_LOOKS.map((s) => (
            <span key={s}>
              <i className={styles.dotSmall} style={{ background: css(CAMERA_LOOK_COLOR[s]) }} />
              {lang === 'zh' ? `视频${CAMERA_STATUS_LABELS[s].zh}` : `Camera ${CAMERA_STATUS_LABELS[s].en}`}
            </span>
          ))}
        </span>
        <span className={styles.legendGroup}>
          {lang === 'zh' ? '网格在办' : 'Open per grid'}
          {GRID_HEAT.map((c, k) => (
            <i
              key={k}
              className={styles.swatch}
              style={{ background: css([c[0], c[1], c[2], 200]) }}
              title={['0', '1', '2–4', '5+', '超时'][k]}
            />
          ))}
        </span>
      </div>
    </div>
  );
}
