'use client';

import { usePathname, useRouter } from 'next/navigation';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { regionPrefix } from '@/lib/domain/region-code';
import { STALE_AFTER_MS, type EntityInfo } from '@/lib/realtime/contract';
import type { KindColumns } from '@/lib/realtime/client-store';
import { drillTarget } from '@/lib/wall/drill';
import { periodLabel, t } from '@/lib/wall/i18n';
import type { WallPeriod } from '@/lib/wall/stats';
import { useLang } from '../i18n/use-lang';
import {
  cameraRateOption,
  categoryOption,
  rankingOption,
  trendOption,
  vehicleOption,
} from '../charts/options';
import { EChart } from '../charts/EChart';
import { LiveMap, type MapPick } from '../map/LiveMap';
import { MAP_LAYER_KEYS, type MapLayerKey } from '../map/layer-keys';
import { DetailDrawer, type Selection } from './DetailDrawer';
import { MapControls } from './MapControls';
import { Panel } from './Panel';
import { IncidentFeed, KpiBoard, OverdueList } from './panels';
import { Stage, useStageSize } from './Stage';
import { useAlarm } from './use-alarm';
import { displayToken, useWallData, wallFetch } from './use-wall-data';
import { WallHeader } from './WallHeader';
import styles from './wall.module.css';
import { adoptTimeLimits } from '@/lib/domain/time-limits';

/** Design-pixel geometry of the panel columns: the map's fit padding follows it. */
const HEADER_H = 96;
const COLUMN_W = 460;
const GAP = 20;
/** Default seconds per stop of the briefing tour; `?tour=N` overrides it. */
const TOUR_DEFAULT_S = 30;

function regionFromPath(path: string | null): string | null {
  const m = /^\/wall\/(\d{12}|\d{15})\/?$/.exec(path ?? '');
  return m ? m[1]! : null;
}

