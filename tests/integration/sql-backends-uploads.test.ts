/**
 * The photo store on both engines (issue 19): the bytes live in the row, so another process with another
 * UPLOADS_DIR (another host) serves them; a photo stored twice is one row, unchanged; a row from before the
 * bytes moved into the database is served from its file; and two server processes attaching photos to one
 * incident at once never take it past MAX_ATTACHMENTS_PER_INCIDENT.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_STORED_PHOTO_BYTES, type ProcessedPhoto } from '@/server/uploads/photo';
import { MAX_ATTACHMENTS_PER_INCIDENT, UploadStore } from '@/server/uploads/upload-store';
import { SQL_BACKENDS, type TestSqlDb } from '../helpers/sql-backends';

const NOW = 1_800_000_000_000;
/** Two batches that fit the bound alone and exceed it together. */
const BATCH = 20;

function photo(n: number): ProcessedPhoto {
  const data = Buffer.from(`photo ${n}`);
  return {
    hash: createHash('sha256').update(data).digest('hex'),
    data,
    thumb: Buffer.from(`thumb ${n}`),
    mime: 'image/jpeg',
    width: 640,
    height: 480,
  };
}

for (const backend of SQL_BACKENDS) {
  describe.skipIf(backend.unavailable !== null)(`the photo store on ${backend.name}`, () => {
    let t: TestSqlDb;
    let dir: string;

    beforeAll(async () => {
      t = await backend.open();
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-uploads-'));
      await t.db.run(
        sql`INSERT INTO incidents (id, category, title, lng, lat, priority, source, reported_at, received_at, grid_code, state, supervision, updated_at)
            VALUES ('I1', 'citizen_request', '占道经营', 120.17, 30.25, 3, 'grid_worker', ${NOW}, ${NOW}, '330106001001001', 'on_scene', 0, ${NOW})`,
      );
    });
    afterAll(async () => {
      await t?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('stores a photo sent twice once, and lists it with the incidents it is attached to', async () => {
      const store = new UploadStore(t.db, dir);
      const p = photo(0);
      expect(await store.save(p, 'worker1', NOW)).toEqual({ isNew: true });
      expect(await store.save(p, 'worker2', NOW + 1)).toEqual({ isNew: false });
      expect(await store.exists(p.hash)).toEqual({ createdBy: 'worker1' });
      expect(fs.existsSync(store.fileOf(p.hash, true))).toBe(false);
      expect(await store.attach('I1', [p.hash, p.hash], 'worker1', NOW)).toEqual({ added: 1 });
      expect(await store.list('I1')).toEqual([
        { hash: p.hash, width: 640, height: 480, addedBy: 'worker1', addedAt: NOW },
      ]);
      expect(await store.incidentsOf(p.hash)).toEqual([
        { incidentId: 'I1', gridCode: '330106001001001', assigneeKind: null, assigneeId: null },
      ]);
    });

    it('serves the bytes from the row to another process on another host, and a second save changes nothing', async () => {
      const here = new UploadStore(t.db, dir);
      const elsewhere = new UploadStore(t.another(), path.join(dir, 'not-this-host'));
      const p = photo(1);
      expect(await here.save(p, 'worker1', NOW)).toEqual({ isNew: true });
      expect(await elsewhere.read(p.hash, false)).toEqual(p.data);
      expect(await elsewhere.read(p.hash, true)).toEqual(p.thumb);
      const row = () =>
        t.db.get(sql`SELECT created_by, created_at, bytes, data, thumb FROM uploads WHERE hash = ${p.hash}`);
      const before = await row();
      expect(await elsewhere.save(p, 'worker2', NOW + 5)).toEqual({ isNew: false });
      expect(await row()).toEqual(before);
      expect(fs.readdirSync(dir)).toEqual([]);
    });

    it('reads a photo stored before its bytes moved into the database from its files, and nothing else', async () => {
      const store = new UploadStore(t.db, dir);
      const p = photo(2);
      await t.db.run(
        sql`INSERT INTO uploads (hash, mime, bytes, width, height, created_by, created_at)
            VALUES (${p.hash}, 'image/jpeg', ${p.data.length}, 640, 480, 'worker1', ${NOW})`,
      );
      expect(await store.read(p.hash, false)).toBeNull(); // no file on this host: the route answers 404
      fs.mkdirSync(path.dirname(store.fileOf(p.hash, false)), { recursive: true });
      fs.writeFileSync(store.fileOf(p.hash, false), p.data);
      fs.writeFileSync(store.fileOf(p.hash, true), p.thumb);
      expect(await store.read(p.hash, false)).toEqual(p.data);
      expect(await store.read(p.hash, true)).toEqual(p.thumb);
      // Stored again: the row stays as it was (its bytes stay in the file).
      expect(await store.save(p, 'worker2', NOW + 1)).toEqual({ isNew: false });
      expect(await t.db.get(sql`SELECT data, thumb FROM uploads WHERE hash = ${p.hash}`)).toEqual({
        data: null,
        thumb: null,
      });
      // A file grown past the bound is refused rather than read.
      fs.writeFileSync(store.fileOf(p.hash, true), Buffer.alloc(MAX_STORED_PHOTO_BYTES + 1));
      expect(await store.read(p.hash, true)).toBeNull();
      // A file with no row, and names that are not a photo's, are never opened.
      const stray = photo(3);
      fs.mkdirSync(path.dirname(store.fileOf(stray.hash, false)), { recursive: true });
      fs.writeFileSync(store.fileOf(stray.hash, false), stray.data);
      for (const hash of [stray.hash, '../../etc/passwd', `${p.hash}/..`, p.hash.toUpperCase(), ''])
        expect(await store.read(hash, false), hash).toBeNull();
    });

    it('refuses a photo over its stored bound, storing nothing', async () => {
      const store = new UploadStore(t.db, dir);
      const data = Buffer.alloc(MAX_STORED_PHOTO_BYTES + 1);
      const big: ProcessedPhoto = {
        ...photo(4),
        data,
        hash: createHash('sha256').update(data).digest('hex'),
      };
      await expect(store.save(big, 'worker1', NOW)).rejects.toThrow(/over its stored bound/);
      expect(await store.exists(big.hash)).toBeNull();
    });

    it('keeps the bound when two processes attach to one incident at once', async () => {
      const stores = [new UploadStore(t.db, dir), new UploadStore(t.another(), dir)];
      const batches = [0, 1].map((b) => Array.from({ length: BATCH }, (_, k) => photo(100 + b * BATCH + k)));
      for (const p of batches.flat()) await stores[0]!.save(p, 'worker1', NOW);
      // Both pools connected already, so neither attach waits for a connection while the other runs.
      const before = (await stores[1]!.list('I1')).length;
      const results = await Promise.all(
        batches.map((batch, b) =>
          stores[b]!.attach(
            'I1',
            batch.map((p) => p.hash),
            'worker1',
            NOW,
          ),
        ),
      );
      expect(results.filter((r) => 'added' in r)).toEqual([{ added: BATCH }]);
      const after = (await stores[0]!.list('I1')).length;
      expect(after).toBe(before + BATCH);
      expect(after).toBeLessThanOrEqual(MAX_ATTACHMENTS_PER_INCIDENT);
    });
  });
}
