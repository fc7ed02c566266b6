import {
  encodedCount,
  encodePositions,
  ENTITY_KINDS,
  type EntityKind,
  type PositionOrigin,
} from '@/lib/realtime/position-codec';
import type { EntityStore } from '../live/entity-store';
import type { LiveState } from '../live/live-state';
import type { Scope } from './scope';

/**
 * Encodes position batches once per (kind, range, scope) per tick: ten walls in step share one buffer, which
 * is what keeps the cost per update flat as walls are added.
 */
export class BatchEncoder {
  private cache = new Map<string, Uint8Array | null>();
  private cacheTick = -1;
  encodedBytes = 0;
  encodedUpdates = 0;

  constructor(
    private readonly live: LiveState,
    private readonly origin: PositionOrigin,
  ) {}

  private cached(key: string, sealed: number, make: () => Uint8Array | null): Uint8Array | null {
    this.startTick(sealed);
    if (this.cache.has(key)) return this.cache.get(key)!;
    const v = make();
    this.cache.set(key, v);
    if (v) {
      this.encodedBytes += v.byteLength;
      this.encodedUpdates += encodedCount(v);
    }
    return v;
  }

  /**
   * Forgets this tick's buffers: after a unit is withdrawn (disabled) within a tick, a snapshot another wall
   * already shared would still carry it.
   */
  invalidate(): void {
    this.cache.clear();
  }

  private startTick(sealed: number): void {
    if (this.cacheTick !== sealed) {
      this.cache.clear();
      this.cacheTick = sealed;
    }
  }

  /** Everything of `kind` changed in (fromTick, sealed] within scope. */
  delta(kind: EntityKind, fromTick: number, sealed: number, scope: Scope): Uint8Array | 'empty' {
    const bytes = this.cached(`d|${kind}|${fromTick}|${scope.key}`, sealed, () => {
      const changed = this.live.changedBetween(kind, fromTick, sealed);
      const store = this.live.store(kind);
      // Only the whole territory skips the filter: a region whose extent is unknown has no box and no units.
      const picked = scope.regionCode === null ? changed : filterInScope(store, changed, scope);
      if (picked.length === 0) return null;
      return encodePositions(kind, store, picked, picked.length, newestTs(store, picked), this.origin, false);
    });
    return bytes ?? 'empty';
  }

  /** Every entity of `kind` with a known position, within scope. */
  full(kind: EntityKind, sealed: number, scope: Scope): Uint8Array {
    return this.cached(`f|${kind}|${scope.key}`, sealed, () => {
      const store = this.live.store(kind);
      const picked: number[] = [];
      for (let i = 0; i < store.count; i++) {
        const lng = store.lng[i]!;
        if (lng === lng && scope.containsPoint(lng, store.lat[i]!)) picked.push(i);
      }
      return encodePositions(kind, store, picked, picked.length, newestTs(store, picked), this.origin, true);
    })!;
  }
}

function filterInScope(store: EntityStore, idx: Uint32Array, scope: Scope): Uint32Array {
  const out = new Uint32Array(idx.length);
  let n = 0;
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k]!;
    if (scope.containsPoint(store.lng[i]!, store.lat[i]!)) out[n++] = i;
  }
  return out.subarray(0, n);
}

function newestTs(store: EntityStore, idx: ArrayLike<number>): number {
  let t = 0;
  for (let k = 0; k < idx.length; k++) {
    const v = store.ts[idx[k]!]!;
    if (v > t) t = v;
  }
  return t;
}

export { ENTITY_KINDS };
