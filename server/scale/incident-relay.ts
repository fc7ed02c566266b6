/**
 * Scale-out (DESIGN §3): several server processes behind one Redis. Telemetry pub/sub already reaches every
 * process, but the incident stream's consumer group hands each entry to ONE process, and a dispatch action
 * happens on the process whose API was called. So every IncidentBoard change is published on an internal
 * channel and the other processes upsert it into their own board: each wall sees the same incidents,
 * whichever process it is connected to. SQLite (shared by the processes) stays the system of record; this
 * only keeps the in-memory boards in step, and a process that starts later loads open incidents from SQLite.
 * A unit's status set by dispatch (assigned → responding) travels the same way: the unit's own terminal
 * would tell every process only at its next report.
 */
import { randomUUID } from 'node:crypto';
import { createClient, type RedisClientType } from 'redis';
import { VEHICLE_STATUSES, type VehicleStatus } from '@/lib/domain/enums';
import { IncidentViewSchema, type IncidentView } from '@/lib/domain/incident';
import type { LiveState } from '../live/live-state';
import type { Logger } from '../logger';
import { createThrottledLog } from '../logger';

export const INCIDENT_RELAY_CHANNEL = 'pingan:internal:incident';
const RELAY_VERSION = 2;
const RECONNECT_MAX_DELAY_MS = 500;

type RelayMessage = {
  v: typeof RELAY_VERSION;
  /** The publishing process: a process ignores its own messages. */
  from: string;
} & ({ view: IncidentView } | { vehicle: { id: string; status: VehicleStatus } });

function parseMessage(raw: string): RelayMessage {
  const data = JSON.parse(raw) as Record<string, unknown>;
  if (data.v !== RELAY_VERSION || typeof data.from !== 'string') throw new Error('bad envelope');
  if ('view' in data) return { v: RELAY_VERSION, from: data.from, view: IncidentViewSchema.parse(data.view) };
  const vehicle = data.vehicle as { id?: unknown; status?: unknown } | undefined;
  if (typeof vehicle?.id !== 'string' || !VEHICLE_STATUSES.includes(vehicle.status as VehicleStatus))
    throw new Error('bad vehicle status');
  return {
    v: RELAY_VERSION,
    from: data.from,
    vehicle: { id: vehicle.id, status: vehicle.status as VehicleStatus },
  };
}

export interface IncidentRelay {
  readonly processId: string;
  /** Both connections up and subscribed. */
  isReady(): boolean;
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

export function startIncidentRelay(opts: { url: string; live: LiveState; logger: Logger }): IncidentRelay {
  const board = opts.live.incidents;
  const processId = randomUUID();
  const warn = createThrottledLog(opts.logger);
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
    let msg: RelayMessage;
    try {
      msg = parseMessage(raw);
    } catch (err) {
      warn('relay-bad', { err: (err as Error).message }, 'incident relay message refused');
      return;
    }
    if (msg.from === processId) return;
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

  const publish = (msg: RelayMessage) => {
    if (isApplyingRemote || !pub.isReady) return;
    pub
      .publish(INCIDENT_RELAY_CHANNEL, JSON.stringify(msg))
      .catch((err: Error) => warn('relay-publish', { err: err.message }, 'incident relay publish failed'));
  };
  const unsubscribes = [
    board.onChange((view) => publish({ v: RELAY_VERSION, from: processId, view })),
    opts.live.onVehicleStatus((id, status) =>
      publish({ v: RELAY_VERSION, from: processId, vehicle: { id, status } }),
    ),
  ];

  return {
    processId,
    isReady: () => pub.isReady && sub.isReady && isSubscribed,
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
