/**
 * The one wire contract between the server, the walls and the console: Redis keys, Socket.IO event maps,
 * protocol version and batch shape. Both sides type themselves from this file; never re-declare it.
 */
import type { IncidentView } from '../domain/incident';
import type { EntityKind } from './position-codec';
import type { WallStats } from '../wall/stats';

export const PROTOCOL_VERSION = 2;

export const REDIS_KEYS = {
  channel: {
    vehicle: 'pingan:ingest:vehicle',
    camera: 'pingan:ingest:camera',
    worker: 'pingan:ingest:worker',
  },
  incidentStream: 'pingan:ingest:incident',
  incidentGroup: 'pingan',
  /** The stream entry's field holding the IncidentReport JSON. */
  incidentField: 'json',
  /**
   * TELEMETRY_TRANSPORT=stream: reports go to `pingan:telemetry:<kind>:<shard>` (shard 0 … shards − 1, any
   * shard a producer likes) as `XADD … MAXLEN ~ n * json <payload>`; every server reads every shard.
   */
  telemetryStreamPrefix: 'pingan:telemetry:',
  telemetryField: 'json',
} as const;

/** The telemetry stream of one kind and shard (TELEMETRY_TRANSPORT=stream). */
export function telemetryStreamKey(kind: TelemetryKind, shard: number): string {
  return `${REDIS_KEYS.telemetryStreamPrefix}${kind}:${shard}`;
}

export type TelemetryKind = keyof typeof REDIS_KEYS.channel;

/**
 * Server tick: deltas are coalesced and sent at most this often. A report waits up to one tick before it
 * leaves, so the tick is most of a quiet pipeline's p99 age: 50 ms leaves room under the 150 ms target.
 */
export const DEFAULT_TICK_MS = 50;

/** Without a report for this long an entity is drawn as stale, never as live (DESIGN §1). */
export const STALE_AFTER_MS: Record<EntityKind, number> = {
  vehicle: 30_000, // terminals report every 1–10 s; 3+ missed reports
  worker: 120_000, // phones report every 30 s and drop out in lifts and basements
  camera: 180_000, // 3 missed 60 s keepalives (GB/T 28181 default)
};

/** A wall that hears nothing from the server for this long says so (target: banner within 15 s). */
export const LINK_STALE_AFTER_MS = 5_000;
/**
 * Positions arriving later than this after they were reported are not drawn as live (DESIGN §5 B5): while
 * the server's ingest lags by more, walls say "数据延迟" instead of showing old positions as current.
 */
export const LIVE_MAX_LAG_MS = 1_000;
/** What a batch spends between the server's lag reading and the wall: up to a tick, transport, apply. */
export const LAG_DELIVERY_ALLOWANCE_MS = 300;

/** Whether a batch whose server reported `lagMs` may be drawn as live: old plus on its way ≤ 1 s. */
export function isLiveLag(lagMs: number): boolean {
  return lagMs + LAG_DELIVERY_ALLOWANCE_MS <= LIVE_MAX_LAG_MS;
}

export type Ack<T = undefined> = { ok: true; data: T } | { ok: false; error: string };

export interface WorldInfo {
  name: string;
  /**
   * Names this server's entity numbering: an idx means a unit or camera only together with its epoch (a
   * restarted or another server numbers them anew). Lookups send it back and are refused on a mismatch.
   */
  epoch: string;
  regionCode: string | null;
  /** [minLng, minLat, maxLng, maxLat] of what this client is scoped to. */
  bbox: [number, number, number, number] | null;
}

/**
 * One message to one client. `seq` increases by one per batch on a connection; `isFull` batches replace the
 * client's state wholesale (the first one after connecting, after a gap, or after a scope change).
 * Position columns are binary (see position-codec.ts); everything low-rate is JSON. Names and ids of
 * entities never ride along (at province scale they would be five times the positions, B4): a wall asks
 * for the one it shows (`GET /api/live/:kind/:idx`), an integration pages through them (`…/ids`).
 */
