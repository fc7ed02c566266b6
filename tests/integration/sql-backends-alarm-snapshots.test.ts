/**
 * Camera alarm snapshots on both engines: the bytes live in `alarm_snapshots`, so another process with
 * another UPLOADS_DIR (another host) serves them; the same picture twice is one row, unchanged; the intake
 * stores a snapshot with the incident that names it and never for an alarm that makes none; a snapshot an
 * older version wrote as a file is read from it, bounded; and the move to PostgreSQL carries such files
 * into rows, naming the ones it cannot.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '@/lib/clock';
import type { RuleOutcome } from '@/lib/alarms/rules';
import { AlarmIntake, type AlarmEvent } from '@/server/alarms/alarm-intake';
import {
  MAX_SNAPSHOT_BYTES,
  snapshotFilePath,
  SnapshotStore,
  type SnapshotType,
} from '@/server/alarms/snapshot-store';
import { IncidentIngest } from '@/server/ingest/incident-ingest';
import { IngestStats } from '@/server/ingest/ingest-stats';
import { GridLocator } from '@/server/live/grid-locator';
import { LiveState } from '@/server/live/live-state';
import { createLogger } from '@/server/logger';
import { SQL_BACKENDS, type TestSqlDb } from '../helpers/sql-backends';

const NOW = 1_800_000_000_000;
const CAM = '34020000001320000001';
const FIRE: RuleOutcome = {
  isIgnored: false,
  category: 'fire_safety',
  priority: 1,
  title: '烟火',
  rule: 'ai:smoke_fire',
};
const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Real magic bytes and distinct filler: enough for the type check, one sha256 per `n`. */
function picture(n: number, type: SnapshotType = 'jpeg', size = 1_000): Buffer {
  const b = Buffer.alloc(size, n);
  b.set(type === 'jpeg' ? [0xff, 0xd8, 0xff, 0xe0] : PNG_MAGIC);
  b.writeUInt32BE(n, 12);
  return b;
}
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** As an older version wrote it: `<dir>/<sha[0..2]>/<sha>.<jpg|png>`, and no row. */
function writeLegacy(dir: string, bytes: Buffer, type: SnapshotType, sha = sha256(bytes)): string {
  const file = snapshotFilePath(dir, sha, type);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, bytes);
  return sha;
}

