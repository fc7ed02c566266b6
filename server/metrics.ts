import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface AppMetrics {
  registry: Registry;
  tickSeconds: Histogram;
}

/** Prometheus registry with process metrics; gauges read live values at scrape time. */
export function createMetrics(read: {
  clients: () => number;
  redisUp: () => number;
  redisReconnects: () => number;
  entities: () => Record<string, number>;
  openIncidents: () => number;
  batches: () => {
    sent: number;
    bytes: number;
    full: number;
    slowAcks: number;
    ackGiveUps: number;
    connects: number;
    refused: number;
  };
  ingestLagMs: () => number;
}): AppMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'pingan_socket_clients',
    help: 'Connected walls and consoles',
    registers: [registry],
    collect() {
      this.set(read.clients());
    },
  });
  new Gauge({
    name: 'pingan_redis_up',
    help: '1 when every Redis connection is ready (0 when down or not configured)',
    registers: [registry],
    collect() {
      this.set(read.redisUp());
    },
  });
  new Gauge({
    name: 'pingan_redis_reconnects',
    help: 'Times a Redis connection came back since start; for the subscriber, telemetry published while it was away is lost',
    registers: [registry],
    collect() {
      this.set(read.redisReconnects());
    },
  });
  new Gauge({
    name: 'pingan_live_entities',
    help: 'Entities held in live state',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      for (const [kind, n] of Object.entries(read.entities())) this.set({ kind }, n);
    },
  });
  new Gauge({
    name: 'pingan_open_incidents',
    help: 'Open incidents on the live board',
    registers: [registry],
    collect() {
      this.set(read.openIncidents());
    },
  });
  new Gauge({
    name: 'pingan_realtime_batches',
    help: 'Batches sent to clients since start (sent, full snapshots, position bytes), acknowledged late (slow_ack: past 10 s), answered as not applied (refused), walls disconnected for not acknowledging (ack_give_up: 60 s), and sockets connected (connect: each starts with a full snapshot)',
    labelNames: ['what'],
    registers: [registry],
    collect() {
      const b = read.batches();
      this.set({ what: 'sent' }, b.sent);
      this.set({ what: 'full' }, b.full);
      this.set({ what: 'position_bytes' }, b.bytes);
      this.set({ what: 'slow_ack' }, b.slowAcks);
      this.set({ what: 'ack_give_up' }, b.ackGiveUps);
      this.set({ what: 'refused' }, b.refused);
      this.set({ what: 'connect' }, b.connects);
    },
  });
  new Gauge({
    name: 'pingan_ingest_lag_seconds',
    help: 'How far telemetry ingest is behind: age of the newest report applied over the last second',
    registers: [registry],
    collect() {
      this.set(read.ingestLagMs() / 1000);
    },
  });
  const tickSeconds = new Histogram({
    name: 'pingan_tick_seconds',
    help: 'Time spent in one realtime tick (seal, register, encode, emit)',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
    registers: [registry],
  });
  return { registry, tickSeconds };
}
