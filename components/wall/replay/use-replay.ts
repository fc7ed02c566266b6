'use client';

import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { clockAt, parseReplayQuery, withReplayQuery, type ReplayUrlState } from '@/lib/history/replay-model';
import type { HeatPoint } from '../../map/heat-layer';
import { ReplayController, type ReplaySnapshot } from './replay-controller';

/** The replay bar's clock and the period panels re-read the replayed time this often (ms). */
export const REPLAY_UI_MS = 250;

const IDLE: ReplaySnapshot = { clock: null, incidents: [], isLoading: false, error: null };

export interface Replay {
  controller: ReplayController;
  snapshot: ReplaySnapshot;
  /** The period picker is open. */
  isPicking: boolean;
  pick: (on: boolean) => void;
  isReplaying: boolean;
  heat: HeatPoint[] | null;
  start: (s: ReplayUrlState, isPlaying?: boolean) => void;
  stop: () => void;
}

/**
 * The wall's replay mode: one controller for the wall's life, opened from `?replay=from,to&at=&speed=` after
 * mount (a reopened briefing link) or from the picker. The URL follows the replay (and drill-down keeps it),
 * so a briefing can be reopened where it was left.
 */
export function useReplay(regionCode: string | null, pathname: string | null): Replay {
  const controller = useMemo(() => new ReplayController(), []);
  const [isPicking, setIsPicking] = useState(false);
  const snapshot = useSyncExternalStore(
    controller.subscribeSnapshot,
    () => controller.snapshot,
    () => IDLE,
  );
  const regionRef = useRef(regionCode);
  regionRef.current = regionCode;

  useEffect(() => {
    const s = parseReplayQuery(new URLSearchParams(window.location.search), Date.now());
    if (s) controller.start(s, regionRef.current);
    return () => controller.stop();
  }, [controller]);
  useEffect(() => controller.setRegion(regionCode), [controller, regionCode]);

  // The URL follows every play, pause, seek and speed change, and drill-down (a new path) keeps the replay.
  const clock = snapshot.clock;
  useEffect(() => {
    const s = clock
      ? { from: clock.from, to: clock.to, at: clockAt(clock, Date.now()), speed: clock.speed }
      : null;
    const next = `${window.location.pathname}${withReplayQuery(window.location.search, s)}`;
    if (next !== `${window.location.pathname}${window.location.search}`)
      window.history.replaceState(null, '', next);
  }, [clock, pathname]);

  // Keyed on the incidents list alone: it is replaced whenever a period starts, stops or changes region.
  const isOn = clock !== null;
  const heat = useMemo(
    () => (isOn ? snapshot.incidents.map((i) => ({ lng: i.lng, lat: i.lat })) : null),
    [isOn, snapshot.incidents],
  );
  return {
    controller,
    snapshot,
    isReplaying: clock !== null,
    heat,
    isPicking,
    pick: setIsPicking,
    start: (s, isPlaying = true) => {
      setIsPicking(false);
      controller.start(s, regionRef.current, isPlaying);
    },
    stop: () => controller.stop(),
  };
}

/**
 * The replayed time, re-read every REPLAY_UI_MS while replaying (only the components that show it re-render);
 * 0 without a controller (live).
 */
export function useReplayAt(controller: ReplayController | null, isOn: boolean): number {
  const [at, setAt] = useState(() => controller?.at() ?? 0);
  useEffect(() => {
    if (!isOn || !controller) return;
    setAt(controller.at());
    const id = setInterval(() => setAt(controller.at()), REPLAY_UI_MS);
    return () => clearInterval(id);
  }, [controller, isOn]);
  return at;
}
