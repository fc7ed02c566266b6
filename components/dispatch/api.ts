'use client';

import type { Recommendations } from '@/lib/dispatch/api-types';
import type { IncidentView } from '@/lib/domain/incident';
import type { TimeLimitStatus } from '@/lib/domain/time-limits';

/** Response shapes of the dispatch API (server/dispatch/*-routes.ts), as the console reads them. */
export interface IncidentDetail extends IncidentView {
  detail: string | null;
  satisfaction: number | null;
  closedAt: number | null;
  reporter: string | null;
  phone: string | null;
}

export interface TimelineEvent {
  id: number;
  at: number;
  actor: string;
  type: string;
  fromState: string | null;
  toState: string | null;
  note: string | null;
  data: Record<string, unknown> | null;
}

export interface IncidentResponse {
  incident: IncidentDetail;
  timeLimits: TimeLimitStatus;
  timeline: TimelineEvent[];
}

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

export function formatDuration(ms: number): string {
  const sign = ms < 0 ? '超 ' : '';
  const s = Math.abs(Math.round(ms / 1000));
  if (s < 3600) return `${sign}${Math.floor(s / 60)}分${String(s % 60).padStart(2, '0')}秒`;
  if (s < 86_400) return `${sign}${Math.floor(s / 3600)}时${Math.floor((s % 3600) / 60)}分`;
  return `${sign}${Math.floor(s / 86_400)}天${Math.floor((s % 86_400) / 3600)}时`;
}

export function formatTime(ms: number): string {
  return new Date(ms).toLocaleString('zh-CN', { hour12: false });
}
