'use client';

import { useEffect, useState } from 'react';
import { parseTownCards, type TownCards } from '@/lib/wall/town-cards';
import { wallFetch } from './use-wall-data';

/** Town cards change with incidents and device states; a splice wall reads them this often. */
const TOWN_CARDS_POLL_MS = 10_000;

/**
 * Town cards and down cameras for the scope, polled only while a wide wall shows them and the screen is
 * authorised (an unauthorised request would put an error in the console for nothing).
 */
export function useTownCards(regionCode: string | null, isEnabled: boolean): TownCards | null {
  const [cards, setCards] = useState<TownCards | null>(null);
  useEffect(() => {
    if (!isEnabled) return;
    let isCancelled = false;
    const load = async () => {
      try {
        const q = regionCode ? `?region=${regionCode}` : '';
        const r = await wallFetch(`/api/wall/town-cards${q}`);
        const next = r.ok ? parseTownCards(await r.json()) : null;
        if (!isCancelled && next && (next.regionCode ?? null) === regionCode) setCards(next);
      } catch {
        // keep the last cards; the link indicator says whether the server is there
      }
    };
    void load();
    const id = setInterval(() => void load(), TOWN_CARDS_POLL_MS);
    return () => {
      isCancelled = true;
      clearInterval(id);
    };
  }, [regionCode, isEnabled]);
  // Cards of another scope (just after a drill-down) are not shown as this one's.
  return cards && (cards.regionCode ?? null) === regionCode ? cards : null;
}
