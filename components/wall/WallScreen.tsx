'use client';

import { usePathname, useRouter } from 'next/navigation';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { regionPrefix } from '@/lib/domain/region-code';
import { STALE_AFTER_MS, type EntityInfo } from '@/lib/realtime/contract';
import type { KindColumns } from '@/lib/realtime/client-store';
import { adoptTimeLimits } from '@/lib/domain/time-limits';
import type { SearchResult } from '@/lib/search/search-result';
import { drillTarget } from '@/lib/wall/drill';
import { periodLabel, t, type WordKey } from '@/lib/wall/i18n';
import type { WallPeriod } from '@/lib/wall/stats';
import { useLang } from '../i18n/use-lang';
import { SearchBox } from '../search/SearchBox';
import { useDisplayTz } from '../time/use-display-tz';
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
import { AccessNotice, AlarmBanner } from './AlarmBanner';
import { DetailDrawer, type Selection } from './DetailDrawer';
import { MapControls } from './MapControls';
import { Panel } from './Panel';
import { DEPT_TAB_ROTATE_MS, DeptReportTable, useRotatingTab } from '../department/DeptReportTable';
import { IncidentFeed, KpiBoard, LIST_PAGE_MS, OverdueList, openWorkCount } from './panels';
import { CameraWallBody, DispatchQueueBody, TownCardsBody } from './SplicePanels';
import { Stage, useStageSize } from './Stage';
import splice from './splice.module.css';
import { useAlarm } from './use-alarm';
import { useHomeRegion } from './use-home-region';
import { useTownCards } from './use-town-cards';
import { displayToken, useWallData, wallFetch } from './use-wall-data';
import { COLUMN_TOP, CONTROLS_H, GAP, MARGIN, mercatorAspect, wallLayout } from './wall-layout';
import { WallHeader } from './WallHeader';
import { ReplayFrame, ReplayStage } from './replay/ReplayStage';
import { unitInFrame } from './replay/unit-in-frame';
import { useReplay } from './replay/use-replay';
import { ReportsMenu } from './ReportsMenu';
import type { AreaLevel } from '@/lib/wall/palette';
import styles from './wall.module.css';

/** The ranking panel's two views: regions, and 部门报到 (per department 报到率 and 按时办结率). */
const RANK_TABS = ['region', 'dept'] as const;

/** Panel title bar and body padding (wall.module.css .panelTitle, .panelBody), for the cards' geometry. */
const PANEL_CHROME_H = 38 + 14;
const PANEL_CHROME_W = 20;
/** Half the side of the box a search result is flown to (degrees, ~300 m). */
const FOCUS_HALF_DEG = 0.003;
/** Default seconds per stop of the briefing tour; `?tour=N` overrides it. */
const TOUR_DEFAULT_S = 30;
/** How often the wall re-reads world.json (时限, the territory's name and extent). */
const WORLD_REFRESH_MS = 60_000;

function regionFromPath(path: string | null): string | null {
  const m = /^\/wall\/(\d{12}|\d{15})\/?$/.exec(path ?? '');
  return m ? m[1]! : null;
}

export interface WallScreenProps {
  /** A replay of the past (not built yet): no alarm banner and no tone for incidents that are old news. */
  isReplay?: boolean;
}

