import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { io as ioClient, type Socket } from 'socket.io-client';
import { afterAll } from 'vitest';
import { createApp, type App, type AppOptions } from '@/server/app';
import type { Bus } from '@/server/bus/bus';
import { InProcessBus } from '@/server/bus/in-process-bus';
import { loadConfig } from '@/server/config';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import type { Db } from '@/server/db/open-database';
import * as schema from '@/server/db/schema';
import { openSystemOfRecord } from '@/server/db/system-of-record';
import { createTestPgDatabase, type TestPgDatabase } from './pg';
import { createLogger } from '@/server/logger';
import type {
  ClientToServerEvents,
  EntityIdPage,
  ServerToClientEvents,
  WireBatch,
} from '@/lib/realtime/contract';
import type { EntityKind } from '@/lib/realtime/position-codec';

export interface TestApp {
  app: App;
  /**
   * The SQLite file's drizzle handle, for tests that read or write it directly. Under PINGAN_TEST_DB=postgres
   * reading it throws: such a test runs on SQLite only (the app's `ctx.sql` works on both).
   */
  db: Db;
  bus: Bus;
  url: string;
  dbPath: string;
  close(): Promise<void>;
}

/**
 * PINGAN_TEST_DB=postgres runs the app of every test that does not reach into SQLite itself on a PostgreSQL
 * database of its own (tests/helpers/pg.ts, dropped after), as `npm run test:pg` does.
 */
const isPg = process.env.PINGAN_TEST_DB === 'postgres';
/**
 * A test that restarts the app on the same file (`t.dbPath`) finds its database again: the PostgreSQL one made
 * for a path is kept across close() and dropped after the test file (vitest evaluates this module per file).
 */
const pgByPath = new Map<string, Promise<TestPgDatabase>>();
if (isPg)
  afterAll(async () => {
    const all = [...pgByPath.values()];
    pgByPath.clear();
    await Promise.all(all.map(async (d) => (await d).drop()));
  });

/** The real app (no Next pages) on port 0 with a real SQLite file in a temp dir (or PostgreSQL, above). */
export async function startTestApp(
  opts: { bus?: Bus; env?: Record<string, string>; dbPath?: string } & Partial<AppOptions> = {},
): Promise<TestApp> {
  const dbPath = opts.dbPath ?? path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-db-')), 'test.db');
  let pg: TestPgDatabase | null = null;
  if (isPg) {
    if (!pgByPath.has(dbPath)) pgByPath.set(dbPath, createTestPgDatabase({ collation: 'zh-CN' }));
    pg = await pgByPath.get(dbPath)!;
  }
  // Unknown ids register themselves, as in demo; a test of production's refusal sets FIELD_AUTO_REGISTER: '0'.
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_PATH: dbPath,
    ...(pg ? { DATABASE_URL: pg.url, HISTORY_PATH: dbPath } : {}),
    TICK_MS: '50',
    FIELD_AUTO_REGISTER: '1',
    ...opts.env,
  });
  const records = await openSystemOfRecord(config, createLogger('error'));
  // The history file is the SQLite database on SQLite (one connection for both), its own file beside PostgreSQL.
  const db = drizzle(records.historyDb, { schema }) as Db;
  const bus = opts.bus ?? new InProcessBus();
  const app = await createApp({
    ...opts,
    config,
    sql: records.sql,
    historyDb: records.historyDb,
    bus,
    logger: createLogger('error'),
  });
  const port = await app.listen(0, '127.0.0.1');
  return {
    app,
    get db(): Db {
      if (pg) throw new Error('this test reaches into SQLite (t.db): it runs on SQLite only');
      return db;
    },
    bus,
    url: `http://127.0.0.1:${port}`,
    dbPath,
    async close() {
      await app.close();
      await records.close();
    },
  };
}

export type WallClient = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A real Socket.IO client that acknowledges every batch and keeps them for assertions. */
export function connectWall(url: string, auth: Record<string, unknown> = {}) {
  const socket: WallClient = ioClient(url, { transports: ['websocket'], auth, reconnection: true });
  const batches: WireBatch[] = [];
  socket.on('wall:batch', (batch, ack) => {
    batches.push(batch);
    ack({ ok: true });
  });
  return { socket, batches };
}

/** The idx a server numbers an entity by (batches carry idx only), from its id page; undefined if unknown. */
export async function idxOf(url: string, kind: EntityKind, id: string): Promise<number | undefined> {
  const r = await fetch(`${url}/api/live/${kind}/ids`);
  if (!r.ok) throw new Error(`GET ids: ${r.status}`);
  const page = (await r.json()) as EntityIdPage;
  const k = page.ids.indexOf(id);
  return k < 0 ? undefined : page.from + k;
}

/** Waits until the server knows the entity (registration is asynchronous) and returns its idx. */
export async function waitForIdx(url: string, kind: EntityKind, id: string, timeoutMs = 5_000) {
  // Boxed: idx 0 is a valid answer, and waitFor treats a falsy value as "not yet".
  const found = await waitFor(
    async () => {
      const idx = await idxOf(url, kind, id);
      return idx === undefined ? null : { idx };
    },
    timeoutMs,
    `${kind} ${id} registered`,
  );
  return found.idx;
}

export async function waitFor<T>(
  fn: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
