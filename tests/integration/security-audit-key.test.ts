/**
 * Issue 16 item 10: whoever can write the database file must not be able to rewrite the audit log
 * unnoticed. The chain is keyed (HMAC-SHA256 under AUDIT_KEY, which the database does not hold), and its
 * head is anchored in Redis, which the database's writer does not control. Each attack below is what such
 * a writer would do: rebuild every hash with plain SHA-256, or cut the newest rows off (and delete the
 * anchor file that sits beside the database).
 */
import { sqliteSqlDb } from '@/server/db/sql-db';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '@/lib/clock';
import type { AuditRow } from '@/lib/dispatch/api-types';
import { rowHash } from '@/server/audit/audit-log';
import { AUDIT_HEAD_REDIS_KEY } from '@/server/audit/redis-anchor';
import { seedDemoAccounts } from '@/server/auth/accounts';
import { dispatchAppHooks } from '@/server/dispatch/dispatch-module';
import { TestRedis } from '../helpers/redis-server';
import { startTestApp } from '../helpers/test-app';
import { CENTER, DEMO_PASSWORD, startDispatchKit, type DispatchKit } from './dispatch-test-kit';

const AUDIT_KEY = 'audit-key-held-outside-the-database-0123456789';

const maxId = (dbPath: string) => {
  const raw = new Database(dbPath, { readonly: true });
  try {
    return (raw.prepare('SELECT max(id) AS id FROM audit_log').get() as { id: number }).id;
  } finally {
    raw.close();
  }
};

/** Some history: sign-ins and hand-logged incidents, each an audit row. */
async function makeHistory(kit: DispatchKit, tag: string): Promise<void> {
  const dispatcher = await kit.login('dispatcher');
  for (let k = 0; k < 3; k++)
    await kit.api('POST', '/api/incidents', {
      cookie: dispatcher,
      body: {
        id: `${tag}-${k}`,
        category: 'dispute',
        priority: 3,
        title: `纠纷 ${tag}-${k}`,
        lng: CENTER.lng,
        lat: CENTER.lat,
      },
    });
}

/** What a writer of the file without the key does: change a row, then recompute every hash in plain SHA-256. */
function rebuildChainWithSha256(dbPath: string, editedId: number): void {
  const raw = new Database(dbPath);
  try {
    raw.exec('DROP TRIGGER IF EXISTS audit_log_no_update');
    raw.prepare(`UPDATE audit_log SET actor = 'mallory' WHERE id = ?`).run(editedId);
    const rows = raw.prepare('SELECT * FROM audit_log ORDER BY id').all() as AuditRow[];
    const set = raw.prepare('UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?');
    let prev = '0'.repeat(64);
    raw.transaction(() => {
      for (const r of rows) {
        const hash = rowHash(prev, r);
        set.run(prev, hash, r.id);
        prev = hash;
      }
    })();
  } finally {
    raw.close();
  }
  fs.rmSync(`${dbPath}.audit-head.json`, { force: true });
}

describe('audit chain keyed with AUDIT_KEY', () => {
  let kit: DispatchKit;
  let admin: string;
  beforeAll(async () => {
    kit = await startDispatchKit({ env: { AUDIT_KEY } });
    await makeHistory(kit, 'K');
    admin = await kit.login('admin');
  });
  afterAll(() => kit?.close());

  it('fails verification once the chain is rebuilt with plain SHA-256 by someone without the key', async () => {
    const before = await kit.api('GET', '/api/audit/verify', { cookie: admin });
    expect(before.body).toMatchObject({ ok: true });
    const editedId = maxId(kit.t.dbPath) - 2;
    rebuildChainWithSha256(kit.t.dbPath, editedId);

    const after = await kit.api('GET', '/api/audit/verify', { cookie: admin });
    expect(after.body.ok).toBe(false);
    expect(after.body).toMatchObject({ problem: 'row', firstBadRow: 1, keyed: { fromId: 1 } });
    expect(after.body.reason).toMatch(/HMAC/);
  });

  it('fails when the keyed-from marker is moved past the rows (to pass them off as plain SHA-256)', async () => {
    const raw = new Database(kit.t.dbPath);
    try {
      raw
        .prepare(`UPDATE meta SET value = ? WHERE key = 'audit_chain_keyed_from'`)
        .run(JSON.stringify({ fromId: 1_000_000, mac: 'ab'.repeat(32) }));
    } finally {
      raw.close();
    }
    const v = await kit.api('GET', '/api/audit/verify', { cookie: admin });
    expect(v.body).toMatchObject({ ok: false, problem: 'key' });
    expect(v.body.reason).toMatch(/marker/);
  });
});