export function WallScreen({ isReplay = false }: WallScreenProps = {}) {
  const pathname = usePathname();
  const router = useRouter();
  const regionCode = regionFromPath(pathname);
  const [lang, setLang] = useLang();
  const tz = useDisplayTz();
  const [period, setPeriod] = useState<WallPeriod>('today');
  const [isBriefing, setIsBriefing] = useState(false);
  const [isTouring, setIsTouring] = useState(false);
  const [trendRange, setTrendRange] = useState<'24h' | '7d'>('24h');
  const [visible, setVisible] = useState<Record<MapLayerKey, boolean>>(
    () => Object.fromEntries(MAP_LAYER_KEYS.map((k) => [k, true])) as Record<MapLayerKey, boolean>,
  );
  const [areaLevel, setAreaLevel] = useState<AreaLevel>('grid');
  const [selection, setSelection] = useState<Selection | null>(null);
  /** A search result flown to: the map fits this box instead of the scope until the scope changes. */
  const [focus, setFocus] = useState<[number, number, number, number] | null>(null);
  const [world, setWorld] = useState<{
    name: string | null;
    bbox: [number, number, number, number] | null;
    rootCode: string | null;
  }>({
    name: null,
    bbox: null,
    rootCode: null,
  });
  // Replay (回放): the map draws history instead of the live store; the live connection keeps flowing beneath.
  const replay = useReplay(regionCode, pathname);
  const alarm = useAlarm(!isReplay && !replay.isReplaying);
  const { connection, stats, statsAt, incidents, link, now, hasAccess } = useWallData(
    regionCode,
    period,
    alarm.raise,
  );
  // 部门报到 stays up until each of its pages has been shown once.
  const [deptPages, setDeptPages] = useState(1);
  const [rankTab, pickRankTab] = useRotatingTab(RANK_TABS, !!stats?.departments?.length, (tab) =>
    tab === 'dept' ? Math.max(DEPT_TAB_ROTATE_MS, deptPages * LIST_PAGE_MS) : DEPT_TAB_ROTATE_MS,
  );
  const mapFeed = replay.isReplaying ? replay.controller : connection;
  const hideLive = replay.isReplaying ? { display: 'none' } : undefined;
  const size = useStageSize(isBriefing);
  // Read after mount: the server render has no URL query, and both renders must agree.
  const [token, setToken] = useState<string | null>(null);
  useEffect(() => setToken(displayToken()), []);
  const tokenQuery = token ? `?token=${encodeURIComponent(token)}` : '';

  useEffect(() => {
    // Re-read now and then: a wall runs for days, and an admin may change the 时限 or import the territory
    // meanwhile; only a changed answer re-renders.
    let last = '';
    const load = () =>
      void wallFetch('/api/map/world.json')
        .then((r) => (r.ok ? r.json() : null))
        .then((w: (typeof world & { timeLimits?: unknown }) | null) => {
          if (!w) return;
          adoptTimeLimits(w.timeLimits); // the configured 时限 light this wall's lamps
          // Only a new territory re-lays the wall (a new bbox would refit the map).
          const key = JSON.stringify([w.name, w.bbox, w.rootCode]);
          if (key === last) return;
          last = key;
          setWorld({ name: w.name, bbox: w.bbox, rootCode: w.rootCode });
        })
        .catch(() => {});
    load();
    const timer = setInterval(load, WORLD_REFRESH_MS);
    return () => clearInterval(timer);
  }, []);

  const go = useCallback(
    (code: string | null) => router.push(code ? `/wall/${code}${tokenQuery}` : `/wall${tokenQuery}`),
    [router, tokenQuery],
  );
  useHomeRegion(regionCode, hasAccess, router);
  useEffect(() => setFocus(null), [regionCode]);

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
        const q = new URLSearchParams({ epoch: mapFeed.state.world?.epoch ?? '' });
        void wallFetch(`/api/live/${kind}/${p.idx}?${q}`)
          .then(async (r) => (r.ok ? ((await r.json()) as EntityInfo) : null))
          .then((e) => e && setSelection({ kind, id: e.id, name: e.name, idx: p.idx }))
          // A refused lookup (the server restarted) needs nothing: the resync redraws the map anyway.
          .catch(() => {});
      }
    },
    [mapFeed, regionCode, topLen, go],
  );

  const onSearchPick = useCallback(
    (r: SearchResult) => {
      const flyTo = (lng: number, lat: number) =>
        setFocus([lng - FOCUS_HALF_DEG, lat - FOCUS_HALF_DEG, lng + FOCUS_HALF_DEG, lat + FOCUS_HALF_DEG]);
      const kind = r.kind;
      if (replay.isReplaying && (kind === 'vehicle' || kind === 'worker' || kind === 'camera')) {
        // As a unit clicked on the replay map: read from the replayed frame at its idx, and flown to where it
        // stood then (the result's place is where it is now).
        void unitInFrame(wallFetch, mapFeed.state, kind, r.id).then(({ idx, unit }) => {
          if (unit) flyTo(unit.lng, unit.lat);
          if (kind !== 'worker') setSelection({ kind, id: r.id, name: r.name, idx });
        });
        return;
      }
      if (r.lng !== undefined && r.lat !== undefined) flyTo(r.lng, r.lat);
      // In replay the map's incidents are the replayed ones: the drawer starts from how it stood then.
      if (kind === 'incident')
        setSelection({ kind: 'incident', id: r.id, view: mapFeed.state.incidents.get(r.id) });
      else if (kind === 'vehicle' || kind === 'camera') setSelection({ kind, id: r.id, name: r.name });
    },
    [mapFeed, replay.isReplaying],
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
  // The layout follows the whole territory's shape (not the drilled region's): panels stay put on drill-down.
  const layout = useMemo(
    () => wallLayout(size.width, size.height, mercatorAspect(world.bbox)),
    [size.width, size.height, world.bbox],
  );
  const s = size.scale;
  const mapRightEdge = layout.map.x + layout.map.w;
  const isWide = layout.leftExtra !== null;
  // On a splice wall the map's canvas spans the two panel columns and the middle, not the extra columns:
  // the map never pads more than 40 % of its width per side, which the extras would exceed on a 48:9 wall.
  const mapInset = isWide
    ? { left: layout.leftCol.x, right: size.width - (layout.rightCol.x + layout.rightCol.w) }
    : { left: 0, right: 0 };
  const targetPadding = useMemo(
    () => ({
      top: layout.mapTop * s,
      bottom: CONTROLS_H * s,
      left: (layout.map.x - mapInset.left) * s,
      right: (size.width - mapRightEdge - mapInset.right) * s,
    }),
    [layout, s, size.width, mapRightEdge, mapInset.left, mapInset.right],
  );
  // The map refits whenever its padding changes. When the layout also resizes its canvas (briefing on a
  // splice wall), MapLibre learns the new size from a ResizeObserver only before the next paint: hand the
  // map its new padding a frame later, so the region is fitted into the canvas it will have, not the old one.
  const [padding, setPadding] = useState(targetPadding);
  useEffect(() => {
    let second = 0;
    const first = requestAnimationFrame(() => {
      second = requestAnimationFrame(() => setPadding(targetPadding));
    });
    return () => {
      cancelAnimationFrame(first);
      cancelAnimationFrame(second);
    };
  }, [targetPadding]);
  const townCards = useTownCards(regionCode, isWide && hasAccess);
  const options = useMemo(
    () =>
      stats && {
        category: categoryOption(stats, lang),
        trend: trendOption(stats, trendRange, lang, tz),
        camera: cameraRateOption(stats, lang),
        ranking: rankingOption(stats, lang),
        vehicle: vehicleOption(stats, lang),
      },
    [stats, lang, trendRange, tz],
  );
  const isUnauthorized = link.status === 'unauthorized';
  // Never "loading" for ever: an unauthorised screen says so, a connected one without numbers says nothing.
  const waiting = isUnauthorized ? (
    <div className={styles.empty}>{t('unauthorized', lang)}</div>
  ) : link.status === 'connecting' ? (
    <div className={styles.empty}>{t('loadingStats', lang)}</div>
  ) : null;
  const flashing = useMemo(() => new Set(alarm.pending.map((i) => i.id)), [alarm.pending]);
  const openIncident = (id: string) =>
    setSelection({ kind: 'incident', id, view: connection.state.incidents.get(id) });
  const regionNameByPrefix = useMemo(() => {
    const m = new Map<string, string>();
    for (const c of stats?.children ?? []) m.set(regionPrefix(c.code), c.name);
    return m;
  }, [stats]);
  const placeOf = (i: { address: string | null; gridCode: string | null }) => {
    if (i.address) return i.address;
    for (const [prefix, name] of regionNameByPrefix) if (i.gridCode?.startsWith(prefix)) return name;
    return '';
  };
  const isStaleBanner = !replay.isReplaying && (link.status === 'disconnected' || link.status === 'stale');
  const childLevel = stats?.children[0]?.level;
  const areasWord: WordKey =
    childLevel === 'town'
      ? 'areasTown'
      : childLevel === 'community'
        ? 'areasCommunity'
        : childLevel === 'grid'
          ? 'areasGrid'
          : 'areasOther';
  const colHeight = size.height - COLUMN_TOP - MARGIN;

  return (
    <div
      className={`${styles.root} ${isBriefing ? styles.briefing : ''}`}
      data-testid="wall-root"
      data-region={regionCode ?? ''}
      data-layout={isWide ? (layout.rightExtra?.isSplit ? 'splice-wide' : 'splice') : 'standard'}
      data-replay={replay.isReplaying}
    >
      <ReplayFrame replay={replay} />
      <div
        className={`${styles.mapLayer} ${link.status === 'live' ? '' : styles.mapNotLive}`}
        style={isWide ? { left: mapInset.left * s, right: mapInset.right * s } : undefined}
      >
        {/* Mounted once the server has let this screen in: its tiles would only be refused before. */}
        {hasAccess ? (
          <LiveMap
            connection={mapFeed}
            heatPoints={replay.heat}
            fitBbox={focus ?? scopeBbox}
            padding={padding}
            visible={visible}
            selectedIncidentId={selection?.kind === 'incident' ? selection.id : null}
            areaPrefix={regionCode ? regionPrefix(regionCode) : ''}
            onPick={onPick}
            onAreaLevel={setAreaLevel}
            pixelScale={size.scale}
            flashingIncidentIds={flashing}
          />
        ) : null}
      </div>
      <Stage
        size={size}
        vars={{
          '--map-left': `${layout.map.x}px`,
          '--map-right': `${size.width - mapRightEdge}px`,
        }}
      >
        <WallHeader
          stats={stats}
          statsAt={statsAt}
          worldName={world.name ?? connection.state.world?.name ?? ''}
          link={link}
          now={now}
          tz={tz}
          lang={lang}
          period={period}
          isBriefing={isBriefing}
          isTouring={isTouring}
          isAlarmArmed={alarm.isArmed}
          liveVehicles={countLive(connection.state.entities.vehicle, now)}
          tokenQuery={tokenQuery}
          reports={isBriefing && hasAccess ? <ReportsMenu lang={lang} regionCode={regionCode} /> : null}
          search={
            hasAccess ? (
              <SearchBox onPick={onSearchPick} lang={lang} displayToken={token} className={styles.search} />
            ) : null
          }
          onLang={setLang}
          onPeriod={setPeriod}
          onBriefing={setIsBriefing}
          onTour={onTour}
          isReplaying={replay.isReplaying}
          onReplay={() => (replay.isReplaying ? replay.stop() : replay.pick(!replay.isPicking))}
        />
        {isStaleBanner ? (
          <div className={styles.banner} data-testid="stale-banner" data-status={link.status}>
            {link.status === 'stale' ? t('delayedBanner', lang) : t('staleBanner', lang)}
          </div>
        ) : null}
        {isUnauthorized ? (
          <div
            className={styles.accessSlot}
            data-testid="stale-banner"
            data-status="unauthorized"
            role="status"
          >
            <AccessNotice lang={lang} loginHref={`/login?next=${pathname ?? '/wall'}`} />
          </div>
        ) : null}
        {layout.leftExtra ? (
          <div
            className={splice.column}
            style={{ left: layout.leftExtra.x, width: layout.leftExtra.w, ...hideLive }}
            data-testid="splice-left"
          >
            <Panel
              title={t(areasWord, lang)}
              extra={townCards ? String(townCards.cards.length) : null}
              testId="panel-towns"
            >
              {townCards ? (
                <TownCardsBody
                  data={townCards}
                  lang={lang}
                  width={layout.leftExtra.w - PANEL_CHROME_W}
                  height={colHeight - PANEL_CHROME_H}
                  onOpen={go}
                />
              ) : (
                waiting
              )}
            </Panel>
          </div>
        ) : null}
        <div
          className={styles.colLeft}
          style={{ left: layout.leftCol.x, width: layout.leftCol.w, ...hideLive }}
          data-testid="col-left"
        >
          <Panel
            title={
              lang === 'zh'
                ? `${periodLabel(period, lang)}${t('periodIncidents', lang)}`
                : `${t('periodIncidents', lang)} · ${periodLabel(period, lang)}`
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
        <div
          className={styles.colRight}
          style={{ left: layout.rightCol.x, width: layout.rightCol.w, right: 'auto', ...hideLive }}
          data-testid="col-right"
        >
          <Panel
            title={t('cameraRate', lang)}
            extra={stats ? `${stats.cameras.online}/${stats.cameras.total}` : null}
          >
            {options ? <EChart option={options.camera} onPickCode={go} testId="chart-cameras" /> : waiting}
          </Panel>
          <Panel
            title={t(rankTab === 'dept' ? 'deptReport' : 'ranking', lang)}
            extra={RANK_TABS.map((k) => (
              <button key={k} className={rankTab === k ? styles.on : ''} onClick={() => pickRankTab(k)}>
                {t(k === 'dept' ? 'deptReportTab' : 'rankingTab', lang)}
              </button>
            ))}
            testId="panel-ranking"
          >
            {rankTab === 'dept' && stats ? (
              <DeptReportTable rows={stats.departments ?? []} lang={lang} onPages={setDeptPages} />
            ) : options ? (
              <EChart option={options.ranking} onPickCode={go} testId="chart-ranking" />
            ) : (
              waiting
            )}
          </Panel>
          <Panel title={t('overdueList', lang)} extra={stats ? String(stats.overdueListTotal) : null}>
            <OverdueList stats={stats} now={now} lang={lang} onOpen={openIncident} />
          </Panel>
          <Panel
            title={t('feed', lang)}
            extra={String(openWorkCount(incidents))}
            className={styles.feedPanel}
          >
            <IncidentFeed
              incidents={incidents}
              now={now}
              lang={lang}
              flashing={flashing}
              onOpen={(i) => openIncident(i.id)}
            />
          </Panel>
        </div>
        {layout.rightExtra ? (
          <div
            className={`${splice.column} ${layout.rightExtra.isSplit ? splice.sideBySide : splice.stacked}`}
            style={{ left: layout.rightExtra.x, width: layout.rightExtra.w, ...hideLive }}
            data-testid="splice-right"
          >
            <Panel
              title={t('cameraWall', lang)}
              extra={townCards ? String(townCards.offlineTotal) : null}
              testId="panel-camera-wall"
            >
              {stats || townCards ? <CameraWallBody stats={stats} data={townCards} lang={lang} /> : waiting}
            </Panel>
            <Panel title={t('dispatchQueue', lang)} testId="panel-dispatch-queue">
              {hasAccess ? (
                <DispatchQueueBody
                  incidents={incidents}
                  now={now}
                  lang={lang}
                  flashing={flashing}
                  onOpen={openIncident}
                />
              ) : (
                waiting
              )}
            </Panel>
          </div>
        ) : null}
        <MapControls
          visible={visible}
          lang={lang}
          onToggle={(k) => setVisible((v) => ({ ...v, [k]: !v[k] }))}
          areaLevel={areaLevel}
        />
        <ReplayStage
          replay={replay}
          left={layout.leftCol}
          right={layout.rightCol}
          top={COLUMN_TOP}
          height={colHeight}
          tz={tz}
          lang={lang}
          onOpenIncident={(id) => setSelection({ kind: 'incident', id })}
        />
        {alarm.pending.length > 0 && !replay.isReplaying ? (
          <div className={styles.alarmSlot} style={{ top: COLUMN_TOP + (isStaleBanner ? 70 : 0) + GAP / 2 }}>
            <AlarmBanner
              pending={alarm.pending}
              lang={lang}
              tz={tz}
              placeOf={placeOf}
              onOpen={openIncident}
              onAcknowledge={alarm.acknowledge}
            />
          </div>
        ) : null}
        {selection ? (
          <DetailDrawer
            selection={selection}
            lang={lang}
            onClose={() => setSelection(null)}
            onOpen={setSelection}
            regionCode={regionCode}
            replay={replay.isReplaying ? replay.controller : null}
          />
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
