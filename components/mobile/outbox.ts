'use client';

import { MAX_QUEUED_REPORTS, type MobileReport, type TaskAction } from '@/lib/mobile/contract';

/**
 * The phone's outbox (待发送): reports and task actions are saved on the phone first (IndexedDB, photos as
 * Blobs) and sent from there, online or not: one path, and what a worker does in a basement goes out when the
 * signal comes back, oldest first (接单 before 到场 before 办结). Each item keeps the idempotency key it was
 * made with, so a send whose answer was lost is sent again and the server applies it once. Nothing here is
 * shown as done: the task list shows the server's state, and these as 待发送 beside it.
 */
interface QueuedBase {
  key: string;
  photos: Blob[];
  /** When the worker tapped (epoch ms): the send order. */
  at: number;
  /** The server's refusal (4xx other than a busy one): kept for the worker to see and discard, not retried. */
  error?: string;
}

export interface QueuedReport extends QueuedBase {
  kind: 'report';
  report: Omit<MobileReport, 'photos' | 'key'>;
}

export interface QueuedAction extends QueuedBase {
  kind: 'action';
  taskId: string;
  /** The task's title when tapped, so a refusal can say which task it was. */
  title: string;
  action: TaskAction;
  note?: string;
}

export type QueuedItem = QueuedReport | QueuedAction;

const DB_NAME = 'pingan-m';
const STORE = 'reports';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'key' });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB unavailable'));
  });
}

async function tx<T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const t = db.transaction(STORE, mode);
      const req = fn(t.objectStore(STORE));
      t.oncomplete = () => resolve(req.result);
      t.onerror = () => reject(t.error ?? new Error('IndexedDB write failed'));
      t.onabort = () => reject(t.error ?? new Error('IndexedDB write aborted'));
    });
  } finally {
    db.close();
  }
}

/** A report saved by an older page has no `kind` and no `at`: it is a report, sent in its own time's place. */
function normalise(
  item: QueuedItem | (Omit<QueuedReport, 'kind' | 'at'> & { kind?: undefined }),
): QueuedItem {
  if (item.kind === 'action' || item.kind === 'report') return item;
  return { ...item, kind: 'report', at: item.report.reportedAt };
}

export function listQueued(): Promise<QueuedItem[]> {
  return tx('readonly', (s) => s.getAll() as IDBRequest<QueuedItem[]>).then((all) =>
    all.map(normalise).sort((a, b) => a.at - b.at),
  );
}

/** The idempotency key of one report or one tap, made when it is saved on the phone. */
export function newKey(): string {
  return typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

let lastAt = 0;
/** A strictly increasing tap time: two taps in one millisecond still keep their order. */
export function nextAt(): number {
  lastAt = Math.max(Date.now(), lastAt + 1);
  return lastAt;
}

export async function enqueue(item: QueuedItem): Promise<void> {
  const n = await tx('readonly', (s) => s.count());
  if (n >= MAX_QUEUED_REPORTS) throw new Error(`待发送已达 ${MAX_QUEUED_REPORTS} 条，请联网发送后再操作`);
  await tx('readwrite', (s) => s.put(item));
}

export function removeQueued(key: string): Promise<undefined> {
  return tx('readwrite', (s) => s.delete(key));
}

function markFailed(item: QueuedItem, error: string): Promise<IDBValidKey> {
  return tx('readwrite', (s) => s.put({ ...item, error }));
}

async function errorOf(r: Response): Promise<string> {
  try {
    const body = (await r.json()) as { error?: string };
    return body.error ?? `HTTP ${r.status}`;
  } catch {
    return `HTTP ${r.status}`;
  }
}

/** A refusal that sending again will not change (not a busy server, not a lost session). */
function isFinal(status: number): boolean {
  return status >= 400 && status < 500 && status !== 401 && status !== 408 && status !== 429;
}

/** The photos' hashes, or the server's final refusal of one; throws when the network is gone. */
async function uploadPhotos(photos: Blob[]): Promise<{ hashes: string[] } | { refused: string }> {
  const hashes: string[] = [];
  for (const photo of photos) {
    const r = await fetch('/api/m/uploads', {
      method: 'POST',
      body: photo,
      headers: { 'content-type': photo.type || 'application/octet-stream' },
      credentials: 'same-origin',
    });
    if (!r.ok) {
      if (isFinal(r.status)) return { refused: `照片：${await errorOf(r)}` };
      throw new Error(`upload ${r.status}`);
    }
    hashes.push(((await r.json()) as { hash: string }).hash);
  }
  return { hashes };
}

function send(item: QueuedItem, photos: string[]): Promise<Response> {
  const body =
    item.kind === 'report'
      ? { ...item.report, key: item.key, photos }
      : { key: item.key, action: item.action, note: item.note, photos };
  const url =
    item.kind === 'report' ? '/api/m/reports' : `/api/m/tasks/${encodeURIComponent(item.taskId)}/action`;
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    credentials: 'same-origin',
    body: JSON.stringify(body),
  });
}

export interface FlushResult {
  /** Reports the server took this round. */
  sent: number;
  /** Task actions the server took this round. */
  sentActions: number;
  pending: number;
  /** Refusals this round, for the notice ("未能发送：…"). */
  refused: string[];
}

let flushing: Promise<FlushResult> | null = null;
/** A flush asked for while one runs: it runs once more after, so an item saved meanwhile is not left waiting. */
let following: Promise<FlushResult> | null = null;

/**
 * Sends what is queued, oldest first: photos (content-addressed, so a resend is harmless), then the report or
 * action with its key. Stops at the first network failure (still offline) and leaves the rest for the next
 * try; one flush at a time, so two triggers (the 'online' event and a tap) never send the same item twice
 * at once.
 */
export function flushQueue(): Promise<FlushResult> {
  if (flushing)
    return (following ??= flushing.then(() => {
      following = null;
      return flushQueue();
    }));
  flushing = (async () => {
    let sent = 0;
    let sentActions = 0;
    const refused: string[] = [];
    for (const item of await listQueued()) {
      if (item.error) continue;
      try {
        const up = await uploadPhotos(item.photos);
        if ('refused' in up) {
          await markFailed(item, up.refused);
          refused.push(up.refused);
          continue;
        }
        const r = await send(item, up.hashes);
        if (r.ok) {
          await removeQueued(item.key);
          if (item.kind === 'report') sent++;
          else sentActions++;
        } else if (isFinal(r.status)) {
          const why = await errorOf(r);
          await markFailed(item, why);
          refused.push(why);
        } else break;
      } catch {
        break; // no network: the rest waits for the next 'online' or the next try
      }
    }
    const pending = (await listQueued()).filter((q) => !q.error).length;
    return { sent, sentActions, pending, refused };
  })().finally(() => {
    flushing = null;
  });
  return flushing;
}
