'use client';

import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { IncidentState } from '@/lib/domain/enums';
import { EMPTY_FILTER, neighbourId, queueOf, type QueueFilter } from '@/lib/dispatch/incident-list';
import { DEFAULT_TIME_LIMITS, type TimeLimitConfig } from '@/lib/domain/time-limits';
import { ApiError, api, type IncidentResponse, type Recommendations, type SessionInfo } from './api';
import { DispatchMap } from './DispatchMap';
import { IncidentPanel } from './IncidentPanel';
import { IncidentQueue } from './IncidentQueue';
import { RecommendationPanel } from './RecommendationPanel';
import { IntakeForm, type LngLat } from './IntakeForm';
import { panConsoleMap, pickOnConsoleMap } from './console-map-bridge';
import { SearchBox } from '../search/SearchBox';
import type { SearchResult } from '@/lib/search/search-result';
import { useLiveIncidents, type LinkState } from './use-live-incidents';
import { t as productWord, type Lang } from '@/lib/wall/i18n';
import { useLang } from '../i18n/use-lang';
import { useActivityPing } from '../account/use-activity-ping';
import styles from './dispatch.module.css';

/** Countdown refresh (ms): lamps and "time left" move once a second. */
const CLOCK_TICK_MS = 1000;
/** How long a header notice (定位, 已登记) stays (ms). */
const NOTICE_MS = 4000;

/** The dispatcher's console (/dispatch): live queue, incident details, recommendations, one-click assignment. */
const LINK_LABEL: Record<LinkState, { zh: string; en: string }> = {
  live: { zh: '● 实时', en: '● Live' },
  connecting: { zh: '连接中…', en: 'Connecting…' },
  stale: { zh: '● 数据延迟，可能过期', en: '● Data delayed, may be out of date' },
  disconnected: { zh: '● 已断开，数据可能过期', en: '● Disconnected, data may be out of date' },
};
/** The console's own words, Chinese first. */
const WORDS = {
  title: { zh: '平安大屏 · 指挥调度台', en: 'Pingan Wall · Dispatch Console' },
  intake: { zh: '接警登记', en: 'Log a call' },
  wall: { zh: '大屏', en: 'Wall' },
  audit: { zh: '审计', en: 'Audit' },
  logout: { zh: '退出', en: 'Sign out' },
  password: { zh: '修改密码', en: 'Password' },
  pickIncident: { zh: '从左侧队列选择事件（↑↓ 键）', en: 'Pick an incident from the queue (↑↓ keys)' },
  recommendations: { zh: '推荐', en: 'Recommendations' },
  loadFailed: { zh: '加载失败', en: 'Loading failed' },
  actionFailed: { zh: '操作失败', en: 'Action failed' },
  located: { zh: '已定位：{name}', en: 'Located: {name}' },
  mapNotReady: { zh: '地图未就绪，无法定位', en: 'Map not ready, cannot locate' },
  noPosition: { zh: '{name}：暂无位置', en: '{name}: no position yet' },
  mapNotReadyPick: { zh: '地图未就绪，请直接输入经纬度', en: 'Map not ready: type the coordinates' },
  logged: { zh: '已登记', en: 'Logged' },
} as const;
type WordKey = keyof typeof WORDS;
const wd = (key: WordKey, lang: Lang, name = '') => WORDS[key][lang].replace('{name}', name);
/** A message kept as words, not text, so a language switch re-words what is already showing. */
type Message = (lang: Lang) => string;
const say =
  (key: WordKey, name?: string): Message =>
  (lang) =>
    wd(key, lang, name);