describe('an unkeyed chain continues keyed', () => {
  it('keys rows from the first keyed start on, verifies both parts, and refuses a start without the key', async () => {
    const dbPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-audit-key-')), 'a.db');
    const start = async (env: Record<string, string>) => {
      const clock = new FakeClock(Date.now());
      const hooks = dispatchAppHooks();
      const t = await startTestApp({ dbPath, clock, auth: hooks.auth, routes: hooks.routes, env });
      const login = async (username: string) => {
        const r = await fetch(`${t.url}/api/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username, password: DEMO_PASSWORD }),
        });
        expect(r.status).toBe(200);
        return r.headers.get('set-cookie')!.split(';')[0]!;
      };
      return { t, clock, login };
    };

    const plain = await start({});
    await seedDemoAccounts(sqliteSqlDb(plain.t.db.$client), plain.clock, DEMO_PASSWORD);
    await plain.login('dispatcher');
    await plain.login('leader');
    await plain.t.close();
    const plainRows = maxId(dbPath);
    expect(plainRows).toBeGreaterThanOrEqual(2);

    const keyed = await start({ AUDIT_KEY });
    const admin = await keyed.login('admin');
    const v = await (await fetch(`${keyed.t.url}/api/audit/verify`, { headers: { cookie: admin } })).json();
    expect(v).toMatchObject({ ok: true, keyed: { fromId: plainRows + 1, plainRows } });
    await keyed.t.close();

    // The plain part is held in place by the first keyed row's link: rewriting it shows too.
    await expect(start({})).rejects.toThrow(/AUDIT_KEY/);
    await expect(start({ AUDIT_KEY: `${AUDIT_KEY}-other` })).rejects.toThrow(/not the key/);
    rebuildChainWithSha256(dbPath, 1);
    const again = await start({ AUDIT_KEY });
    const admin2 = await again.login('admin');
    const v2 = await (await fetch(`${again.t.url}/api/audit/verify`, { headers: { cookie: admin2 } })).json();
    expect(v2).toMatchObject({ ok: false, problem: 'row', firstBadRow: plainRows + 1 });
    await again.t.close();
  }, 30_000);
});

describe('audit chain head anchored in Redis', () => {
  let redis: TestRedis;
  let kit: DispatchKit;
  let admin: string;
  beforeAll(async () => {
    redis = await TestRedis.start();
    kit = await startDispatchKit({ env: { AUDIT_KEY, REDIS_URL: redis.url } });
    await makeHistory(kit, 'R');
    admin = await kit.login('admin');
  }, 30_000);
  afterAll(async () => {
    await kit?.close();
    await redis?.stop();
  });

  it('fails when the newest rows are cut off, even with the anchor file beside the database deleted', async () => {
    const head = maxId(kit.t.dbPath);
    await kit.mod.anchor!.tick(); // what the timer does every AUDIT_ANCHOR_MS
    const ok = await kit.api('GET', '/api/audit/verify', { cookie: admin });
    expect(ok.body).toMatchObject({ ok: true });

    const raw = new Database(kit.t.dbPath);
    try {
      raw.exec('DROP TRIGGER IF EXISTS audit_log_no_delete');
      raw.prepare('DELETE FROM audit_log WHERE id > ?').run(head - 3);
    } finally {
      raw.close();
    }
    fs.rmSync(`${kit.t.dbPath}.audit-head.json`, { force: true });

    const v = await kit.api('GET', '/api/audit/verify', { cookie: admin });
    expect(v.body.ok).toBe(false);
    expect(v.body).toMatchObject({
      problem: 'head',
      firstBadRow: head,
      anchors: { redis: { head: { id: head } } },
    });
    expect(v.body.reason).toMatch(/redis anchor: .*removed/);

    // New rows written over the gap do not hide it: the Redis anchor is not moved past the evidence.
    await kit.login('leader');
    await kit.mod.anchor!.tick();
    const still = await kit.api('GET', '/api/audit/verify', { cookie: admin });
    expect(still.body).toMatchObject({
      ok: false,
      problem: 'head',
      anchors: { redis: { head: { id: head } } },
    });
    // Someone who can also write Redis, but has no key, cannot plant a head that fits the cut chain.
    const newest = new Database(kit.t.dbPath, { readonly: true });
    const cut = newest.prepare('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1').get() as {
      id: number;
      hash: string;
    };
    newest.close();
    const planter = createClient({ url: redis.url });
    planter.on('error', () => {});
    await planter.connect();
    await planter.set(AUDIT_HEAD_REDIS_KEY, JSON.stringify({ ...cut, at: Date.now() }));
    await planter.close();
    const planted = await kit.api('GET', '/api/audit/verify', { cookie: admin });
    expect(planted.body).toMatchObject({ ok: false, problem: 'head' });
    expect(planted.body.reason).toMatch(/not signed with AUDIT_KEY/);
  });
});
