/**
 * Issue 16 item 10: whoever can write the database file must not be able to rewrite the audit log
 * unnoticed. The chain is keyed (HMAC-SHA256 under AUDIT_KEY, which the database does not hold), and its
 * head is anchored in Redis, which the database's writer does not control. Each attack below is what such
 * a writer would do: rebuild every hash with plain SHA-256, or cut the newest rows off (and delete the
 * anchor file that sits beside the database).
 */
import { sql } from 'drizzle-orm';
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
import type { Config } from '@/server/config';
import { dispatchAppHooks } from '@/server/dispatch/dispatch-module';
import { asDatabaseWriter, dropAuditTrigger } from '../helpers/database-writer';
import { TestRedis } from '../helpers/redis-server';
import { startTestApp } from '../helpers/test-app';
import { CENTER, DEMO_PASSWORD, startDispatchKit, type DispatchKit } from './dispatch-test-kit';

const AUDIT_KEY = 'audit-key-held-outside-the-database-0123456789';

const maxId = (config: Config) =>
  asDatabaseWriter(
    config,
    async (db) => (await db.get<{ id: number }>(sql`SELECT max(id) AS id FROM audit_log`))!.id,
  );

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
async function rebuildChainWithSha256(config: Config, editedId: number): Promise<void> {
  await asDatabaseWriter(config, async (db) => {
    await dropAuditTrigger(db, 'audit_log_no_update');
    await db.run(sql`UPDATE audit_log SET actor = 'mallory' WHERE id = ${editedId}`);
    const rows = await db.all<AuditRow>(sql`SELECT * FROM audit_log ORDER BY id`);
    let prev = '0'.repeat(64);
    await db.transaction(async (tx) => {
      for (const r of rows) {
        const hash = rowHash(prev, r);
        await tx.run(sql`UPDATE audit_log SET prev_hash = ${prev}, hash = ${hash} WHERE id = ${r.id}`);
        prev = hash;
      }
    });
  });
  fs.rmSync(config.auditAnchorPath!, { force: true });
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
    const config = kit.t.app.ctx.config;
    const editedId = (await maxId(config)) - 2;
    await rebuildChainWithSha256(config, editedId);

    const after = await kit.api('GET', '/api/audit/verify', { cookie: admin });
    expect(after.body.ok).toBe(false);
    expect(after.body).toMatchObject({ problem: 'row', firstBadRow: 1, keyed: { fromId: 1 } });
    expect(after.body.reason).toMatch(/HMAC/);
  });

  it('fails when the keyed-from marker is moved past the rows (to pass them off as plain SHA-256)', async () => {
    const marker = JSON.stringify({ fromId: 1_000_000, mac: 'ab'.repeat(32) });
    const moved = await asDatabaseWriter(kit.t.app.ctx.config, (db) =>
      db.run(sql`UPDATE meta SET value = ${marker} WHERE key = 'audit_chain_keyed_from'`),
    );
    expect(moved.changes).toBe(1);
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
    await seedDemoAccounts(plain.t.app.ctx.sql, plain.clock, DEMO_PASSWORD);
    await plain.login('dispatcher');
    await plain.login('leader');
    // Every start on dbPath opens the same database (test-app.ts): the file, or its PostgreSQL database.
    const config = plain.t.app.ctx.config;
    await plain.t.close();
    const plainRows = await maxId(config);
    expect(plainRows).toBeGreaterThanOrEqual(2);

    const keyed = await start({ AUDIT_KEY });
    const admin = await keyed.login('admin');
    const v = await (await fetch(`${keyed.t.url}/api/audit/verify`, { headers: { cookie: admin } })).json();
    expect(v).toMatchObject({ ok: true, keyed: { fromId: plainRows + 1, plainRows } });
    await keyed.t.close();

    // The plain part is held in place by the first keyed row's link: rewriting it shows too.
    await expect(start({})).rejects.toThrow(/AUDIT_KEY/);
    await expect(start({ AUDIT_KEY: `${AUDIT_KEY}-other` })).rejects.toThrow(/not the key/);
    await rebuildChainWithSha256(config, 1);
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
    const config = kit.t.app.ctx.config;
    const head = await maxId(config);
    await kit.mod.anchor!.tick(); // what the timer does every AUDIT_ANCHOR_MS
    const ok = await kit.api('GET', '/api/audit/verify', { cookie: admin });
    expect(ok.body).toMatchObject({ ok: true });

    await asDatabaseWriter(config, async (db) => {
      await dropAuditTrigger(db, 'audit_log_no_delete');
      await db.run(sql`DELETE FROM audit_log WHERE id > ${head - 3}`);
    });
    fs.rmSync(config.auditAnchorPath!, { force: true });

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
    const cut = await asDatabaseWriter(
      config,
      async (db) =>
        (await db.get<{ id: number; hash: string }>(
          sql`SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1`,
        ))!,
    );
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
