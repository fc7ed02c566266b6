'use client';

import { CAMERA_STATUS_LABELS } from '@/lib/domain/enums';
import type { Recommendations } from './api';
import styles from './dispatch.module.css';

interface Props {
  recs: Recommendations | null;
  canAssign: boolean;
  busy: boolean;
  onAssign(kind: 'vehicle' | 'worker' | 'department', id: string): void;
}

function minutes(s: number): string {
  return s < 60 ? `${Math.round(s)} 秒` : `${Math.round(s / 60)} 分钟`;
}

/** Nearest available units by travel time, the responsible departments and nearby cameras: one click to assign. */
export function RecommendationPanel({ recs, canAssign, busy, onAssign }: Props) {
  if (!recs) return <div className={styles.muted}>选择事件后显示推荐</div>;
  const unitList = (kind: 'vehicle' | 'worker', units: Recommendations['vehicles'], empty: string) =>
    units.length === 0 ? (
      <div className={styles.muted}>{empty}</div>
    ) : (
      units.map((u, k) => (
        <div
          key={u.id}
          className={styles.row}
          style={{ marginBottom: 4 }}
          data-testid={`rec-${kind}-${u.id}`}
        >
          <span>
            {k === 0 && <span className={styles.badge}>首选</span>} {u.name ?? u.id}
            <span className={styles.muted}>
              {' '}
              {minutes(u.travelTimeS)} · {(u.distanceM / 1000).toFixed(1)} km
              {u.method === 'straight_line' ? ' (直线估算)' : ''}
            </span>
          </span>
          <button
            className={`${styles.button} ${k === 0 ? styles.buttonPrimary : ''}`}
            disabled={!canAssign || busy}
            data-testid={`assign-${kind}-${u.id}`}
            onClick={() => onAssign(kind, u.id)}
          >
            派单
          </button>
        </div>
      ))
    );
  return (
    <div>
      <div className={styles.section}>
        <div className={styles.sectionTitle}>推荐车辆（按路网行程时间）</div>
        {unitList('vehicle', recs.vehicles, '附近无可用车辆')}
      </div>
      <div className={styles.section}>
        <div className={styles.sectionTitle}>在岗网格员</div>
        {unitList('worker', recs.workers, '附近无在岗网格员')}
      </div>
      <div className={styles.section}>
        <div className={styles.sectionTitle}>责任部门（中心吹哨、部门报到）</div>
        {recs.departments.length === 0 && <div className={styles.muted}>无对应部门</div>}
        {recs.departments.map((d) => (
          <div key={d.id} className={styles.row} style={{ marginBottom: 4 }}>
            <span>
              {d.name} <span className={styles.muted}>{d.phone ?? ''}</span>
            </span>
            <button
              className={styles.button}
              disabled={!canAssign || busy}
              data-testid={`assign-department-${d.id}`}
              onClick={() => onAssign('department', d.id)}
            >
              派单
            </button>
          </div>
        ))}
      </div>
      <div className={styles.section}>
        <div className={styles.sectionTitle}>周边视频点位</div>
        {recs.cameras.length === 0 && <div className={styles.muted}>500 米内无视频点位</div>}
        {recs.cameras.map((c) => (
          <div key={c.id} className={styles.row}>
            <span>{c.name ?? c.id}</span>
            <span className={styles.muted}>
              {c.distanceM} m ·{' '}
              {CAMERA_STATUS_LABELS[c.status as keyof typeof CAMERA_STATUS_LABELS]?.zh ?? c.status}
            </span>
          </div>
        ))}
      </div>
    </div>
  );
}
