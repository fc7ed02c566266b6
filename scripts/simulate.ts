/**
 * The demo simulator as its own process, feeding a server through Redis exactly as field gateways do.
 *
 *   npm run simulate -- [--redis redis://127.0.0.1:6379] [--db ./data/pingan.db] [--server http://127.0.0.1:3000]
 *       [--user dispatcher] [--password pingan-demo] [--token DISPLAY_TOKEN] [--no-feed]
 *       [--speedup 1] [--incidents-per-hour 60] [--vehicle-hz 1] [--seed S]
 *       [--max-vehicles N] [--max-workers N] [--max-cameras N] [--generate] [--preset tiny|district|province]
 *       [--rate N] [--transport pubsub|stream] [--stream-shards 4] [--stream-maxlen 10000]
 *
 * --rate sets vehicle position reports per second in total (it overrides --vehicle-hz): every tick reports
 * every simulated vehicle, so the tick rate is N / vehicles. --generate seeds --preset first when the
 * database holds no world (`npm run world -- --preset P` does the same with a day of incidents).
 *
 * It reads the world from the same SQLite file as the server (WAL lets both open it). With --server it
 * watches assignments on the wall feed and drives assigned units there; with --user it also resolves
 * incidents over the HTTP API after their time on scene.
 */
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { RedisBus } from '@/server/bus/redis-bus';
import { openDatabase } from '@/server/db/open-database';
import { sqliteSqlDb } from '@/server/db/sql-db';
import { createLogger } from '@/server/logger';
import { startSimulator } from '@/server/simulator/simulator';
import { createSocketAssignmentFeed, signIn } from '@/server/simulator/socket-assignment-feed';
import { isSeedPresetName, SEED_PRESETS } from '@/server/world/seed-presets';
import { isWorldSeeded, seedDemoWorld } from '@/server/world/seed-world';

const { values: a } = parseArgs({
  options: {
    redis: { type: 'string', default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
    db: { type: 'string', default: process.env.DATABASE_PATH ?? './data/pingan.db' },
    server: { type: 'string', default: `http://127.0.0.1:${process.env.PORT ?? 3000}` },
    user: { type: 'string', default: 'dispatcher' },
    password: { type: 'string', default: process.env.DEMO_PASSWORD ?? 'pingan-demo' },
    token: { type: 'string' },
    'no-feed': { type: 'boolean', default: false },
    speedup: { type: 'string', default: process.env.SIM_SPEEDUP ?? '1' },
    'incidents-per-hour': { type: 'string', default: process.env.SIM_INCIDENTS_PER_HOUR ?? '60' },
    'vehicle-hz': { type: 'string', default: process.env.SIM_VEHICLE_HZ ?? '1' },
    seed: { type: 'string' },
    'max-vehicles': { type: 'string' },
    'max-workers': { type: 'string' },
    'max-cameras': { type: 'string' },
    generate: { type: 'boolean', default: false },
    preset: { type: 'string', default: 'district' },
    rate: { type: 'string' },
    transport: { type: 'string', default: process.env.TELEMETRY_TRANSPORT ?? 'pubsub' },
    'stream-shards': { type: 'string', default: process.env.TELEMETRY_STREAM_SHARDS },
    'stream-maxlen': { type: 'string', default: process.env.TELEMETRY_STREAM_MAXLEN },
  },
});

const num = (name: string, v: string | undefined, min: number, max: number): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max)
    throw new Error(`--${name} must be a number in ${min}..${max}`);
  return n;
};

if (!isSeedPresetName(a.preset!))
  throw new Error(`--preset is one of ${Object.keys(SEED_PRESETS).join(', ')}`);
const logger = createLogger();
const db = openDatabase(a.db!);
const sqlDb = sqliteSqlDb(db.$client);
if (!(await isWorldSeeded(sqlDb))) {
  if (!a.generate)
    throw new Error(
      `no world in ${a.db}: run \`npm run world -- --preset ${a.preset}\` (or DEMO=1) first, or pass --generate`,
    );
  await seedDemoWorld(sqlDb, { ...SEED_PRESETS[a.preset].world });
}
const rate = num('rate', a.rate, 1, 1e8);
/** Vehicles the simulator will drive: the registry's, up to --max-vehicles. */
async function simulatedVehicles(): Promise<number> {
  const registered = Number(
    (await sqlDb.get<{ n: number }>(sql`SELECT count(*) AS n FROM vehicles WHERE is_unassigned = ${false}`))
      ?.n ?? 0,
  );
  return Math.min(registered, num('max-vehicles', a['max-vehicles'], 0, 1e7) ?? Infinity);
}
const vehicleHz =
  rate === undefined
    ? num('vehicle-hz', a['vehicle-hz'], 0.01, 50)
    : rate / Math.max(1, await simulatedVehicles());
if (vehicleHz !== undefined && (vehicleHz < 0.01 || vehicleHz > 50))
  throw new Error(`--rate ${rate} over ${simulatedVehicles()} vehicles is ${vehicleHz} Hz each; 0.01..50 Hz`);
if (a.transport !== 'pubsub' && a.transport !== 'stream') throw new Error('--transport is pubsub or stream');
const bus = new RedisBus({
  url: a.redis!,
  logger,
  consumerName: 'simulator',
  transport: a.transport,
  streamShards: num('stream-shards', a['stream-shards'], 1, 64),
  streamMaxLen: num('stream-maxlen', a['stream-maxlen'], 100, 1e7),
});

let cookie: string | null = null;
const feed = a['no-feed']
  ? undefined
  : await (async () => {
      cookie = await signIn(a.server!, a.user!, a.password!).catch(() => null);
      if (!cookie && !a.token)
        logger.warn('simulator: not signed in; assignments are watched only if the feed lets us');
      return createSocketAssignmentFeed({
        serverUrl: a.server!,
        logger,
        cookie: cookie ?? undefined,
        displayToken: a.token,
      });
    })();

async function transition(id: string, to: string): Promise<boolean> {
  const res = await fetch(new URL(`/api/incidents/${encodeURIComponent(id)}/transition`, a.server), {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: cookie ?? '', origin: new URL(a.server!).origin },
    body: JSON.stringify({ to, note: '模拟处置完成' }),
  });
  return res.ok;
}

const sim = await startSimulator({
  bus,
  db: sqlDb,
  logger,
  speedup: num('speedup', a.speedup, 0.1, 1000),
  incidentRatePerHour: num('incidents-per-hour', a['incidents-per-hour'], 0, 1_000_000),
  vehicleReportHz: vehicleHz,
  seed: a.seed,
  assignments: feed,
  // Walk the lifecycle forward as far as the server allows: on_scene first where the unit is still dispatched.
  resolveIncident: async (id) => {
    if (!cookie) return;
    if (!(await transition(id, 'resolved')))
      if (await transition(id, 'on_scene')) await transition(id, 'resolved');
  },
  limits: {
    maxVehicles: num('max-vehicles', a['max-vehicles'], 0, 1e7),
    maxWorkers: num('max-workers', a['max-workers'], 0, 1e7),
    maxCameras: num('max-cameras', a['max-cameras'], 0, 1e7),
  },
});

const statsTimer = setInterval(() => logger.info(sim.simulation.stats, 'simulator stats'), 30_000);
let isStopping = false;
async function shutdown(): Promise<void> {
  if (isStopping) return;
  isStopping = true;
  clearInterval(statsTimer);
  await sim.stop();
  feed?.close();
  await bus.close();
  db.$client.close();
  logger.info(sim.simulation.stats, 'simulator stopped');
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
