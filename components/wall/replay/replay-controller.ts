/**
 * The wall's replay engine (no React): owns the replay clock, fetches history keyframes ahead of it into a
 * bounded cache, writes the interpolated instant into its own client state and tells the map (a MapFeed,
 * like the live connection) at REPLAY_DRAW_MS. The live connection is never touched: leaving replay is
 * dropping this feed, and the live one underneath has kept flowing all along.
 */
import type { IncidentView } from '@/lib/domain/incident';
import { unpackFrame, type HistoryIncident, type HistoryIncidentsResponse } from '@/lib/history/contract';
import { writeInterpolated, type ReplayKeyframe } from '@/lib/history/replay-frame';
import {
  clockAt,
  incidentsAt,
  keyframeTimes,
  seek,
  setPlaying,
  setSpeed,
  startClock,
  type ReplayClock,
  type ReplaySpeed,
  type ReplayUrlState,
} from '@/lib/history/replay-model';
import { createClientState, type ApplyResult, type ClientState } from '@/lib/realtime/client-store';
import { ENTITY_KINDS } from '@/lib/realtime/position-codec';
import { authFetch } from '../../map/map-sources';

/** Keyframes kept in memory (a province frame is megabytes): the oldest fetched goes first. */
export const REPLAY_FRAME_CACHE_MAX = 16;
/** How often the replayed instant is recomputed and handed to the map (ms): 10 Hz, like live batches. */
export const REPLAY_DRAW_MS = 100;

type Listener = () => void;
type BatchListener = (result: ApplyResult, state: ClientState) => void;

export interface ReplaySnapshot {
  clock: ReplayClock | null;
  /** The period's incidents with their timelines (empty until loaded). */
  incidents: HistoryIncident[];
  isLoading: boolean;
  /** Why the history could not be read (shown in the replay bar), or null. */
  error: string | null;
}

export class ReplayController {
  /** What the map draws while replaying: the same shape as the live connection's state. */
  readonly state: ClientState = createClientState();
  private listeners = new Set<Listener>();
  private batchListeners = new Set<BatchListener>();
  private snap: ReplaySnapshot = { clock: null, incidents: [], isLoading: false, error: null };
  private frames = new Map<number, Promise<ReplayKeyframe | null>>();
  private ready = new Map<number, ReplayKeyframe>();
  private epoch = '';
  private region: string | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private incidentsKey = '';
  private shownKey = '';
  private hasShown = false;
  /** The period's incidents have been answered (an empty list included). */
  private hasIncidents = false;
  /** Bumped whenever the period or region changes: answers for an older one are dropped. */
  private generation = 0;
  /** The instant last drawn (replayed epoch ms): the map's clock, for stale lamps and time limits. */
  drawnAt = 0;

  get snapshot(): ReplaySnapshot {
    return this.snap;
  }

