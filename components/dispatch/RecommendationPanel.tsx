'use client';

import { DEPARTMENT_KIND_LABELS, VEHICLE_KIND_LABELS } from '@/lib/domain/dispatch-fit';
import { CAMERA_STATUS_LABELS } from '@/lib/domain/enums';
import type { UnitRecommendation } from '@/lib/dispatch/api-types';
import type { Recommendations } from './api';
import styles from './dispatch.module.css';

interface Props {
  recs: Recommendations | null;
  canAssign: boolean;
  busy: boolean;
  onAssign(kind: 'vehicle' | 'worker' | 'department', id: string): void;
}

function travel(s: number): string {
  return s < 60 ? `${Math.round(s)} 秒` : `${Math.round(s / 60)} 分钟`;
}

function distance(m: number): string {
  return m < 1000 ? `${m} 米` : `${(m / 1000).toFixed(1)} 公里`;
}

/** A unit fits unless the server says otherwise (an older server sends no `fit`). */
const isFit = (u: { fit?: { isFit: boolean } }) => u.fit?.isFit !== false;

/**
 * Units that fit the incident (对口) by travel time, then the few that do not, muted under their own heading;
 * each row names the unit (name, plate, kind, owner), its travel time and distance, and why it fits. The
 * first fitting unit is the 首选 that Enter dispatches.
 */
export function RecommendationPanel({ recs, canAssign, busy, onAssign }: Props) {
  if (!recs) return <div className={styles.muted}>选择事件后显示推荐</div>;

  const unitRow = (kind: 'vehicle' | 'worker', u: UnitRecommendation, isFirst: boolean) => {
    const kindLabel =
      kind === 'vehicle' ? (u.kind ? (VEHICLE_KIND_LABELS[u.kind]?.zh ?? u.kind) : '车辆') : '网格员';
    const who = [u.plate, kindLabel, u.owner].filter(Boolean).join(' · ');
    return (
      <div
        key={u.id}
        className={`${styles.rec} ${isFit(u) ? '' : styles.recNotFit}`}
        data-testid={`rec-${kind}-${u.id}`}
        data-fit={isFit(u) ? 'yes' : 'no'}
      >
        <div className={styles.recMain}>
          <div className={styles.recName}>
            {isFirst && <span className={styles.first}>首选</span>}
            <span className={styles.recNameText} title={u.name ?? u.id}>
              {u.name ?? u.plate ?? u.id}
            </span>
          </div>
          <div className={styles.recSub} title={who}>
            {who}
          </div>
          <div className={styles.recSub}>
            {travel(u.travelTimeS)} · {distance(u.distanceM)}
            {u.method === 'straight_line' ? '（直线估算）' : ''}
            {u.fit?.reason && (
              <>
                {' · '}
                <span className={isFit(u) ? styles.fitTag : styles.notFitTag}>{u.fit.reason}</span>
              </>
            )}
          </div>
        </div>
        <button
          className={`${styles.button} ${styles.assign} ${isFirst ? styles.buttonPrimary : ''}`}
          disabled={!canAssign || busy}
          data-testid={`assign-${kind}-${u.id}`}
          onClick={() => onAssign(kind, u.id)}
        >
          派单
        </button>
      </div>
    );
  };

  const unitList = (kind: 'vehicle' | 'worker', units: UnitRecommendation[], empty: string) => {
    const fitting = units.filter(isFit);
    const others = units.filter((u) => !isFit(u));
    return (
      <>
        {fitting.length === 0 && <div className={styles.muted}>{empty}</div>}
        {fitting.map((u, k) => unitRow(kind, u, k === 0))}
        {others.length > 0 && <div className={styles.notFitHead}>不对口 · 仅供参考</div>}
        {others.map((u) => unitRow(kind, u, false))}
      </>
    );
  };

  return (
    <div>
      <div className={styles.section}>
        <div className={styles.sectionTitle}>推荐车辆（对口优先 · 按行程时间）</div>
        {unitList('vehicle', recs.vehicles, '附近无对口的可用车辆')}
      </div>
      <div className={styles.section}>
        <div className={styles.sectionTitle}>在岗网格员</div>
        {unitList('worker', recs.workers, '附近无对口的在岗网格员')}
      </div>
      <div className={styles.section}>
        <div className={styles.sectionTitle}>责任部门（中心吹哨、部门报到）</div>
        {recs.departments.length === 0 && <div className={styles.muted}>无对应部门</div>}
        {recs.departments.map((d) => (
          <div key={d.id} className={styles.rec} data-testid={`rec-department-${d.id}`}>
            <div className={styles.recMain}>
              <div className={styles.recName}>
                <span className={styles.recNameText} title={d.name}>
                  {d.name}
                </span>
              </div>
              <div className={styles.recSub}>
                {DEPARTMENT_KIND_LABELS[d.kind]?.zh ?? d.kind}
                {d.phone ? ` · ${d.phone}` : ''}
                {d.fit?.reason && (
                  <>
                    {' · '}
                    <span className={styles.fitTag}>{d.fit.reason}</span>
                  </>
                )}
              </div>
            </div>
            <button
              className={`${styles.button} ${styles.assign}`}
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
            <span className={styles.recNameText}>{c.name ?? c.id}</span>
            <span className={styles.muted} style={{ flex: 'none' }}>
              {distance(c.distanceM)} ·{' '}
              {CAMERA_STATUS_LABELS[c.status as keyof typeof CAMERA_STATUS_LABELS]?.zh ?? c.status}
            </span>
          </div>
        ))}
      </div>
    </div>
  );
}
