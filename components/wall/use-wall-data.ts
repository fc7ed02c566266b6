'use client';

import { useEffect, useMemo, useRef, useState } from 'react';
import type { IncidentView } from '@/lib/domain/incident';
import { WallConnection, type LinkInfo } from '@/lib/realtime/socket-client';
import { displayToken, authFetch as wallFetch } from '../map/map-sources';
import { parseWallStats, type WallPeriod, type WallStats } from '@/lib/wall/stats';

/**
 * React hears about incidents at most this often (the first change after a quiet spell at once, so a
 * dispatch shows without delay); the map hears every batch directly.
 */
const INCIDENT_UI_MS = 500;
/** The link indicator and data age tick each second. */
const LINK_POLL_MS = 1_000;
/** Stats for a period other than today are fetched over HTTP this often (batches carry today's). */
const PERIOD_POLL_MS = 15_000;

export interface WallData {
  connection: WallConnection;
  stats: WallStats | null;
  incidents: IncidentView[];
  link: LinkInfo;
  now: number;
  /** When (this screen's clock) the figures shown last arrived; 0: none yet. */
  statsAt: number;
  /**
   * The server has let this screen in (a session or a display token): until then nothing that needs
   * access is requested, so an unauthorised screen shows the way in instead of a console full of 401s.
   */
  hasAccess: boolean;
}

export { authFetch as wallFetch, displayToken } from '../map/map-sources';

export function useWallData(
  regionCode: string | null,
  period: WallPeriod,
  onNewCritical: (incidents: IncidentView[]) => void,
): WallData {
  // One connection for the life of the wall: drill-down re-scopes it instead of reconnecting (so the
  // initial region only seeds the handshake; later changes go through setRegion below).
  const [initialRegion] = useState(regionCode);
  const connection = useMemo(
    () => new WallConnection({ regionCode: initialRegion, token: displayToken() }),
    [initialRegion],
  );
  const [liveStats, setLiveStats] = useState<WallStats | null>(null);
  const [periodStats, setPeriodStats] = useState<WallStats | null>(null);
  // Arrival times on this screen's clock: the server's `at` is on its own, which a wall's may differ from.
  const [liveStatsAt, setLiveStatsAt] = useState(0);
  const [periodStatsAt, setPeriodStatsAt] = useState(0);
  const [incidents, setIncidents] = useState<IncidentView[]>([]);
  const [link, setLink] = useState<LinkInfo>(() => connection.link());
  // 0 until mounted: the server render and the first client render must agree (no clock in SSR output).
  const [now, setNow] = useState(0);
  const [hasAccess, setHasAccess] = useState(false);
  const criticalRef = useRef(onNewCritical);
  criticalRef.current = onNewCritical;

  useEffect(() => {
    connection.start();
    let statsVersion = -1;
    let incidentsVersion = -1;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let flushedAt = 0;
    const flushIncidents = () => {
      timer = null;
      flushedAt = performance.now();
      if (incidentsVersion === connection.state.incidentsVersion) return;
      incidentsVersion = connection.state.incidentsVersion;
      setIncidents([...connection.state.incidents.values()].sort((a, b) => b.receivedAt - a.receivedAt));
    };
    const unsubscribe = connection.subscribe((result, state) => {
      setHasAccess(true);
      if (state.statsVersion !== statsVersion) {
        statsVersion = state.statsVersion;
        setLiveStats(parseWallStats(state.stats));
        setLiveStatsAt(Date.now());
      }
      if (result.ok) {
        // 特急 and 紧急: the alarm decides what rings and what only shows (use-alarm.ts).
        const critical = result.newIncidents.filter((i) => i.priority <= 2);
        if (critical.length > 0) criticalRef.current(critical);
      }
      if (state.incidentsVersion !== incidentsVersion && !timer)
        timer = setTimeout(flushIncidents, Math.max(0, flushedAt + INCIDENT_UI_MS - performance.now()));
    });
    const tick = () => {
      const l = connection.link();
      setLink(l);
      if (l.isConnected) setHasAccess(true);
      setNow(Date.now());
    };
    tick();
    const poll = setInterval(tick, LINK_POLL_MS);
    return () => {
      unsubscribe();
      clearInterval(poll);
      if (timer) clearTimeout(timer);
      connection.stop();
    };
  }, [connection]);

  useEffect(() => {
    if (connection.state.world?.regionCode !== regionCode) connection.setRegion(regionCode);
  }, [connection, regionCode]);

  useEffect(() => {
    setPeriodStats(null);
    if (period === 'today' || !hasAccess) return;
    let isCancelled = false;
    const load = async () => {
      try {
        const q = new URLSearchParams({ period, ...(regionCode ? { region: regionCode } : {}) });
        const r = await wallFetch(`/api/wall/stats?${q}`);
        if (r.ok && !isCancelled) {
          setPeriodStats(parseWallStats(await r.json()));
          setPeriodStatsAt(Date.now());
        }
      } catch {
        // keep the last numbers; the link indicator tells whether the server is there
      }
    };
    void load();
    const id = setInterval(() => void load(), PERIOD_POLL_MS);
    return () => {
      isCancelled = true;
      clearInterval(id);
    };
  }, [period, regionCode, hasAccess]);

  // Live stats that still describe another scope (just after a drill-down) are not shown as this one's.
  const scoped = liveStats && (liveStats.region.code ?? null) === regionCode ? liveStats : null;
  return {
    connection,
    stats: period === 'today' ? scoped : (periodStats ?? null),
    statsAt: period === 'today' ? (scoped ? liveStatsAt : 0) : periodStats ? periodStatsAt : 0,
    incidents,
    link,
    now,
    hasAccess,
  };
}