  subscribeSnapshot = (l: Listener): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };

  /** MapFeed: the map hears every replayed instant as a batch. */
  subscribe(l: BatchListener): () => void {
    this.batchListeners.add(l);
    return () => this.batchListeners.delete(l);
  }

  clockNow = (): number => this.drawnAt;

  /**
   * The wall can play from here: the period's incidents are in, and so is every keyframe the clock needs next
   * (the one at the replayed instant and KEYFRAME_PREFETCH ahead). What B8 times ("a district hour loaded").
   */
  isReadyToPlay(wallNow = Date.now()): boolean {
    const c = this.snap.clock;
    if (!c || !this.hasIncidents) return false;
    return keyframeTimes(clockAt(c, wallNow), c, c.speed).every((t) => this.ready.has(t));
  }

  /** Replayed time right now (moves while playing; read by the bar and panels on their own tick). */
  at(wallNow = Date.now()): number {
    return this.snap.clock ? clockAt(this.snap.clock, wallNow) : 0;
  }

  private set(patch: Partial<ReplaySnapshot>): void {
    this.snap = { ...this.snap, ...patch };
    for (const l of this.listeners) l();
  }

  start(s: ReplayUrlState, region: string | null, isPlaying = false): void {
    this.region = region;
    this.reset();
    this.set({ clock: startClock(s, Date.now(), isPlaying), incidents: [], error: null });
    void this.loadIncidents();
    this.timer ??= setInterval(() => this.tick(), REPLAY_DRAW_MS);
    this.tick();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.reset();
    this.set({ clock: null, incidents: [], isLoading: false, error: null });
  }

  setRegion(region: string | null): void {
    if (region === this.region) return;
    this.region = region;
    const c = this.snap.clock;
    if (!c) return;
    this.reset();
    this.set({ incidents: [] });
    void this.loadIncidents();
    this.tick();
  }

  play(isPlaying: boolean): void {
    if (this.snap.clock) this.set({ clock: setPlaying(this.snap.clock, isPlaying, Date.now()) });
  }

  seekTo(at: number): void {
    if (this.snap.clock) this.set({ clock: seek(this.snap.clock, at, Date.now()) });
    // A jump is a new picture, not motion: no trail from where the units were to where they are now.
    this.hasShown = false;
    this.tick();
  }

  setSpeed(speed: ReplaySpeed): void {
    if (this.snap.clock) this.set({ clock: setSpeed(this.snap.clock, speed, Date.now()) });
  }

  private reset(): void {
    this.generation++;
    this.frames.clear();
    this.ready.clear();
    this.incidentsKey = '';
    this.shownKey = '';
    this.hasShown = false;
    this.hasIncidents = false;
  }

  private async loadIncidents(): Promise<void> {
    const c = this.snap.clock;
    if (!c) return;
    const gen = this.generation;
    const q = new URLSearchParams({ from: String(c.from), to: String(c.to) });
    if (this.region) q.set('region', this.region);
    try {
      const r = await authFetch(`/api/history/incidents?${q}`);
      if (gen !== this.generation) return;
      if (!r.ok) return this.set({ error: `${r.status} ${await r.text().catch(() => '')}`.trim() });
      const body = (await r.json()) as HistoryIncidentsResponse;
      if (gen !== this.generation) return;
      this.hasIncidents = true;
      this.set({ incidents: Array.isArray(body.incidents) ? body.incidents : [] });
    } catch (err) {
      if (gen === this.generation) this.set({ error: String(err) });
    }
  }

  private fetchFrame(at: number): Promise<ReplayKeyframe | null> {
    const hit = this.frames.get(at);
    if (hit) return hit;
    while (this.frames.size >= REPLAY_FRAME_CACHE_MAX) {
      const oldest = this.frames.keys().next().value as number;
      this.frames.delete(oldest);
      this.ready.delete(oldest);
    }
    const gen = this.generation;
    const q = new URLSearchParams({ at: String(at) });
    if (this.region) q.set('region', this.region);
    const p = authFetch(`/api/history/frame?${q}`)
      .then(async (r) => {
        if (!r.ok) throw new Error(`${r.status}`);
        const epoch = r.headers.get('x-pingan-epoch') ?? '';
        const frame = unpackFrame(await r.arrayBuffer());
        if (gen !== this.generation) return null;
        this.epoch = epoch;
        this.ready.set(at, frame);
        // The picture waited for this one: draw now rather than on the next REPLAY_DRAW_MS tick.
        if (this.snap.isLoading) this.tick();
        return frame;
      })
      .catch((err: unknown) => {
        // Forget the failure so the next tick asks again; say why meanwhile.
        if (gen === this.generation) {
          this.frames.delete(at);
          this.set({ error: `frame: ${String(err)}` });
        }
        return null;
      });
    this.frames.set(at, p);
    return p;
  }

  /** Computes the replayed instant and hands it to the map; pauses at the end of the period. */
  private tick(): void {
    const c = this.snap.clock;
    if (!c) return;
    const wallNow = Date.now();
    const at = clockAt(c, wallNow);
    if (c.isPlaying && at >= c.to) this.set({ clock: setPlaying(c, false, wallNow) });
    const times = keyframeTimes(at, c, c.speed);
    for (const t of times) void this.fetchFrame(t);
    const t0 = times[0]!;
    const t1 = times[1];
    const a = this.ready.get(t0);
    const isLoading = !a;
    if (isLoading !== this.snap.isLoading) this.set({ isLoading });
    if (!a) return;
    const b = t1 !== undefined ? (this.ready.get(t1) ?? null) : null;
    const f = b && t1 !== undefined && t1 > t0 ? (at - t0) / (t1 - t0) : 0;
    const key = `${t0}|${t1 ?? ''}|${b ? Math.round(f * 1000) : 0}`;
    const incidents = incidentsAt(this.snap.incidents, at);
    const incidentsKey = incidents.map((i) => `${i.id}:${i.state}`).join(',');
    if (key === this.shownKey && incidentsKey === this.incidentsKey) return;
    this.drawnAt = at;
    const isFull = !this.hasShown;
    if (key !== this.shownKey) {
      for (const kind of ENTITY_KINDS)
        this.state.lastChanged[kind] = writeInterpolated(
          this.state.entities[kind],
          a.batches[kind],
          b?.batches[kind] ?? null,
          f,
        );
      this.shownKey = key;
    } else for (const kind of ENTITY_KINDS) this.state.lastChanged[kind] = new Uint32Array(0);
    if (incidentsKey !== this.incidentsKey || isFull) this.setIncidents(incidents, incidentsKey);
    // The frame's idx values are the live numbering named by its epoch: a unit clicked in replay is looked up
    // under it, as in live mode.
    this.state.world = { name: '', epoch: this.epoch, regionCode: this.region, bbox: null };
    this.state.lastSeq++;
    this.state.serverTs = at;
    this.hasShown = true;
    const result: ApplyResult = { ok: true, isFull, newIncidents: [] };
    for (const l of this.batchListeners) l(result, this.state);
  }

  private setIncidents(list: IncidentView[], key: string): void {
    this.state.incidents = new Map(list.map((i) => [i.id, i]));
    this.state.incidentsVersion++;
    this.incidentsKey = key;
  }
}
