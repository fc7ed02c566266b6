/** Shared by the history-*.test.ts files: HTTP ingest into the real app, and waiting for the tick to record it. */
import Database from 'better-sqlite3';
import type { App } from '@/server/app';
import { fetchJson } from '../helpers/http';
import { waitFor } from '../helpers/test-app';

export const INGEST_TOKEN = 'history-test-ingest-token-0123456789';
export const HISTORY_ENV = { INGEST_TOKEN };

export type Kind = 'vehicles' | 'workers' | 'cameras';

/** Posts reports through the real HTTP ingest and waits until a tick has sealed (and so recorded) them. */
export async function ingest(url: string, app: App, kind: Kind, items: unknown[]): Promise<void> {
  const r = await fetch(`${url}/api/ingest/${kind}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${INGEST_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(items),
  });
  const body = (await r.json()) as { accepted?: number; rejected?: unknown[] };
  if (r.status !== 202 || (body.rejected?.length ?? 0) > 0)
    throw new Error(`ingest ${kind}: ${r.status} ${JSON.stringify(body)}`);
  const live = app.ctx.live;
  // Applied synchronously; the next seal (plus one, for a tick already under way) hands it to history.
  const target = live.tick + 1;
  await waitFor(() => live.sealedTick >= target, 5_000, 'a tick to seal');
}

export const getJson = (url: string, path: string, cookie?: string) =>
  fetchJson(`${url}${path}`, { headers: cookie ? { cookie } : {} });

/**
 * Reads position history's own tables (history_segments, history_keyframes…) from its file: a SQLite file on
 * either engine, the one at `t.dbPath` in tests (tests/helpers/test-app.ts). Read-only, on a connection of
 * its own, so what it sees is what the app committed.
 */
export function readHistoryFile<T>(dbPath: string, read: (db: Database.Database) => T): T {
  const db = new Database(dbPath, { readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}
