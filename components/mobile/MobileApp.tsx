'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import { useLang } from '../i18n/use-lang';
import { CATEGORY_LABELS } from '@/lib/domain/enums';
import {
  POSITION_INTERVAL_MS,
  TASK_ACTION_LABELS,
  type MobileMe,
  type MobileTasks,
} from '@/lib/mobile/contract';
import { mw, pendingCount } from './mobile-words';
import { flushQueue, listQueued, removeQueued, type QueuedAction, type QueuedItem } from './outbox';
import { ReportForm } from './ReportForm';
import { TaskList } from './TaskList';
import styles from './mobile.module.css';

/** How often 我的任务 asks for news while the page is open and online (a dispatcher's new task shows within it). */
const TASKS_POLL_MS = 10_000;
/** How often a queue left over (a failed send while the phone thought it was online) is tried again. */
const QUEUE_RETRY_MS = 30_000;

type Notice = { kind: 'ok' | 'warn' | 'error'; text: string } | null;

/** What the page last heard from the server, kept on the phone so it opens (and shows tasks) without a signal. */
const ME_CACHE = 'pingan-m:me';
const TASKS_CACHE = 'pingan-m:tasks';

function readCache<T>(key: string): T | null {
  try {
    const raw = localStorage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : null;
  } catch {
    return null;
  }
}

function writeCache(key: string, value: unknown): void {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // storage full or blocked: the page works, only not offline
  }
}

/** A waiting or refused item as the worker knows it: the report's category, or the task and the tap. */
function describe(q: QueuedItem, lang: 'zh' | 'en'): string {
  if (q.kind === 'report') return `${mw('report', lang)} · ${CATEGORY_LABELS[q.report.category][lang]}`;
  return `${TASK_ACTION_LABELS[q.action][lang]} · ${q.title}`;
}

function useOnline(): boolean {
  const [isOnline, setIsOnline] = useState(true);
  useEffect(() => {
    const update = () => setIsOnline(navigator.onLine);
    update();
    window.addEventListener('online', update);
    window.addEventListener('offline', update);
    return () => {
      window.removeEventListener('online', update);
      window.removeEventListener('offline', update);
    };
  }, []);
  return isOnline;
}

async function postJson(url: string, body: unknown): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    credentials: 'same-origin',
    body: JSON.stringify(body),
  });
}