export interface WireBatch {
  v: typeof PROTOCOL_VERSION;
  seq: number;
  isFull: boolean;
  serverTs: number;
  world?: WorldInfo;
  vehicle?: Uint8Array | ArrayBuffer;
  worker?: Uint8Array | ArrayBuffer;
  camera?: Uint8Array | ArrayBuffer;
  incidents?: IncidentView[];
  incidentsRemoved?: string[];
  /** Panel statistics for this client's scope; sent in full batches and whenever they changed. */
  stats?: WallStats;
  /**
   * How far the server's telemetry ingest is behind, ms: the age of the newest report it applied over the
   * last second (0 when it keeps up). When it would reach the wall older than LIVE_MAX_LAG_MS
   * (isLiveLag), the wall shows its data as delayed.
   */
  lagMs?: number;
  /**
   * Server times at which telemetry may have been lost (its pub/sub subscription dropped), oldest first, since
   * this wall's previous batch. Before this batch's positions, the wall moves every unit's report time past
   * the staleness edge for each, as the server did to its own (lib/realtime/lost-reports.ts): a delta of a
   * few bytes instead of a province's ~30 MB snapshot to every wall.
   */
  reportsLostAt?: number[];
}

export type BatchAck = { ok: true } | { ok: false; error: 'gap' | 'decode' | 'version' };

/**
 * What a socket is fed: `all` (a wall: entity columns, incidents, figures) or `incidents` (the incident board
 * alone, for clients that only follow dispatch, like the standalone simulator). A province's snapshot is
 * ~30 MB of positions, and its deltas were encoded every tick for a simulator that never read them.
 */
export type WallFeed = 'all' | 'incidents';

/** The Socket.IO handshake's `auth` a client may send. */
export interface WallHandshakeAuth {
  /** A display token (walls without a session cookie). */
  token?: string;
  /** The region to scope to from the first snapshot on (SubscribeRequest's, before one is sent). */
  regionCode?: string;
  feed?: WallFeed;
}

export interface SubscribeRequest {
  protocol: number;
  /** A region code (district, town, community or grid) to scope the wall to; null for the whole territory. */
  regionCode: string | null;
}

export interface ServerToClientEvents {
  'wall:batch': (batch: WireBatch, ack: (res: BatchAck) => void) => void;
}

export interface ClientToServerEvents {
  'wall:subscribe': (req: SubscribeRequest, ack: (res: Ack<{ regionCode: string | null }>) => void) => void;
  'wall:resync': (ack: (res: Ack) => void) => void;
}

/** `GET /api/live/:kind/:idx?epoch=`: who an idx is. */
export interface EntityInfo {
  epoch: string;
  kind: EntityKind;
  idx: number;
  id: string;
  name: string | null;
  /** The unit's or camera's type as registered (patrol car, dome camera…), when known. */
  type: string | null;
}

/** `GET /api/live/:kind/ids?from=&limit=`: ids of idx from … from + ids.length − 1, in order. */
export interface EntityIdPage {
  epoch: string;
  kind: EntityKind;
  from: number;
  ids: string[];
  /** How many entities of this kind the server knows now (the next page starts at from + ids.length). */
  count: number;
}
/** The most ids one page holds: 100k ids are ~2 MB of JSON. */
export const ENTITY_ID_PAGE_MAX = 100_000;

export interface HealthReport {
  status: 'ok' | 'degraded';
  redis: 'up' | 'down' | 'disabled';
  db: 'up' | 'down';
  uptimeS: number;
  ingest: { accepted: number; rejected: Record<string, number>; registered: number };
  clients: number;
  entities: Record<EntityKind, number>;
  openIncidents: number;
  /** How far telemetry ingest is behind (see WireBatch.lagMs). */
  ingestLagMs: number;
  /** The server process that answered (several may run behind one load balancer). */
  process: { id: string; host: string; pid: number };
  /** Whether that process leads: runs the jobs that must run once (server/scale/leader.ts). */
  leader: boolean;
  /** The leader's current fencing token; null when following, or alone (no REDIS_URL). */
  fencingToken: number | null;
}
