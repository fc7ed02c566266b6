import type { EntityKind, PositionColumns } from '@/lib/realtime/position-codec';
import { IdIndex, type IdIndexBuffers } from './id-index';
import { StringColumn } from './string-column';

/** Hard bound per kind: province scale is 1 M vehicles and 2 M cameras; beyond this reports are rejected. */
export const MAX_ENTITIES_PER_KIND = 4_000_000;
const INITIAL_CAPACITY = 1_024;

export interface EntityMeta {
  id: string;
  name: string | null;
  kind: string | null;
}

export interface EntityState {
  idx: number;
  id: string;
  lng: number;
  lat: number;
  heading: number;
  speed: number;
  status: number;
  ts: number;
  name: string | null;
  kind: string | null;
}

/**
 * Latest state of every entity of one kind, as columns (struct of arrays) so the tick encodes straight from
 * them and a million entities cost ~60 MB, not a million objects. Indexes are dense and never reused, which
 * lets a client learn new entities as "everything from index N on".
 *
 * `changedTick[i]` is the tick in which entity i last changed; the realtime layer uses it with per-tick dirty
 * lists to build "everything changed since tick T" without scanning all entities.
 */
export class EntityStore implements PositionColumns {
  readonly kind: EntityKind;
  count = 0;
  private capacity = 0;
  /** Shared: the history thread reads units' ids from it (idBuffers) rather than keeping its own copy. */
  private readonly ids = new IdIndex(MAX_ENTITIES_PER_KIND, { shared: true });
  /**
   * Who each entity is, as columns rather than an object per entity: the id lives only in the IdIndex's
   * arena, the type as a code into `kindNames` (a few dozen distinct, each string once). With a
   * `{ id, name, kind }` object per entity and its own id and type strings, a province's 3.3 M entities held
   * 501 MB of heap after a GC; as columns with a string per name, 150 MB (all of it the names); with the
   * names in one UTF-16 arena (StringColumn) outside the heap (issue 20).
   */
  private readonly names = new StringColumn();
  private kindCodes = new Uint16Array(0);
  /** Code 0 is "no type". */
  private readonly kindNames: (string | null)[] = [null];
  private readonly kindCodeOf = new Map<string, number>();
  lng = new Float64Array(0);
  lat = new Float64Array(0);
  heading = new Float32Array(0);
  speed = new Float32Array(0);
  status = new Uint8Array(0);
  ts = new Float64Array(0);
  changedTick = new Uint32Array(0);
  /**
   * 1 while an administrator has the device disabled (vehicles/cameras/workers.disabled_at): its reports are
   * refused and walls do not draw it. A column beside the others so the ingest hot path tests it in O(1)
   * without allocating; the index stays the device's, so enabling it again needs no new one.
   */
  isDisabled = new Uint8Array(0);
  /** Indexes changed in the current tick, each once (changedTick guards), so never more than `count`. */
  private dirty = new Uint32Array(INITIAL_CAPACITY);
  private dirtyCount = 0;

  constructor(kind: EntityKind) {
    this.kind = kind;
    this.grow(INITIAL_CAPACITY);
  }

  private grow(min: number): void {
    let cap = Math.max(this.capacity * 2, INITIAL_CAPACITY);
    while (cap < min) cap *= 2;
    cap = Math.min(cap, MAX_ENTITIES_PER_KIND);
    const copy = <T extends Float64Array | Float32Array | Uint8Array | Uint16Array | Uint32Array>(
      a: T,
      make: (n: number) => T,
    ): T => {
      const b = make(cap);
      b.set(a.subarray(0, this.count));
      return b;
    };
    this.lng = copy(this.lng, (n) => new Float64Array(n));
    this.lat = copy(this.lat, (n) => new Float64Array(n));
    this.heading = copy(this.heading, (n) => new Float32Array(n));
    this.speed = copy(this.speed, (n) => new Float32Array(n));
    this.status = copy(this.status, (n) => new Uint8Array(n));
    this.ts = copy(this.ts, (n) => new Float64Array(n));
    this.changedTick = copy(this.changedTick, (n) => new Uint32Array(n));
    this.isDisabled = copy(this.isDisabled, (n) => new Uint8Array(n));
    this.kindCodes = copy(this.kindCodes, (n) => new Uint16Array(n));
    this.capacity = cap;
  }

  indexOf(id: string): number | undefined {
    const i = this.ids.get(id);
    return i < 0 ? undefined : i;
  }