/** The grid worker's phone page (/m): header with duty, 上报 and 我的任务 tabs, the offline queue. */
export function MobileApp() {
  const [lang, setLang] = useLang();
  const isOnline = useOnline();
  const [me, setMe] = useState<MobileMe | null>(null);
  const [denied, setDenied] = useState<string | null>(null);
  const [tab, setTab] = useState<'report' | 'tasks'>('report');
  const [data, setData] = useState<MobileTasks>({ tasks: [], reports: [] });
  const [queue, setQueue] = useState<QueuedItem[]>([]);
  const [notice, setNotice] = useState<Notice>(null);
  const lastFix = useRef<[number, number] | null>(null);
  const lastSent = useRef(0);

  const loadTasks = useCallback(async () => {
    try {
      const r = await fetch('/api/m/tasks', { credentials: 'same-origin' });
      if (r.ok) {
        const body = (await r.json()) as MobileTasks;
        setData(body);
        writeCache(TASKS_CACHE, body);
      }
    } catch {
      // offline: keep what is shown (the last list heard, kept on the phone)
      const kept = readCache<MobileTasks>(TASKS_CACHE);
      if (kept) setData((cur) => (cur.tasks.length || cur.reports.length ? cur : kept));
    }
  }, []);

  const refreshQueue = useCallback(async () => {
    try {
      setQueue(await listQueued());
    } catch {
      setQueue([]);
    }
  }, []);

  const flush = useCallback(async () => {
    let result: Awaited<ReturnType<typeof flushQueue>>;
    try {
      result = await flushQueue();
    } catch (e) {
      // The phone's storage failed (private mode, full): say so rather than fail silently.
      setNotice({ kind: 'error', text: e instanceof Error ? e.message : String(e) });
      return;
    }
    const { sent, sentActions, pending, refused } = result;
    await refreshQueue();
    if (refused.length > 0)
      setNotice({ kind: 'error', text: `${mw('failed', lang)}：${refused.join('；')}` });
    else if (sent > 0 || sentActions > 0) {
      const parts = [
        ...(sent > 0 ? [`${mw('sent', lang)} ${sent}`] : []),
        ...(sentActions > 0 ? [`${sentActions} ${mw('actionsSent', lang)}`] : []),
      ];
      setNotice({ kind: 'ok', text: parts.join(' · ') });
    } else if (pending > 0)
      // Offline, the banner and 待发送 n 条 say it already; online, the server did not answer: say it is kept.
      setNotice(navigator.onLine ? { kind: 'warn', text: mw('queued', lang) } : null);
    if (sent > 0 || sentActions > 0 || refused.length > 0) void loadTasks();
  }, [lang, loadTasks, refreshQueue]);

  useEffect(() => {
    void (async () => {
      try {
        const r = await fetch('/api/m/me', { credentials: 'same-origin' });
        if (r.status === 401) {
          window.location.assign('/login?next=/m');
          return;
        }
        if (!r.ok) {
          const body = (await r.json().catch(() => ({}))) as { error?: string };
          setDenied(body.error ?? mw('notWorker', lang));
          return;
        }
        const fresh = (await r.json()) as MobileMe;
        setMe(fresh);
        writeCache(ME_CACHE, fresh);
      } catch {
        // No signal: the worker last seen on this phone, so reports and taps can still be saved to send.
        const kept = readCache<MobileMe>(ME_CACHE);
        if (kept) setMe(kept);
        else setDenied(mw('offline', lang));
      }
    })();
    // Only on /m: the shell works without a signal; no other page registers a worker.
    if ('serviceWorker' in navigator)
      void navigator.serviceWorker.register('/m-sw.js', { scope: '/m' }).catch(() => {});
  }, []);

  useEffect(() => {
    if (!me) return;
    void loadTasks();
    void flush();
    const tasksTimer = setInterval(() => {
      if (document.visibilityState === 'visible' && navigator.onLine) void loadTasks();
    }, TASKS_POLL_MS);
    const queueTimer = setInterval(() => void flush(), QUEUE_RETRY_MS);
    const onOnline = () => void flush();
    window.addEventListener('online', onOnline);
    return () => {
      clearInterval(tasksTimer);
      clearInterval(queueTimer);
      window.removeEventListener('online', onOnline);
    };
  }, [me, loadTasks, flush]);

  // While on duty: the phone's position at most once per POSITION_INTERVAL_MS (the server holds the same bound).
  const onDuty = me?.onDuty ?? false;
  useEffect(() => {
    if (!onDuty || !('geolocation' in navigator)) return;
    const id = navigator.geolocation.watchPosition(
      (pos) => {
        const at: [number, number] = [pos.coords.longitude, pos.coords.latitude];
        lastFix.current = at;
        const now = Date.now();
        if (now - lastSent.current < POSITION_INTERVAL_MS || !navigator.onLine) return;
        lastSent.current = now;
        void postJson('/api/m/position', {
          lng: at[0],
          lat: at[1],
          ts: Math.round(pos.timestamp || now),
        }).catch(() => {});
      },
      () => {},
      { enableHighAccuracy: true, maximumAge: 10_000 },
    );
    return () => navigator.geolocation.clearWatch(id);
  }, [onDuty]);

  async function toggleDuty() {
    if (!me) return;
    const next = !me.onDuty;
    const at = lastFix.current;
    try {
      const r = await postJson('/api/m/duty', { onDuty: next, ...(at ? { lng: at[0], lat: at[1] } : {}) });
      const body = (await r.json().catch(() => ({}))) as { error?: string };
      if (!r.ok) throw new Error(body.error ?? `HTTP ${r.status}`);
      setMe({ ...me, onDuty: next });
      setNotice({ kind: 'ok', text: next ? mw('onDuty', lang) : mw('offDuty', lang) });
    } catch (e) {
      setNotice({ kind: 'error', text: e instanceof Error ? e.message : String(e) });
    }
  }

  const openTasks = data.tasks.filter((t) => t.state === 'dispatched' || t.state === 'on_scene').length;
  const waiting = queue.filter((q) => !q.error);
  const failed = queue.filter((q) => q.error);
  const queuedActions = queue.filter((q): q is QueuedAction => q.kind === 'action');

  return (
    <div className={styles.page} data-testid="m-page">
      <header className={styles.header}>
        <div className={styles.headerTitle}>
          <div className={styles.headerName}>{me?.name ?? mw('title', lang)}</div>
          <div className={styles.headerSub}>
            {me?.gridName ?? me?.gridCode ?? ''}
            {me ? ` · ${me.onDuty ? mw('onDuty', lang) : mw('offDuty', lang)}` : ''}
          </div>
        </div>
        {me && (
          <button
            type="button"
            className={`${styles.dutyButton} ${me.onDuty ? styles.dutyOn : ''}`}
            onClick={() => void toggleDuty()}
            data-testid="m-duty"
          >
            {me.onDuty ? mw('checkOut', lang) : mw('checkIn', lang)}
          </button>
        )}
        <button
          type="button"
          className={styles.langButton}
          onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}
        >
          {lang === 'zh' ? 'EN' : '中'}
        </button>
      </header>
      {!isOnline && <div className={`${styles.banner} ${styles.bannerWarn}`}>{mw('offline', lang)}</div>}
      {notice && (
        <div
          className={`${styles.banner} ${notice.kind === 'ok' ? styles.bannerOk : notice.kind === 'warn' ? styles.bannerWarn : styles.bannerError}`}
          data-testid="m-notice"
          role="status"
        >
          {notice.text}
        </div>
      )}
      {denied && <div className={`${styles.banner} ${styles.bannerError}`}>{denied}</div>}
      {(waiting.length > 0 || failed.length > 0) && (
        <section className={styles.section} data-testid="m-queue">
          {waiting.length > 0 && (
            <div className={styles.pendingStrip}>
              <strong data-testid="m-queue-count">{pendingCount(waiting.length, lang)}</strong>
              <ul className={styles.pendingList}>
                {waiting.map((q) => (
                  <li key={q.key}>{describe(q, lang)}</li>
                ))}
              </ul>
              <span className={styles.pendingHint}>{mw('pendingHint', lang)}</span>
            </div>
          )}
          {failed.map((q) => (
            <div key={q.key} className={styles.queueItem} data-testid="m-queue-failed">
              <span>
                {describe(q, lang)} {mw('failed', lang)}：{q.error}
              </span>
              <button
                type="button"
                className={styles.secondary}
                onClick={() => void removeQueued(q.key).then(refreshQueue)}
              >
                {mw('discard', lang)}
              </button>
            </div>
          ))}
        </section>
      )}
      {me && tab === 'report' && (
        <ReportForm
          lang={lang}
          fallbackCenter={me.center}
          onQueued={() => {
            void refreshQueue();
            void flush();
          }}
        />
      )}
      {me && tab === 'tasks' && (
        <TaskList
          lang={lang}
          tasks={data.tasks}
          reports={data.reports}
          queued={queuedActions}
          onQueued={() => {
            void refreshQueue();
            void flush();
          }}
        />
      )}
      <nav className={styles.tabs}>
        <button
          type="button"
          className={`${styles.tab} ${tab === 'report' ? styles.tabActive : ''}`}
          onClick={() => setTab('report')}
          data-testid="m-tab-report"
        >
          {mw('report', lang)}
        </button>
        <button
          type="button"
          className={`${styles.tab} ${tab === 'tasks' ? styles.tabActive : ''}`}
          onClick={() => {
            setTab('tasks');
            void loadTasks();
          }}
          data-testid="m-tab-tasks"
        >
          {mw('tasks', lang)}
          {openTasks > 0 && <span className={styles.badge}>{openTasks}</span>}
        </button>
      </nav>
    </div>
  );
}
