import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '@/lib/clock';
import { CALLBACK_BASE_DELAY_MS } from '@/lib/hotline/callback';
import { openDatabase, type Db } from '../db/open-database';
import { sqliteSqlDb } from '../db/sql-db';
import { createLogger } from '../logger';
import { HotlineOutbox } from './callback-outbox';

const logger = createLogger('silent');
const open: Db[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.$client.close();
});

function dbAt(file: string): Db {
  const db = openDatabase(file);
  open.push(db);
  return db;
}

function addHotlineIncident(db: Db, id: string, now: number) {
  db.$client
    .prepare(
      `INSERT INTO incidents (id, source_ref, category, title, lng, lat, priority, source, reported_at, received_at, state, supervision, updated_at)
       VALUES (?, ?, 'citizen_request', '噪音扰民', 120.17, 30.25, 3, 'hotline_12345', ?, ?, 'reported', 0, ?)`,
    )
    .run(id, id, now, now, now);
}

function addEvent(db: Db, id: string, at: number, toState: string) {
  db.$client
    .prepare(
      `INSERT INTO incident_events (incident_id, at, actor, type, from_state, to_state) VALUES (?, ?, 'dispatcher', 'transition', 'reported', ?)`,
    )
    .run(id, at, toState);
}

describe('hotline callback outbox', () => {
  it('keeps a failed callback across a restart and delivers it once the platform answers', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-outbox-')), 'o.db');
    const clock = new FakeClock(1_800_000_000_000);
    const sent: string[] = [];
    let isUp = false;
    const fetchImpl = (async (_url: string, init: { body: string }) => {
      if (!isUp) throw new Error('connect ECONNREFUSED');
      sent.push(init.body);
      return new Response('ok');
    }) as unknown as typeof fetch;
    const options = { clock, logger, url: 'http://127.0.0.1:9/cb', secret: 'secret-0123456789', fetchImpl };

    let db = dbAt(file);
    addHotlineIncident(db, 'GD1', clock.now());
    const first = new HotlineOutbox({ db: sqliteSqlDb(db.$client), ...options });
    await first.scan(); // sets the cursor: what happened before is the platform's own push
    addEvent(db, 'GD1', clock.now(), 'accepted');
    expect(await first.scan()).toBe(1);
    expect(await first.scan()).toBe(0); // queued once
    expect(await first.deliver()).toBe(0);
    first.close();
    db.$client.close();
    open.pop();

    db = dbAt(file);
    const second = new HotlineOutbox({ db: sqliteSqlDb(db.$client), ...options });
    isUp = true;
    expect(await second.tick()).toBe(0); // not due yet: backing off
    clock.advance(CALLBACK_BASE_DELAY_MS);
    expect(await second.tick()).toBe(1);
    expect(sent.map((b) => JSON.parse(b) as { stage: string; orderNo: string })).toEqual([
      expect.objectContaining({ stage: 'accept', orderNo: 'GD1' }),
    ]);
    expect(await second.tick()).toBe(0);
  });

  it('queues nothing while no callback URL is configured', async () => {
    const db = dbAt(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-outbox-')), 'o.db'));
    const clock = new FakeClock(1_800_000_000_000);
    const outbox = new HotlineOutbox({
      db: sqliteSqlDb(db.$client),
      clock,
      logger,
      url: undefined,
      secret: 'x',
    });
    addHotlineIncident(db, 'GD2', clock.now());
    addEvent(db, 'GD2', clock.now(), 'accepted');
    expect(await outbox.scan()).toBe(0);
    expect(db.$client.prepare('SELECT COUNT(*) AS n FROM hotline_callbacks').get()).toEqual({ n: 0 });
  });
});
