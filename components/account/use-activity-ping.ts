'use client';

import { useEffect } from 'react';

/**
 * What a person does on the page (a key, a pointer press) tells the server the session is in use, at most
 * once a minute. Nothing else refreshes a session: background polls and the live socket do not, so an
 * unattended console signs itself out after the idle limit (server/auth/session-store.ts).
 */
export const ACTIVITY_PING_EVERY_MS = 60_000;

export function useActivityPing(): void {
  useEffect(() => {
    let last = 0;
    const onActivity = () => {
      const now = Date.now();
      if (now - last < ACTIVITY_PING_EVERY_MS) return;
      last = now;
      // A 401 here (signed out, or a display-token wall) is not this hook's business: the page's reads say so.
      void fetch('/api/session/activity', { method: 'POST', credentials: 'same-origin' }).catch(() => {});
    };
    window.addEventListener('keydown', onActivity);
    window.addEventListener('pointerdown', onActivity);
    return () => {
      window.removeEventListener('keydown', onActivity);
      window.removeEventListener('pointerdown', onActivity);
    };
  }, []);
}

/** For server-rendered pages that want the ping without becoming client components themselves. */
export function ActivityPing(): null {
  useActivityPing();
  return null;
}
