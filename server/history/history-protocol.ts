/** The messages between the history host (ingest thread) and the history worker. */
import type { EntityKind, PositionOrigin } from '@/lib/realtime/position-codec';
import { HttpError } from '../http/router';
import type { EngineStats, TrackRequest } from './history-engine';
import type { SegmentPoint } from './segment-codec';
import type { TickMessage } from './tick-ring';

/** Bytes of the database file the history connection maps (reads only; writes go through the WAL). */
export const HISTORY_MMAP_BYTES = 2 ** 30;

export type HostCall =
  | { op: 'track'; track: TrackRequest }
  | {
      op: 'frame';
      at: number;
      counts: Record<EntityKind, number>;
      origin: PositionOrigin;
      /** The region the answer is cut to (its scope is rebuilt in the worker); null: the whole territory. */
      region: FrameRegion | null;
    }
  | { op: 'flush' }
  | { op: 'stats' }
  | { op: 'close' };

export type HostMessage = { type: 'tick'; tick: TickMessage } | ({ type: 'call'; id: number } & HostCall);

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'failed'; error: string }
  | { type: 'stats'; stats: EngineStats }
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; error: string };

/** A region as a frame is cut to it: what server/realtime/scope.ts builds the scope from. */
export interface FrameRegion {
  code: string;
  bbox: [number, number, number, number] | null;
}

/** What the history routes read: a track, a frame. */
export interface HistoryReads {
  track(
    kind: EntityKind,
    id: string,
    from: number,
    to: number,
  ): Promise<{ points: SegmentPoint[]; isTruncated: boolean }>;
  /**
   * Every unit and camera in the region as of `at`, each kind packed as the live snapshot (position-codec),
   * packed in the worker: a province frame's pack is ~200 ms the ingest thread no longer spends.
   */
  frame(
    at: number,
    origin: PositionOrigin,
    region: FrameRegion | null,
  ): Promise<Record<EntityKind, Uint8Array>>;
}

/**
 * Linux nice of the history worker's thread: background work behind the ingest thread (nice 0) on a busy
 * machine (CFS weight 110 against 1024), never starved on an idle one.
 */
export const HISTORY_WORKER_NICE = 10;

/** The history worker is down (starting again) or too busy for another read. */
export class HistoryUnavailableError extends Error {}

/** A read the history worker cannot take now answers 503 with why, never a hung or failed request. */
export async function readHistory<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof HistoryUnavailableError) throw new HttpError(503, `历史数据暂不可用：${err.message}`);
    throw err;
  }
}