for (const backend of SQL_BACKENDS) {
  describe.skipIf(backend.unavailable !== null)(`alarm snapshots on ${backend.name}`, () => {
    let t: TestSqlDb;
    let dir: string;
    const rows = () => t.db.all<{ sha256: string }>(sql`SELECT sha256 FROM alarm_snapshots ORDER BY sha256`);
    const incidentSnapshot = async (id: string) =>
      (
        await t.db.get<{ sha: string | null }>(
          sql`SELECT snapshot_sha256 AS sha FROM incidents WHERE id = ${id}`,
        )
      )?.sha;

    beforeAll(async () => {
      t = await backend.open();
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-alarm-snapshots-'));
      await t.db.run(
        sql`INSERT INTO cameras (id, name, lng, lat, created_at) VALUES (${CAM}, '清泰街东门', 120.17, 30.25, ${NOW})`,
      );
    });
    afterAll(async () => {
      await t?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('stores a picture sent twice once, and serves it to another process on another host', async () => {
      const here = new SnapshotStore(t.db, dir);
      const elsewhere = new SnapshotStore(t.another(), path.join(dir, 'not-this-host'));
      const shot = picture(1, 'png');
      const sha = await here.put(shot, 'png', NOW);
      expect(sha).toBe(sha256(shot));
      const row = () =>
        t.db.get(
          sql`SELECT type, bytes, created_at AS "createdAt", body FROM alarm_snapshots WHERE sha256 = ${sha}`,
        );
      const before = await row();
      expect(before).toEqual({ type: 'png', bytes: shot.length, createdAt: NOW, body: shot });
      expect(await elsewhere.put(shot, 'png', NOW + 5)).toBe(sha);
      expect(await row()).toEqual(before);
      expect(await elsewhere.read(sha)).toEqual({ bytes: shot, type: 'png' });
      expect(fs.readdirSync(dir)).toEqual([]);
    });

    it('refuses bytes over the bound or not of the type named, storing nothing', async () => {
      const store = new SnapshotStore(t.db, dir);
      const before = await rows();
      const big = picture(2, 'jpeg', MAX_SNAPSHOT_BYTES + 1);
      await expect(store.put(big, 'jpeg', NOW)).rejects.toThrow(/over its bound/);
      await expect(store.put(picture(3, 'jpeg'), 'png', NOW)).rejects.toThrow(/not png/);
      expect(await rows()).toEqual(before);
    });

    it('stores the snapshot with its incident, and none for a repeat or a rolled-back transaction', async () => {
      const clock = new FakeClock(NOW);
      const store = new SnapshotStore(t.db, dir);
      const logger = createLogger('silent');
      const stats = new IngestStats(new Registry(), logger);
      const noGrids = new GridLocator([]);
      const ingest = new IncidentIngest(t.db, new LiveState(clock), stats, () => noGrids);
      const intake = new AlarmIntake(t.db, ingest, stats, clock, store);
      const alarm = (n: number): AlarmEvent => ({
        cameraId: CAM,
        kind: 'ai-smoke_fire',
        outcome: FIRE,
        priority: null,
        time: clock.now(),
        detail: '烟火',
        snapshot: { bytes: picture(n), type: 'jpeg' },
      });
      const first = await intake.handle(alarm(10), 'test');
      expect(first).toMatchObject({ status: 'created' });
      const id = (first as { incidentId: string }).incidentId;
      expect(await incidentSnapshot(id)).toBe(sha256(picture(10)));
      expect(await store.read(sha256(picture(10)))).toEqual({ bytes: picture(10), type: 'jpeg' });

      // A repeat within the window is that incident: its picture is not kept.
      clock.advance(1_000);
      expect(await intake.handle(alarm(11), 'test')).toEqual({ status: 'duplicate', incidentId: id });
      expect(await store.read(sha256(picture(11)))).toBeNull();
      // An unknown camera stores nothing either.
      expect(await intake.handle({ ...alarm(12), cameraId: 'nobody' }, 'test')).toMatchObject({
        status: 'rejected',
      });
      expect(await store.read(sha256(picture(12)))).toBeNull();
      // The row commits with the caller's transaction or not at all.
      await expect(
        t.db.transaction(async (tx) => {
          await store.put(picture(13), 'jpeg', NOW, tx);
          throw new Error('the incident could not be written');
        }),
      ).rejects.toThrow(/could not be written/);
      expect(await store.read(sha256(picture(13)))).toBeNull();
    });

    it('opens one incident for one alarm sent to two processes at once', async () => {
      const logger = createLogger('silent');
      const stats = new IngestStats(new Registry(), logger);
      const noGrids = new GridLocator([]);
      // Two processes: each its own connection (pool), intake and memory of the alarms it saw.
      const process = (db: typeof t.db, at: number) => {
        const clock = new FakeClock(at);
        const ingest = new IncidentIngest(db, new LiveState(clock), stats, () => noGrids);
        return new AlarmIntake(db, ingest, stats, clock, new SnapshotStore(db, dir));
      };
      const a = (at: number) => process(t.db, at);
      const b = (at: number) => process(t.another(), at);
      for (let round = 0; round < 8; round++) {
        const kind = `ai-race${round}`;
        const at = NOW + 10_000_000 + round * 1_000;
        const alarm = (time: number): AlarmEvent => ({
          cameraId: CAM,
          kind,
          outcome: FIRE,
          priority: null,
          time,
          detail: '烟火',
          snapshot: null,
        });
        // A few milliseconds apart: two incident ids, so only the intake's own check can fold them.
        const outcomes = (await Promise.all([
          a(at).handle(alarm(at), 'test'),
          b(at + 3).handle(alarm(at + 3), 'test'),
          a(at + 5).handle(alarm(at + 5), 'test'),
          b(at + 7).handle(alarm(at + 7), 'test'),
        ])) as { status: string; incidentId?: string }[];
        const created = outcomes.filter((o) => o.status === 'created');
        expect(created, `round ${round}: ${JSON.stringify(outcomes)}`).toHaveLength(1);
        expect(new Set(outcomes.map((o) => o.incidentId))).toEqual(new Set([created[0]!.incidentId]));
      }
    });

    it('reads a snapshot an older version wrote as a file, bounded and by its bytes, and nothing else', async () => {
      const store = new SnapshotStore(t.db, dir);
      const elsewhere = new SnapshotStore(t.db, path.join(dir, 'not-this-host'));
      const jpeg = picture(20);
      const png = picture(21, 'png');
      const shaJpeg = writeLegacy(dir, jpeg, 'jpeg');
      const shaPng = writeLegacy(dir, png, 'png');
      expect(await store.read(shaJpeg)).toEqual({ bytes: jpeg, type: 'jpeg' });
      expect(await store.read(shaPng)).toEqual({ bytes: png, type: 'png' });
      expect(await elsewhere.read(shaJpeg)).toBeNull(); // no file on that host: the route answers 404
      // A file grown past the bound is refused rather than read; one that is not an image is not served.
      fs.writeFileSync(snapshotFilePath(dir, shaJpeg, 'jpeg'), Buffer.alloc(MAX_SNAPSHOT_BYTES + 1, 0xff));
      expect(await store.read(shaJpeg)).toBeNull();
      fs.writeFileSync(snapshotFilePath(dir, shaPng, 'png'), 'GIF89a, or a script');
      expect(await store.read(shaPng)).toBeNull();
      for (const bad of ['../../etc/passwd', `${shaJpeg}/..`, shaJpeg.toUpperCase(), ''])
        expect(await store.read(bad), bad).toBeNull();
    });

    it('carries the file-only snapshots incidents name into rows, naming those it cannot', async () => {
      const legacy = path.join(dir, 'legacy');
      const store = new SnapshotStore(t.db, legacy);
      const addIncident = (id: string, sha: string) =>
        t.db.run(
          sql`INSERT INTO incidents (id, source_ref, category, title, lng, lat, priority, source, reported_at, received_at, state, supervision, updated_at, camera_id, snapshot_sha256)
              VALUES (${id}, ${id}, 'fire_safety', '烟火', 120.17, 30.25, 1, 'video_patrol', ${NOW}, ${NOW}, 'reported', 0, ${NOW}, ${CAM}, ${sha})`,
        );
      const kept = picture(30, 'png');
      const keptSha = writeLegacy(legacy, kept, 'png');
      fs.utimesSync(snapshotFilePath(legacy, keptSha, 'png'), new Date(NOW - 60_000), new Date(NOW - 60_000));
      await addIncident('old-1', keptSha);
      await addIncident('old-2', keptSha); // a picture two incidents name is one row
      const goneSha = sha256(picture(31));
      await addIncident('old-3', goneSha);
      const forgedSha = writeLegacy(legacy, picture(32), 'jpeg', sha256(picture(33)));
      await addIncident('old-4', forgedSha);
      writeLegacy(legacy, picture(34), 'jpeg'); // no incident names it: left behind
      const before = (await rows()).length;

      const result = await t.db.transaction((tx) => new SnapshotStore(tx, legacy).carryFiles());
      expect(result.carried).toBe(1);
      expect(result.named.sort((a, b) => a.reason.localeCompare(b.reason))).toEqual([
        { sha256: forgedSha, reason: 'content_mismatch' },
        { sha256: goneSha, reason: 'missing' },
      ]);
      expect((await rows()).length).toBe(before + 1);
      expect(
        await t.db.get(
          sql`SELECT type, created_at AS "createdAt", body FROM alarm_snapshots WHERE sha256 = ${keptSha}`,
        ),
      ).toEqual({ type: 'png', createdAt: NOW - 60_000, body: kept });
      expect(await new SnapshotStore(t.db, path.join(dir, 'not-this-host')).read(keptSha)).toEqual({
        bytes: kept,
        type: 'png',
      });
      // Run again: nothing left to carry but what could not be.
      expect(await store.carryFiles()).toMatchObject({ carried: 0, missing: 2 });
    });
  });
}
