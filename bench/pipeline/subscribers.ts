/**
 * N real socket.io-client walls in one child process. Each decodes what it receives like a wall does,
 * acknowledges it, and records per update its age at arrival (now − the producer's ts), the bytes on the
 * wire and the newest ts it holds per vehicle (for the latest-state delivered check).
 */
import fs from 'node:fs';
import { io as ioClient, type Socket } from 'socket.io-client';
import { isLiveLag, type EntityIdPage, type WireBatch } from '@/lib/realtime/contract';
import { decodePositions, TS_SATURATED, TS_UNIT_MS } from '@/lib/realtime/position-codec';
import { Histogram } from '../lib/histogram';
import { processSample, serveParent } from '../lib/child';
import { vehicleNumber } from './fleet';

/** Timeline slots for the burst figure (B5). */
const SLOT_MS = 100;
/**
 * B5's recovery is judged on the p99 of 1 s windows (each slot and the nine after it). A 100 ms slot holds
 * two ticks' updates, so its own "p99" is the age of its slower tick: one late tick an instant after the
 * burst, or seconds later, would read as not recovered.
 */
const RECOVERY_WINDOW_SLOTS = 10;
/** Per-slot ages in 10 ms bins up to this bound. */
const SLOT_HIST_MAX_MS = 20_000;
const NAIVE_EVENT = 'vehicle:update';

interface Wall {
  socket: Socket;
  url: string;
  lastTs: Float64Array;
  /** Server entity index → fleet number (paged from GET /api/live/vehicle/ids; batches carry idx only). */
  fleetOf: Int32Array;
  /** fleetOf is filled for idx below this. */
  idsKnown: number;
  isFetchingIds: boolean;
  updates: number;
  bytes: number;
}

const walls: Wall[] = [];
const hist = new Histogram();
/**
 * Per update, the part of its age after the server built its batch (`serverTs`): the socket, the kernel and
 * the walls' own turn on the cores. The rest of the age was spent before: Redis, ingest, the tick.
 */
const afterSend = new Histogram();
let isMeasuring = false;
let windowStart = 0;
let slots: Map<number, Uint32Array> | null = null;
/** Per slot, the oldest update that arrived in a batch not flagged as lagging: what a wall draws as live. */
let liveMax: Map<number, number> | null = null;
let fullBatches = 0;
/**
 * A batch's updates differ in age only by their tsBack, so ages are tallied per tsBack value and fed to the
 * histograms once per value: the walls share the machine with the server they measure, and per-update
 * bookkeeping was most of their CPU at a million updates a second.
 */
const perBack = new Uint32Array(TS_SATURATED);
const backs = new Uint16Array(TS_SATURATED);

function record(w: Wall, k: number, ts: number, now: number): void {
  if (ts > w.lastTs[k]!) w.lastTs[k] = ts;
  if (isMeasuring) recordAges(w, now - ts, 1, now, true);
}

/** n updates that arrived `now`, each `age` ms old. */
function recordAges(w: Wall, age: number, n: number, now: number, isLive: boolean): void {
  w.updates += n;
  hist.add(age, n);
  if (slots) {
    const s = Math.floor((now - windowStart) / SLOT_MS);
    let h = slots.get(s);
    if (!h) slots.set(s, (h = new Uint32Array(SLOT_HIST_MAX_MS / 10 + 1)));
    h[Math.min(SLOT_HIST_MAX_MS / 10, Math.max(0, Math.round(age / 10)))]! += n;
    if (isLive && age > (liveMax!.get(s) ?? 0)) liveMax!.set(s, age);
  }
}

