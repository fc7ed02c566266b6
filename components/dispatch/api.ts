'use client';

import type {
  IncidentDetail,
  IncidentResponse,
  Recommendations,
  TimelineEvent,
} from '@/lib/dispatch/api-types';
import { DEFAULT_DISPLAY_TZ, formatDateTime } from '@/lib/time/display-time';

/** Response shapes of the dispatch API: one definition in lib/dispatch/api-types, shared with the server. */
export type { IncidentDetail, IncidentResponse, TimelineEvent };
export type { Recommendations };

export interface SessionInfo {
  username: string;
  role: 'admin' | 'leader' | 'dispatcher' | 'duty';
  isDisplay: boolean;
  idleTimeoutMs: number;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** JSON in, JSON out; a 401 sends the user to the login page (the session expired or was signed out). */
export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const res = await fetch(path, {
    method: init.method ?? 'GET',
    headers: init.body === undefined ? undefined : { 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    credentials: 'same-origin',
  });
  const data = (await res.json().catch(() => ({}))) as { error?: string };
  if (res.status === 401 && !path.startsWith('/api/session')) {
    window.location.assign(`/login?next=${encodeURIComponent(window.location.pathname)}`);
  }
  if (!res.ok) throw new ApiError(res.status, data.error ?? `请求失败 (${res.status})`);
  return data as T;
}

/** A countdown: "12分05秒" / "12m05s" left, "超 3分00秒" / "over 3m00s" when past. */
export function formatDuration(ms: number, lang: 'zh' | 'en' = 'zh'): string {
  const sign = ms < 0 ? (lang === 'zh' ? '超 ' : 'over ') : '';
  const s = Math.abs(Math.round(ms / 1000));
  const [d, h, m] = lang === 'zh' ? ['天', '时', '分'] : ['d', 'h', 'm'];
  const sec = lang === 'zh' ? '秒' : 's';
  if (s < 3600) return `${sign}${Math.floor(s / 60)}${m}${String(s % 60).padStart(2, '0')}${sec}`;
  if (s < 86_400) return `${sign}${Math.floor(s / 3600)}${h}${Math.floor((s % 3600) / 60)}${m}`;
  return `${sign}${Math.floor(s / 86_400)}${d}${Math.floor((s % 86_400) / 3600)}${h}`;
}

/**
 * "2026-12-02 14:20:05" in the display zone: pass the page's `useDisplayTz()`, so the console shows the
 * same time for an incident as the wall (never the browser's own zone).
 */
export function formatTime(ms: number, tz: string = DEFAULT_DISPLAY_TZ): string {
  return formatDateTime(ms, tz);
}