export function WallScreen() {
  const pathname = usePathname();
  const router = useRouter();
  const regionCode = regionFromPath(pathname);
  const [lang, setLang] = useLang();
  const [period, setPeriod] = useState<WallPeriod>('today');
  const [isBriefing, setIsBriefing] = useState(false);
  const [isTouring, setIsTouring] = useState(false);
  const [trendRange, setTrendRange] = useState<'24h' | '7d'>('24h');
  const [visible, setVisible] = useState<Record<MapLayerKey, boolean>>(
    () => Object.fromEntries(MAP_LAYER_KEYS.map((k) => [k, true])) as Record<MapLayerKey, boolean>,
  );
  const [selection, setSelection] = useState<Selection | null>(null);
  const [world, setWorld] = useState<{
    name: string | null;
    bbox: [number, number, number, number] | null;
    rootCode: string | null;
  }>({
    name: null,
    bbox: null,
    rootCode: null,
  });
  const alarm = useAlarm();
  const { connection, stats, incidents, link, now } = useWallData(regionCode, period, alarm.raise);
  const size = useStageSize(isBriefing);
  // Read after mount: the server render has no URL query, and both renders must agree.
  const [tokenQuery, setTokenQuery] = useState('');
  useEffect(() => {
    const tk = displayToken();
    setTokenQuery(tk ? `?token=${encodeURIComponent(tk)}` : '');
  }, []);

  useEffect(() => {
    void wallFetch('/api/map/world.json')
      .then((r) => (r.ok ? r.json() : null))
      .then((w: (typeof world & { timeLimits?: unknown }) | null) => {
        if (!w) return;
        adoptTimeLimits(w.timeLimits); // the configured 时限 light this wall's lamps
        setWorld(w);
      })
      .catch(() => {});
  }, []);

  const go = useCallback(
    (code: string | null) => router.push(code ? `/wall/${code}${tokenQuery}` : `/wall${tokenQuery}`),
    [router, tokenQuery],
  );

  const topLen = world.rootCode ? regionPrefix(world.rootCode).length : 6;
  const onPick = useCallback(
    (p: MapPick) => {
      if (p.kind === 'incident') setSelection({ kind: 'incident', id: p.incident.id, view: p.incident });
      else if (p.kind === 'area') {
        const target = drillTarget(regionCode, p.code, topLen);
        if (target) go(target);
      } else {
        // Batches carry positions by idx only: who it is comes from the server, under this numbering.
        const kind = p.kind;
        const q = new URLSearchParams({ epoch: connection.state.world?.epoch ?? '' });
        void wallFetch(`/api/live/${kind}/${p.idx}?${q}`)
          .then(async (r) => (r.ok ? ((await r.json()) as EntityInfo) : null))
          .then((e) => e && setSelection({ kind, id: e.id, name: e.name }))
          // A refused lookup (the server restarted) needs nothing: the resync redraws the map anyway.
          .catch(() => {});
      }
    },
    [connection, regionCode, topLen, go],
  );

  // Briefing tour: through the child regions of where the tour started, then back to it. The stop list is
  // fixed when the tour starts (following each stop's own children would wander off).
  const [tourStops, setTourStops] = useState<(string | null)[]>([]);
  const onTour = (on: boolean) => {
    setTourStops(on ? [regionCode, ...(stats?.children.map((c) => c.code) ?? [])] : []);
    setIsTouring(on);
  };
  useEffect(() => {
    if (!isTouring || tourStops.length < 2) return;
    const seconds = Number(new URLSearchParams(window.location.search).get('tour')) || TOUR_DEFAULT_S;
    let k = 0;
    const id = setInterval(() => {
      k = (k + 1) % tourStops.length;
      go(tourStops[k] ?? null);
    }, seconds * 1000);
    return () => clearInterval(id);
  }, [isTouring, tourStops, go]);

  const scopeBbox = regionCode
    ? connection.state.world?.regionCode === regionCode
      ? connection.state.world.bbox
      : null
    : world.bbox;
  const s = size.scale;
  const padding = useMemo(
    () => ({
      top: (HEADER_H + GAP) * s,
      bottom: 90 * s,
      left: (COLUMN_W + 2 * GAP) * s,
      right: (COLUMN_W + 2 * GAP) * s,
    }),
    [s],
  );
  const options = useMemo(
    () =>
      stats && {
        category: categoryOption(stats, lang),
        trend: trendOption(stats, trendRange, lang),
        camera: cameraRateOption(stats, lang),
        ranking: rankingOption(stats, lang),
        vehicle: vehicleOption(stats, lang),
      },
    [stats, lang, trendRange],
  );
  const waiting = (
    <div className={styles.empty}>{lang === 'zh' ? '统计数据加载中…' : 'Loading statistics…'}</div>
  );
  const flashing = useMemo(() => new Set(alarm.pending.map((i) => i.id)), [alarm.pending]);
  const openIncident = (id: string) =>
    setSelection({ kind: 'incident', id, view: connection.state.incidents.get(id) });
  const isStaleBanner =
    link.status === 'disconnected' || link.status === 'stale' || link.status === 'unauthorized';

  return (
    <div
      className={`${styles.root} ${isBriefing ? styles.briefing : ''}`}
      data-testid="wall-root"
      data-region={regionCode ?? ''}
    >
      <div className={`${styles.mapLayer} ${link.status === 'live' ? '' : styles.mapNotLive}`}>
        <LiveMap
          connection={connection}
          fitBbox={scopeBbox}
          padding={padding}
          visible={visible}
          selectedIncidentId={selection?.kind === 'incident' ? selection.id : null}
          areaPrefix={regionCode ? regionPrefix(regionCode) : ''}
          onPick={onPick}
          pixelScale={size.scale}
        />
      </div>
      <Stage size={size}>
        <WallHeader
          stats={stats}
          worldName={world.name ?? connection.state.world?.name ?? ''}
          link={link}
          now={now}
          lang={lang}
          period={period}
          isBriefing={isBriefing}
          isTouring={isTouring}
          isAlarmArmed={alarm.isArmed}
          liveVehicles={countLive(connection.state.entities.vehicle, now)}
          tokenQuery={tokenQuery}
          onLang={setLang}
          onPeriod={setPeriod}
          onBriefing={setIsBriefing}
          onTour={onTour}
        />
        {isStaleBanner ? (
          <div className={styles.banner} data-testid="stale-banner" data-status={link.status}>
            {link.status === 'unauthorized'
              ? t('unauthorizedBanner', lang)
              : link.status === 'stale'
                ? t('delayedBanner', lang)
                : t('staleBanner', lang)}
          </div>
        ) : null}
        <div className={styles.colLeft}>
          <Panel
            title={
              lang === 'zh'
                ? `${periodLabel(period, lang)}${t('periodIncidents', lang)}`
                : `${periodLabel(period, lang)}: ${t('periodIncidents', lang)}`
            }
            testId="panel-kpi"
          >
            <KpiBoard stats={stats} lang={lang} periodLabel={periodLabel(period, lang)} />
          </Panel>
          <Panel
            title={t('trend', lang)}
            extra={
              <>
                <button
                  className={trendRange === '24h' ? styles.on : ''}
                  onClick={() => setTrendRange('24h')}
                >
                  {t('h24', lang)}
                </button>
                <button className={trendRange === '7d' ? styles.on : ''} onClick={() => setTrendRange('7d')}>
                  {t('d7', lang)}
                </button>
              </>
            }
          >
            {options ? <EChart option={options.trend} testId="chart-trend" /> : waiting}
          </Panel>
          <Panel title={t('byCategory', lang)}>
            {!options ? (
              waiting
            ) : stats?.byCategory.length === 0 ? (
              <div className={styles.empty}>{t('noData', lang)}</div>
            ) : (
              <EChart option={options.category} testId="chart-category" />
            )}
          </Panel>
          <Panel title={t('vehicles', lang)}>
            {options ? <EChart option={options.vehicle} testId="chart-vehicles" /> : waiting}
          </Panel>
        </div>
        <div className={styles.colRight}>
          <Panel
            title={t('cameraRate', lang)}
            extra={stats ? `${stats.cameras.online}/${stats.cameras.total}` : null}
          >
            {options ? <EChart option={options.camera} onPickCode={go} testId="chart-cameras" /> : waiting}
          </Panel>
          <Panel title={t('ranking', lang)}>
            {options ? <EChart option={options.ranking} onPickCode={go} testId="chart-ranking" /> : waiting}
          </Panel>
          <Panel title={t('overdueList', lang)} extra={stats ? String(stats.overdueList.length) : null}>
            <OverdueList stats={stats} now={now} lang={lang} onOpen={openIncident} />
          </Panel>
          <Panel title={t('feed', lang)} extra={String(incidents.length)} className={styles.feedPanel}>
            <IncidentFeed
              incidents={incidents}
              now={now}
              lang={lang}
              flashing={flashing}
              onOpen={(i) => openIncident(i.id)}
            />
          </Panel>
        </div>
        <MapControls
          visible={visible}
          lang={lang}
          onToggle={(k) => setVisible((v) => ({ ...v, [k]: !v[k] }))}
        />
        {alarm.pending.length > 0 ? (
          <div className={styles.alarm} data-testid="alarm">
            <b>⚠ {t('newCritical', lang)}</b>
            {alarm.pending.slice(0, 3).map((i) => (
              <span key={i.id} onClick={() => openIncident(i.id)}>
                {i.title}
              </span>
            ))}
            <button onClick={() => alarm.acknowledge()} data-testid="alarm-ack">
              {t('acknowledge', lang)}
            </button>
          </div>
        ) : null}
        {selection ? (
          <DetailDrawer selection={selection} lang={lang} onClose={() => setSelection(null)} />
        ) : null}
      </Stage>
    </div>
  );
}

/** Vehicles with a position fresh enough to draw as live (re-counted each second with the clock). */
function countLive(c: KindColumns, now: number): number {
  const staleBefore = now - STALE_AFTER_MS.vehicle;
  let n = 0;
  for (let i = 0; i < c.count; i++) if (c.present[i] === 1 && c.ts[i]! >= staleBefore) n++;
  return n;
}