/** Pages through the server's vehicle ids from where this wall's map ends (once per new registrations). */
async function learnIds(w: Wall): Promise<void> {
  if (w.isFetchingIds) return;
  w.isFetchingIds = true;
  try {
    for (;;) {
      const r = await fetch(`${w.url}/api/live/vehicle/ids?from=${w.idsKnown}`);
      if (!r.ok) throw new Error(`ids: HTTP ${r.status}`);
      const page = (await r.json()) as EntityIdPage;
      const end = page.from + page.ids.length;
      if (end > w.fleetOf.length) {
        const grown = new Int32Array(Math.max(end, w.fleetOf.length * 2)).fill(-1);
        grown.set(w.fleetOf);
        w.fleetOf = grown;
      }
      for (let j = 0; j < page.ids.length; j++) w.fleetOf[page.from + j] = vehicleNumber(page.ids[j]!);
      w.idsKnown = end;
      if (page.ids.length === 0 || end >= page.count) return;
    }
  } finally {
    w.isFetchingIds = false;
  }
}

function onPacked(w: Wall, batch: WireBatch): void {
  const now = Date.now();
  if (batch.isFull) fullBatches++;
  if (!batch.vehicle) return;
  const b = decodePositions(batch.vehicle);
  // The wall shows a batch from a lagging server as delayed, not live (lib/realtime/socket-client.ts).
  const isLive = isLiveLag(batch.lagMs ?? 0);
  // Updates of vehicles not yet in the id map are not counted (registrations happen during warm-up).
  for (let i = 0; i < b.count; i++) {
    if (b.idx[i]! >= w.idsKnown) {
      void learnIds(w).catch((e: unknown) => console.error(e));
      break;
    }
  }
  // A snapshot restates old positions: they set state but are not updates that travelled the pipeline.
  const isCounted = isMeasuring && !batch.isFull;
  let distinct = 0;
  for (let i = 0; i < b.count; i++) {
    const k = b.idx[i]! < w.fleetOf.length ? w.fleetOf[b.idx[i]!]! : -1;
    const back = b.tsBack[i]!;
    if (k < 0 || back === TS_SATURATED || b.baseTs === 0) continue;
    const ts = b.baseTs - back * TS_UNIT_MS;
    if (ts > w.lastTs[k]!) w.lastTs[k] = ts;
    if (isCounted && perBack[back]!++ === 0) backs[distinct++] = back;
  }
  let counted = 0;
  for (let j = 0; j < distinct; j++) {
    const back = backs[j]!;
    recordAges(w, now - (b.baseTs - back * TS_UNIT_MS), perBack[back]!, now, isLive);
    counted += perBack[back]!;
    perBack[back] = 0;
  }
  if (counted > 0) afterSend.add(now - batch.serverTs, counted);
}

function frameBytes(data: unknown): number {
  const n = typeof data === 'string' ? data.length : ((data as ArrayBuffer | undefined)?.byteLength ?? 0);
  // WebSocket frame header: 2 bytes, +2 past 125 bytes, +8 past 64 KiB (server → client frames are unmasked).
  return n + (n < 126 ? 2 : n < 65_536 ? 4 : 10);
}

async function connect(a: { url: string; n: number; mode: 'packed' | 'naive'; fleet: number }) {
  const snapshotMs: number[] = [];
  // Walls come up one after another (as screens do), each waiting for its snapshot.
  for (let j = 0; j < a.n; j++) {
    const t0 = Date.now();
    const socket = ioClient(a.url, { transports: ['websocket'], reconnection: false, forceNew: true });
    const w: Wall = {
      socket,
      url: a.url,
      lastTs: new Float64Array(a.fleet),
      fleetOf: new Int32Array(a.fleet).fill(-1),
      idsKnown: 0,
      isFetchingIds: false,
      updates: 0,
      bytes: 0,
    };
    walls.push(w);
    socket.io.on('open', () => {
      socket.io.engine.on('packet', (p: { data?: unknown }) => {
        if (isMeasuring) w.bytes += frameBytes(p.data);
      });
    });
    if (a.mode === 'packed') {
      socket.on('wall:batch', (batch: WireBatch, ack: (r: { ok: true }) => void) => {
        onPacked(w, batch);
        ack({ ok: true });
      });
      await new Promise<void>((r) => socket.once('wall:batch', () => r()));
    } else {
      socket.on(NAIVE_EVENT, (r: { id: string; ts: number }) =>
        record(w, vehicleNumber(r.id), r.ts, Date.now()),
      );
      await new Promise<void>((r) => socket.once('connect', () => r()));
    }
    snapshotMs.push(Date.now() - t0);
  }
  return { connected: walls.length, snapshotMs };
}

