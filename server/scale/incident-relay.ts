/**
 * Scale-out (DESIGN §3): several server processes behind one Redis. Telemetry pub/sub already reaches every
 * process, but the incident stream's consumer group hands each entry to ONE process, and a dispatch action
 * happens on the process whose API was called. So every IncidentBoard change is published on an internal
 * channel and the other processes upsert it into their own board: each wall sees the same incidents,
 * whichever process it is connected to. SQLite (shared by the processes) stays the system of record; this
 * only keeps the in-memory boards in step, and a process that starts later loads open incidents from SQLite.
 * A unit's status set by dispatch (assigned → responding) travels the same way: the unit's own terminal
 * would tell every process only at its next report.
 *
 * Redis is a transport anyone on it can publish to: each message is signed and dated (relay-auth.ts), and
 * one that is unsigned, forged, stale or replayed is dropped, counted under `redis:relay` and logged.
 */
import { randomUUID } from 'node:crypto';
import { createClient, type RedisClientType } from 'redis';
import { VEHICLE_STATUSES, type VehicleStatus } from '@/lib/domain/enums';
import { IncidentViewSchema, type IncidentView } from '@/lib/domain/incident';
import type { LiveState } from '../live/live-state';
import type { IngestStats } from '../ingest/ingest-stats';
import type { Logger } from '../logger';
import { createThrottledLog } from '../logger';
import { deriveRelayKey, RelayVerifier, signRelayMessage } from './relay-auth';

export const INCIDENT_RELAY_CHANNEL = 'pingan:internal:incident';
/** Ingest statistics count dropped relay messages under this path, by reason. */
export const RELAY_STATS_PATH = 'redis:relay';
/** 3: signed, dated and numbered (2 was bare JSON, which any Redis client could forge). */
const RELAY_VERSION = 3;
const RECONNECT_MAX_DELAY_MS = 500;

type RelayBody = { view: IncidentView } | { vehicle: { id: string; status: VehicleStatus } };

/** The body of a message whose signature, age and order were already checked; throws with a reason if bad. */
function parseBody(data: Record<string, unknown>): RelayBody {
  if (data.v !== RELAY_VERSION) throw new Error('bad_version');
  if ('view' in data) {
    const view = IncidentViewSchema.safeParse(data.view);
    if (!view.success) throw new Error('bad_view');
    return { view: view.data };
  }
  const vehicle = data.vehicle as { id?: unknown; status?: unknown } | undefined;
  if (typeof vehicle?.id !== 'string' || !VEHICLE_STATUSES.includes(vehicle.status as VehicleStatus))
    throw new Error('bad_vehicle_status');
  return { vehicle: { id: vehicle.id, status: vehicle.status as VehicleStatus } };
}

export interface IncidentRelay {
  readonly processId: string;
  /** Both connections up and subscribed. */
  isReady(): boolean;
  /**
   * Runs `apply` without publishing the board changes it makes: for changes every process finds by itself
   * (board-reconcile.ts reads them from the shared database), which relaying would only echo.
   */
  quietly(apply: () => void): void;
  close(): Promise<void>;
}

/**
 * Which of two views of one incident to keep: the later `updatedAt`; on a tie (two processes changing it in
 * the same millisecond) the one whose JSON sorts last, a rule both processes apply alike, so they converge
 * on the same view whatever order the messages cross in.
 */
export function isRemoteNewer(local: IncidentView | undefined, remote: IncidentView): boolean {
  if (!local || remote.updatedAt > local.updatedAt) return true;
  return remote.updatedAt === local.updatedAt && JSON.stringify(remote) > JSON.stringify(local);
}

export function startIncidentRelay(opts: {
  url: string;
  live: LiveState;
  logger: Logger;
  stats: IngestStats;
  /** SESSION_SECRET: shared by every process behind the load balancer; the relay key is derived from it. */
  secret: string;
  /** False when SESSION_SECRET was not set and each process made up its own: warn, relaying cannot work. */
  isSecretShared: boolean;
}): IncidentRelay {
  const board = opts.live.incidents;
  const processId = randomUUID();
  const warn = createThrottledLog(opts.logger);
  const key = deriveRelayKey(opts.secret);
  const verifier = new RelayVerifier(key);
  let seq = 0;
  if (!opts.isSecretShared)
    opts.logger.warn(
      'SESSION_SECRET is not set: other server processes cannot authenticate this one, so their walls will not follow its incident changes (set one SESSION_SECRET on every process)',
    );
  const make = (name: string) => {
    const c = createClient({
      url: opts.url,
      // While Redis is away a change is not queued: the other processes resync from SQLite on restart, and
      // the wall's own process still shows it.
      disableOfflineQueue: true,
      socket: {
        reconnectStrategy: (n: number) => Math.min(50 * 2 ** n, RECONNECT_MAX_DELAY_MS),
        connectTimeout: 2_000,
      },
    }) as RedisClientType;
    c.on('error', (err: Error) =>
      warn(`relay-${name}`, { err: err.message }, `incident relay ${name} error`),
    );
    return c;
  };
  const pub = make('pub');
  const sub = make('sub');
  let isApplyingRemote = false;
  let isSubscribed = false;
  const onMessage = (raw: string) => {
    const checked = verifier.check(raw);
    if (!checked.ok) {
      opts.stats.reject(RELAY_STATS_PATH, checked.reason, raw);
      return;
    }
    if (checked.envelope.from === processId) return;
    let msg: RelayBody;
    try {
      msg = parseBody(checked.body);
    } catch (err) {
      opts.stats.reject(RELAY_STATS_PATH, (err as Error).message, raw);
      return;
    }
    if ('view' in msg && !isRemoteNewer(board.get(msg.view.id), msg.view)) return;
    // A remote change is applied without being published again (no echo between processes).
    isApplyingRemote = true;
    try {
      if ('view' in msg) board.upsert(msg.view);
      else opts.live.setVehicleStatus(msg.vehicle.id, msg.vehicle.status);
    } finally {
      isApplyingRemote = false;
    }
  };
  // In the background, like the bus: a server started while Redis is down still comes up; node-redis
  // reconnects and re-subscribes by itself.
  pub
    .connect()
    .catch((err: Error) => warn('relay-connect', { err: err.message }, 'incident relay connect failed'));
  sub
    .connect()
    .then(() => sub.subscribe(INCIDENT_RELAY_CHANNEL, onMessage))
    .then(() => (isSubscribed = true))
    .catch((err: Error) => warn('relay-connect', { err: err.message }, 'incident relay connect failed'));

  const publish = (body: RelayBody) => {
    if (isApplyingRemote || !pub.isReady) return;
    const signed = signRelayMessage(key, {
      v: RELAY_VERSION,
      from: processId,
      ts: Date.now(),
      seq: ++seq,
      ...body,
    });
    pub
      .publish(INCIDENT_RELAY_CHANNEL, signed)
      .catch((err: Error) => warn('relay-publish', { err: err.message }, 'incident relay publish failed'));
  };
  const unsubscribes = [
    board.onChange((view) => publish({ view })),
    opts.live.onVehicleStatus((id, status) => publish({ vehicle: { id, status } })),
  ];

  return {
    processId,
    isReady: () => pub.isReady && sub.isReady && isSubscribed,
    quietly(apply) {
      const was = isApplyingRemote;
      isApplyingRemote = true;
      try {
        apply();
      } finally {
        isApplyingRemote = was;
      }
    },
    async close() {
      for (const u of unsubscribes) u();
      for (const c of [sub, pub]) {
        try {
          if (c.isOpen) await c.close();
        } catch {
          c.destroy();
        }
      }
    },
  };
}