  /**
   * For each k < n, the index of the id spelled by bytes[from[k], to[k]) (ASCII, from a report's text), or −1,
   * into out[k].
   */
  indexOfManyBytes(bytes: Uint8Array, from: Uint32Array, to: Uint32Array, n: number, out: Int32Array): void {
    this.ids.getManyBytes(bytes, from, to, n, out);
  }

  /** Adds an entity (or returns the existing index); -1 when the store is full. */
  add(meta: EntityMeta): number {
    const existing = this.ids.get(meta.id);
    if (existing >= 0) return existing;
    if (this.count >= MAX_ENTITIES_PER_KIND) return -1;
    if (this.count >= this.capacity) this.grow(this.count + 1);
    const i = this.count++;
    this.ids.add(meta.id, i);
    this.names.push(meta.name);
    this.kindCodes[i] = this.codeOf(meta.kind);
    // Never reported yet: ts 0 reads as "no data" (stale) everywhere.
    this.ts[i] = 0;
    this.lng[i] = Number.NaN;
    this.lat[i] = Number.NaN;
    return i;
  }

  setMeta(i: number, patch: Partial<Omit<EntityMeta, 'id'>>): void {
    if (i < 0 || i >= this.count) return;
    if (patch.name !== undefined) this.names.set(i, patch.name);
    if (patch.kind !== undefined) this.kindCodes[i] = this.codeOf(patch.kind);
  }

  /** The id index's storage as of now, for the history thread (ids added so far stay readable through it). */
  idBuffers(): IdIndexBuffers {
    return this.ids.buffers();
  }

  /** The id of entity i (i < count). */
  idOf(i: number): string {
    return this.ids.idAt(i);
  }

  /** Who entity i is, or undefined past the last. A new object each call: callers read it, never keep it. */
  metaOf(i: number): EntityMeta | undefined {
    if (i < 0 || i >= this.count) return undefined;
    return { id: this.ids.idAt(i), name: this.names.get(i), kind: this.kindNames[this.kindCodes[i]!]! };
  }

  /** The ids of entities [from, to). */
  idsIn(from: number, to: number): string[] {
    const out: string[] = [];
    for (let i = Math.max(0, from); i < Math.min(to, this.count); i++) out.push(this.ids.idAt(i));
    return out;
  }

  /** Types are few (车型, 岗位, 建设项目): each string is kept once, entities hold its code. */
  private codeOf(kind: string | null): number {
    if (kind === null) return 0;
    let code = this.kindCodeOf.get(kind);
    if (code === undefined) {
      // A registry with more distinct types than a Uint16 holds is not one of types: the rest read as none.
      if (this.kindNames.length > 0xffff) return 0;
      code = this.kindNames.length;
      this.kindNames.push(kind);
      this.kindCodeOf.set(kind, code);
    }
    return code;
  }

  /**
   * Disables entity i: it keeps its index, but its position is forgotten (NaN, report time 0: "no data"), so a
   * full snapshot leaves it out, dispatch does not recommend it, and the next report after enabling starts it
   * afresh. Not marked changed: a delta cannot say "gone", the caller resyncs the walls instead.
   */
  disable(i: number, offlineStatus: number): void {
    this.isDisabled[i] = 1;
    this.lng[i] = Number.NaN;
    this.lat[i] = Number.NaN;
    this.ts[i] = 0;
    this.speed[i] = 0;
    this.status[i] = offlineStatus;
  }

  /** Marks entity i as changed in `tick`. */
  touch(i: number, tick: number): void {
    if (this.changedTick[i] !== tick) {
      this.changedTick[i] = tick;
      if (this.dirtyCount === this.dirty.length) {
        const grown = new Uint32Array(2 * this.dirty.length);
        grown.set(this.dirty);
        this.dirty = grown;
      }
      this.dirty[this.dirtyCount++] = i;
    }
  }

  get(i: number): EntityState | undefined {
    if (i < 0 || i >= this.count) return undefined;
    const m = this.metaOf(i)!;
    return {
      idx: i,
      id: m.id,
      lng: this.lng[i]!,
      lat: this.lat[i]!,
      heading: this.heading[i]!,
      speed: this.speed[i]!,
      status: this.status[i]!,
      ts: this.ts[i]!,
      name: m.name,
      kind: m.kind,
    };
  }

  getById(id: string): EntityState | undefined {
    const i = this.ids.get(id);
    return i < 0 ? undefined : this.get(i);
  }

  /** Takes the indexes that changed since the last call (each once) and resets the list. */
  takeDirty(): Uint32Array {
    const d = this.dirty.slice(0, this.dirtyCount);
    this.dirtyCount = 0;
    return d;
  }
}