function windowStartOp(a: { timeline?: boolean }) {
  hist.reset();
  afterSend.reset();
  for (const w of walls) w.updates = w.bytes = 0;
  windowStart = Date.now();
  slots = a.timeline ? new Map() : null;
  liveMax = a.timeline ? new Map() : null;
  isMeasuring = true;
  return {};
}

function windowStop() {
  isMeasuring = false;
  const updates = walls.reduce((s, w) => s + w.updates, 0);
  const bytes = walls.reduce((s, w) => s + w.bytes, 0);
  const all = slots;
  const timeline = all
    ? [...all.entries()]
        .sort((x, y) => x[0] - y[0])
        .map(([s, h]) => ({
          tMs: s * SLOT_MS,
          ...slotStats(h),
          liveMax: liveMax?.get(s) ?? 0,
          p99Window: windowP99(all, s),
        }))
    : undefined;
  return {
    updates,
    bytes,
    bytesPerUpdate: updates > 0 ? bytes / updates : Number.NaN,
    p50: hist.quantile(0.5),
    p99: hist.quantile(0.99),
    max: hist.max,
    afterSendP99: afterSend.count > 0 ? afterSend.quantile(0.99) : null,
    timeline,
    disconnected: walls.filter((w) => !w.socket.connected).length,
  };
}

/** p99 over slot s and the RECOVERY_WINDOW_SLOTS − 1 after it (the slots that exist). */
function windowP99(all: Map<number, Uint32Array>, s: number): number {
  const merged = new Uint32Array(SLOT_HIST_MAX_MS / 10 + 1);
  for (let k = s; k < s + RECOVERY_WINDOW_SLOTS; k++) {
    const h = all.get(k);
    if (h) for (let i = 0; i < h.length; i++) merged[i]! += h[i]!;
  }
  return slotStats(merged).p99;
}

function slotStats(h: Uint32Array): { count: number; p99: number; max: number } {
  let count = 0;
  let max = 0;
  for (let i = 0; i < h.length; i++) {
    if (!h[i]) continue;
    count += h[i]!;
    max = i * 10;
  }
  let seen = 0;
  let p99 = 0;
  for (let i = 0; i < h.length; i++) {
    seen += h[i]!;
    if (seen >= Math.ceil(0.99 * count)) {
      p99 = i * 10;
      break;
    }
  }
  return { count, p99, max };
}

/** Latest state: the share of (wall, vehicle) pairs whose newest ts is the producer's newest, or newer. */
function latest(a: { file: string; sinceTs: number }) {
  const buf = fs.readFileSync(a.file);
  const produced = new Float64Array(buf.buffer, buf.byteOffset, buf.byteLength / 8);
  let checked = 0;
  let delivered = 0;
  for (const w of walls) {
    for (let k = 0; k < produced.length; k++) {
      const t = produced[k]!;
      if (t < a.sinceTs) continue;
      checked++;
      // The codec carries ts in 10 ms steps, so allow one step of rounding.
      if (w.lastTs[k]! >= t - TS_UNIT_MS) delivered++;
    }
  }
  return { checked, delivered, ratio: checked > 0 ? delivered / checked : Number.NaN, fullBatches };
}

async function close() {
  for (const w of walls) w.socket.close();
  walls.length = 0;
  return {};
}

serveParent({
  connect,
  windowStart: windowStartOp,
  windowStop,
  latest,
  close,
  sample: () => processSample(),
});
