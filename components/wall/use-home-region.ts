'use client';

import { useEffect } from 'react';
import { isWithinRegion } from '@/lib/domain/region-code';
import { displayToken, wallFetch } from './use-wall-data';

/**
 * A screen or account scoped to one region lands on it. The server clamps such a principal to its region
 * whatever the page asks, so `/wall` (or a place outside the region) would otherwise carry the whole
 * territory's title and ask for panels the server refuses (403 region_not_allowed).
 */
export function useHomeRegion(
  regionCode: string | null,
  hasAccess: boolean,
  router: { replace(href: string): void },
): void {
  useEffect(() => {
    // Asked only once the server has let the screen in: an unauthorised wall would log a 401 for nothing.
    if (!hasAccess) return;
    let isCancelled = false;
    void wallFetch('/api/session')
      .then((r) => (r.ok ? (r.json() as Promise<{ regionCode?: string | null }>) : null))
      .then((me) => {
        const home = me?.regionCode ?? null;
        if (!isCancelled && home && !isWithinRegion(regionCode, home)) router.replace(wallPath(home));
      })
      .catch(() => {});
    return () => {
      isCancelled = true;
    };
  }, [regionCode, hasAccess, router]);
}

/** The wall's URL for a region, keeping the display token a screen was opened with. */
export function wallPath(code: string | null): string {
  const token = displayToken();
  const q = token ? `?token=${encodeURIComponent(token)}` : '';
  return code ? `/wall/${code}${q}` : `/wall${q}`;
}
