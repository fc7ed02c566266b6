'use client';

import { useEffect, useState } from 'react';
import { DEFAULT_DISPLAY_TZ } from '@/lib/time/display-time';
import { adoptTimeLimits } from '@/lib/domain/time-limits';
import { authFetch } from '../map/map-sources';

/**
 * The deployment's display time zone (DISPLAY_TZ, from /api/map/world.json), fetched once per page and
 * shared by every component that formats a time. Until it arrives the default zone is used, which is the
 * configured one in every deployment that has not changed it.
 */
let shared: Promise<string> | null = null;

function loadDisplayTz(): Promise<string> {
  shared ??= authFetch('/api/map/world.json')
    .then((r) => (r.ok ? (r.json() as Promise<{ displayTz?: string; timeLimits?: unknown }>) : {}))
    .then((w: { displayTz?: string; timeLimits?: unknown }) => {
      // The same answer carries the configured 时限; lamps computed without an explicit config use them.
      adoptTimeLimits(w.timeLimits);
      return w.displayTz ?? DEFAULT_DISPLAY_TZ;
    })
    .catch(() => {
      shared = null; // try again on the next mount
      return DEFAULT_DISPLAY_TZ;
    });
  return shared;
}

export function useDisplayTz(): string {
  const [tz, setTz] = useState(DEFAULT_DISPLAY_TZ);
  useEffect(() => {
    let isLive = true;
    void loadDisplayTz().then((z) => isLive && setTz(z));
    return () => {
      isLive = false;
    };
  }, []);
  return tz;
}