export function DispatchConsole({ initialSelectedId }: { initialSelectedId: string | null }) {
  const [me, setMe] = useState<SessionInfo | null>(null);
  const { list, link } = useLiveIncidents();
  const [filter, setFilter] = useState<QueueFilter>(EMPTY_FILTER);
  const [selectedId, setSelectedId] = useState<string | null>(initialSelectedId);
  const [detail, setDetail] = useState<IncidentResponse | null>(null);
  const [recs, setRecs] = useState<Recommendations | null>(null);
  const [error, setError] = useState<Message | null>(null);
  const [busy, setBusy] = useState(false);
  const [now, setNow] = useState(() => Date.now());
  const [limits, setLimits] = useState<TimeLimitConfig>(DEFAULT_TIME_LIMITS);
  // 接警登记: open form (its key re-creates it, and so its idempotency id, for each new call), map pick.
  const [intakeKey, setIntakeKey] = useState<number | null>(null);
  const [pickedAt, setPickedAt] = useState<LngLat | null>(null);
  const [isPicking, setIsPicking] = useState(false);
  const cancelPick = useRef<(() => void) | null>(null);
  const [notice, setNotice] = useState<Message | null>(null);
  const [lang, setLang] = useLang();

  useEffect(() => {
    api<SessionInfo>('/api/session')
      .then((s) => {
        setMe(s);
        return api<TimeLimitConfig>('/api/time-limits').then(setLimits);
      })
      .catch(() => window.location.assign('/login?next=/dispatch'));
    const t = setInterval(() => setNow(Date.now()), CLOCK_TICK_MS);
    return () => clearInterval(t);
  }, []);

  // Only what the dispatcher does keeps the session alive (not the live feed): an idle console expires.
  useActivityPing();

  const queue = useMemo(() => queueOf(list.byId.values(), filter, now, limits), [list, filter, now, limits]);
  const live = selectedId ? list.byId.get(selectedId) : undefined;

  const load = useCallback(async (id: string) => {
    try {
      const [d, r] = await Promise.all([
        api<IncidentResponse>(`/api/incidents/${encodeURIComponent(id)}`),
        api<Recommendations>(`/api/incidents/${encodeURIComponent(id)}/recommendations`),
      ]);
      setDetail(d);
      setRecs(r);
      setError(null);
    } catch (e) {
      const message = e instanceof ApiError ? e.message : null;
      setError(() => (message ? () => message : say('loadFailed')));
    }
  }, []);

  // Reload when the selection changes, and when the live copy of the selected incident changes (another
  // dispatcher, a wall, the field): the console never shows a state the server has moved past.
  useEffect(() => {
    if (selectedId) void load(selectedId);
    else {
      setDetail(null);
      setRecs(null);
    }
  }, [selectedId, live?.updatedAt, live?.state, load]);

  useEffect(() => {
    // A wall click (or a link) can select by URL hash: /dispatch#incident=<id>.
    const onHash = () => {
      const m = /incident=([^&]+)/.exec(window.location.hash);
      if (m) setSelectedId(decodeURIComponent(m[1]!));
    };
    onHash();
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const run = useCallback(
    async (path: string, body: unknown) => {
      if (!selectedId) return;
      setBusy(true);
      try {
        await api(`/api/incidents/${encodeURIComponent(selectedId)}/${path}`, { method: 'POST', body });
        await load(selectedId);
      } catch (e) {
        const message = e instanceof ApiError ? e.message : null;
        setError(() => (message ? () => message : say('actionFailed')));
        if (e instanceof ApiError && e.status === 409) void load(selectedId); // someone else got there first
      } finally {
        setBusy(false);
      }
    },
    [selectedId, load],
  );

  const onAssign = useCallback(
    (kind: 'vehicle' | 'worker' | 'department', id: string) => run('assign', { [`${kind}Id`]: id }),
    [run],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (target && ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName)) return;
      if (e.key === 'ArrowDown' || e.key === 'j' || e.key === 'ArrowUp' || e.key === 'k') {
        e.preventDefault();
        const id = neighbourId(queue, selectedId, e.key === 'ArrowDown' || e.key === 'j' ? 1 : -1);
        if (id) {
          setSelectedId(id);
          document.getElementById(`queue-${id}`)?.scrollIntoView({ block: 'nearest' });
        }
      } else if (
        e.key === 'Enter' &&
        recs?.vehicles[0] &&
        recs.vehicles[0].fit?.isFit !== false &&
        me?.role === 'dispatcher' &&
        !busy
      ) {
        void onAssign('vehicle', recs.vehicles[0].id);
      } else if (e.key === 'Escape') setSelectedId(null);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [queue, selectedId, recs, me, busy, onAssign]);

  // Memoised on the incident's place: a new object each render (the clock ticks every second) would ease the
  // map back to the incident every second and undo a pan to a searched unit.
  const fLng = detail?.incident.lng;
  const fLat = detail?.incident.lat;
  const fPriority = detail?.incident.priority;
  const focus = useMemo(
    () =>
      fLng !== undefined && fLat !== undefined && fPriority !== undefined
        ? { lng: fLng, lat: fLat, priority: fPriority }
        : null,
    [fLng, fLat, fPriority],
  );

  const onSearchPick = useCallback((r: SearchResult) => {
    if (r.kind === 'incident') {
      setIntakeKey(null);
      setSelectedId(r.id);
      document.getElementById(`queue-${r.id}`)?.scrollIntoView({ block: 'nearest' });
      return;
    }
    if (r.lng !== undefined && r.lat !== undefined) {
      const m = panConsoleMap(r.lng, r.lat) ? say('located', r.name) : say('mapNotReady');
      setNotice(() => m);
    } else setNotice(() => say('noPosition', r.name));
  }, []);

  const stopPicking = useCallback(() => {
    cancelPick.current?.();
    cancelPick.current = null;
    setIsPicking(false);
  }, []);

  const onPickOnMap = useCallback(() => {
    if (cancelPick.current) return stopPicking();
    const cancel = pickOnConsoleMap((p) => {
      cancelPick.current = null;
      setIsPicking(false);
      setPickedAt(p);
    });
    if (!cancel) return setNotice(() => say('mapNotReadyPick'));
    cancelPick.current = cancel;
    setIsPicking(true);
  }, [stopPicking]);

  const openIntake = useCallback(() => {
    stopPicking();
    setPickedAt(null);
    setIntakeKey(Date.now());
  }, [stopPicking]);

  const closeIntake = useCallback(() => {
    stopPicking();
    setIntakeKey(null);
  }, [stopPicking]);

  useEffect(() => {
    if (!notice) return;
    const t = setTimeout(() => setNotice(null), NOTICE_MS);
    return () => clearTimeout(t);
  }, [notice]);
  const canAssign =
    me?.role === 'dispatcher' &&
    !!detail &&
    ['reported', 'accepted', 'returned', 'escalated', 'dispatched'].includes(detail.incident.state);

  return (
    <div className={styles.shell}>
      <header className={styles.header}>
        <span className={styles.title}>{wd('title', lang)}</span>
        <span className={link === 'live' ? styles.linkLive : styles.linkDown} data-testid="link-state">
          {LINK_LABEL[link][lang]}
        </span>
        <SearchBox onPick={onSearchPick} lang={lang} className={styles.headerSearch} />
        {me?.role === 'dispatcher' && (
          <button
            className={`${styles.button} ${styles.headerButton}`}
            onClick={openIntake}
            data-testid="open-intake"
          >
            {wd('intake', lang)}
          </button>
        )}
        {notice && (
          <span className={styles.muted} role="status">
            {notice(lang)}
          </span>
        )}
        <span className={styles.spacer} />
        <a href="/wall" style={{ color: '#7fd4ff' }}>
          {wd('wall', lang)}
        </a>
        {me?.role === 'admin' && (
          <a href="/admin/audit" style={{ color: '#7fd4ff' }}>
            {wd('audit', lang)}
          </a>
        )}
        <span>
          {me?.username} <span className={styles.muted}>({me?.role})</span>
        </span>
        <a href="/account" style={{ color: '#7fd4ff' }} data-testid="own-password">
          {wd('password', lang)}
        </a>
        <button
          className={styles.button}
          onClick={() =>
            void api('/api/session', { method: 'DELETE' }).finally(() => window.location.assign('/login'))
          }
        >
          {wd('logout', lang)}
        </button>
        <button
          className={styles.button}
          onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}
          title={productWord('langToggleTitle', lang)}
          data-testid="lang-toggle"
        >
          {productWord('langToggle', lang)}
        </button>
      </header>
      <IncidentQueue
        queue={queue}
        filter={filter}
        onFilter={setFilter}
        selectedId={selectedId}
        onSelect={setSelectedId}
        now={now}
        limits={limits}
      />
      <div className={styles.center}>
        <DispatchMap focus={focus} recs={recs} />
        {intakeKey !== null ? (
          <IntakeForm
            key={intakeKey}
            position={pickedAt}
            onPickOnMap={onPickOnMap}
            isPicking={isPicking}
            onCreated={(id) => {
              closeIntake();
              setSelectedId(id);
              setNotice(() => say('logged'));
            }}
            onCancel={closeIntake}
          />
        ) : detail && me ? (
          <IncidentPanel
            data={detail}
            role={me.role}
            busy={busy}
            now={now}
            limits={limits}
            onTransition={(to: IncidentState, note: string) =>
              void run('transition', { to, note: note || undefined })
            }
            onSupervise={(level, note) => void run('supervise', { level, note: note || undefined })}
            onFollowUp={(satisfaction, note) =>
              void run('follow-up', { satisfaction, note: note || undefined })
            }
          />
        ) : (
          <div className={styles.detail}>
            <span className={styles.muted}>{wd('pickIncident', lang)}</span>
          </div>
        )}
      </div>
      <aside className={styles.panel} aria-label={wd('recommendations', lang)}>
        {error && (
          <div className={styles.error} role="alert">
            {error(lang)}
          </div>
        )}
        <RecommendationPanel
          recs={recs}
          canAssign={canAssign}
          busy={busy}
          onAssign={(k, id) => void onAssign(k, id)}
          onOpenIncident={setSelectedId}
        />
      </aside>
    </div>
  );
}
