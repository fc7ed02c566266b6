/**
 * One server process for the scale-out test: the real app (no Next pages) on the Redis bus with a SQLite file
 * shared with its sibling, as two processes on one host would run. Driven over IPC by the test.
 */
import type { VehicleStatus } from '@/lib/domain/enums';
import { createApp } from '@/server/app';
import { RedisBus } from '@/server/bus/redis-bus';
import { loadConfig } from '@/server/config';
import { openSystemOfRecord } from '@/server/db/system-of-record';
import { createLogger } from '@/server/logger';
import { processSample, serveParent } from '../../bench/lib/child';

const config = loadConfig({
  NODE_ENV: 'test',
  DATABASE_PATH: process.env.DATABASE_PATH,
  REDIS_URL: process.env.REDIS_URL,
  // Every process behind one load balancer shares it (cookies); the relay's key is derived from it too.
  SESSION_SECRET: process.env.SESSION_SECRET ?? 'scale-out-test-session-secret-0123456789',
  TICK_MS: '50',
  FIELD_AUTO_REGISTER: '1', // the producer's ids are new to this database
});
const logger = createLogger('error');
const records = await openSystemOfRecord(config, logger);
const bus = new RedisBus({ url: config.REDIS_URL!, logger, consumerName: `scale-${process.pid}` });
const app = await createApp({ config, sql: records.sql, historyDb: records.historyDb, bus, logger });

serveParent({
  async start() {
    const port = await app.listen(0, '127.0.0.1');
    while (bus.state() !== 'up' || !app.relay()?.isReady()) await new Promise((r) => setTimeout(r, 50));
    return { url: `http://127.0.0.1:${port}` };
  },
  board: () => [...app.ctx.live.incidents.values()],
  /** A dispatch-like change made on this process only (state and time), as DispatchService would make it. */
  accept(id: string) {
    const v = app.ctx.live.incidents.get(id);
    if (!v) throw new Error(`no incident ${id} here`);
    app.ctx.live.incidents.upsert({ ...v, state: 'accepted', updatedAt: Date.now() });
    return {};
  },
  /** What an assignment does to the unit on the process that made it. */
  setVehicleStatus({ id, status }: { id: string; status: VehicleStatus }) {
    if (!app.ctx.live.setVehicleStatus(id, status)) throw new Error(`no vehicle ${id} here`);
    return {};
  },
  /** Ingest rejections by path/reason (the relay counts the messages it drops under `redis:relay`). */
  rejected: () => app.ctx.stats.rejectedObject(),
  sample: () => processSample(),
  async stop() {
    await app.close();
    await records.close();
    setTimeout(() => process.exit(0), 10);
    return {};
  },
});
