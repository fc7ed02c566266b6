import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '@/lib/clock';
import { startTestApp, waitFor, type TestApp } from '../helpers/test-app';
import { getJson, HISTORY_ENV, ingest, readHistoryFile } from './history-kit';

const DAY_MS = 86_400_000;
const BUCKET_MS = 600_000;
let t: TestApp | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

describe('history retention', () => {
  it('drops whole buckets older than HISTORY_RETENTION_DAYS, keeps the rest, and never stores what is already too old', async () => {
    // Five minutes into a bucket: the writer's once-a-bucket sweep (a minute after a bucket ends) is due.
    const clock = new FakeClock(Math.floor(Date.now() / BUCKET_MS) * BUCKET_MS + 300_000);
    t = await startTestApp({ clock, env: { ...HISTORY_ENV, HISTORY_RETENTION_DAYS: '7' } });
    const now = clock.now();
    const old = now - 2 * DAY_MS;
    const recent = now - DAY_MS / 2;
    for (let k = 0; k < 3; k++)
      await ingest(t.url, t.app, 'vehicles', [
        { id: 'OLD', ts: old + k * 30_000, lng: 120.17, lat: 30.25 + k / 1e4 },
        { id: 'NEW', ts: recent + k * 30_000, lng: 120.18, lat: 30.26 + k / 1e4 },
      ]);
    // Already past the retention when it arrives: counted, not stored.
    await ingest(t.url, t.app, 'vehicles', [{ id: 'ANCIENT', ts: now - 9 * DAY_MS, lng: 120.2, lat: 30.2 }]);
    const track = (id: string, ts: number) =>
      getJson(t!.url, `/api/history/track/vehicle/${id}?from=${ts - 1}&to=${ts + DAY_MS}`);
    expect((await track('OLD', old)).body.points).toHaveLength(3);
    expect((await track('ANCIENT', now - 9 * DAY_MS)).body.points).toHaveLength(0);

    // Six days later OLD is 8 days old: its bucket goes as a whole; NEW (6.5 days) stays.
    clock.advance(6 * DAY_MS);
    const dbPath = t.dbPath;
    const buckets = () =>
      readHistoryFile(dbPath, (db) =>
        (
          db.prepare('SELECT DISTINCT bucket FROM history_segments ORDER BY bucket').all() as {
            bucket: number;
          }[]
        ).map((r) => r.bucket),
      );
    // Written and dropped in the worker's own time: one bucket alone can also be OLD's, before NEW's is
    // written (a loaded machine saw that), so wait for exactly what must remain.
    const recentBucket = Math.floor(recent / BUCKET_MS);
    await waitFor(
      () => buckets().length === 1 && buckets()[0] === recentBucket,
      10_000,
      'the old bucket dropped, the recent one written',
    );
    expect((await track('OLD', old)).body.points).toHaveLength(0);
    expect((await track('NEW', recent)).body.points).toHaveLength(3);
    const cutoff = Math.floor((clock.now() - 7 * DAY_MS) / BUCKET_MS);
    expect(
      readHistoryFile(dbPath, (db) =>
        db.prepare('SELECT count(*) AS n FROM history_keyframes WHERE bucket < ?').get(cutoff),
      ),
    ).toEqual({ n: 0 });
  });
});
