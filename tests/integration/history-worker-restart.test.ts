import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '@/lib/clock';
import { originForBbox } from '@/lib/realtime/position-codec';
import { openDatabase } from '@/server/db/open-database';
import { createHistoryModule, HISTORY_RESTART_MS } from '@/server/history/history-module';
import { HISTORY_WORKER_NICE, HistoryUnavailableError } from '@/server/history/history-protocol';
import { LiveState } from '@/server/live/live-state';
import { createLogger } from '@/server/logger';

const dirs: string[] = [];
afterEach(() => {
  delete process.env.PINGAN_TEST_HISTORY_DIE_ONCE;
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A history module over a fresh SQLite file with one vehicle, V1, and a way to report it a step later. */
function historyWithOneVehicle(prefix: string, workerUrl?: URL) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(dir);
  const db = openDatabase(path.join(dir, 'h.db'));
  const clock = new FakeClock(Date.UTC(2026, 10, 23, 2));
  const live = new LiveState(clock);
  const idx = live.vehicle.add({ id: 'V1', name: null, kind: null });
  const registry = new Registry();
  const history = createHistoryModule({
    sqlite: db.$client,
    live,
    clock,
    logger: createLogger('silent'),
    retentionDays: 30,
    origin: () => originForBbox(119, 29, 121, 31),
    resolveScope: () => null,
    registry,
    ...(workerUrl ? { workerUrl } : {}),
  });
  const report = (lng: number) => {
    clock.advance(30_000);
    live.vehicle.ts[idx] = clock.now();
    live.vehicle.lng[idx] = lng;
    live.vehicle.lat[idx] = 30;
    live.vehicle.touch(idx, live.tick);
    history.onTick(live.seal());
  };
  return { db, clock, registry, history, report };
}

describe('history worker', () => {
  it('is started again after it dies: reads answer unavailable meanwhile, then history records again', async () => {
    // Set before the module starts its worker, which reads it.
    const markerDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-history-die-'));
    dirs.push(markerDir);
    const marker = path.join(markerDir, 'die-once');
    fs.writeFileSync(marker, '');
    process.env.PINGAN_TEST_HISTORY_DIE_ONCE = marker;
    const { db, clock, registry, history, report } = historyWithOneVehicle(
      'pingan-history-restart-',
      new URL('../helpers/dying-history-worker.mjs', import.meta.url),
    );
    try {
      const firstAt = clock.now() + 30_000;
      report(120.1);
      // The first worker dies 300 ms after its start; until the next one is up, reads say why they cannot run.
      const down = Date.now();
      let refused: unknown = null;
      while (!refused && Date.now() - down < HISTORY_RESTART_MS) {
        await history.track('vehicle', 'V1', firstAt - 1, clock.now() + 1).catch((e: unknown) => {
          refused = e;
        });
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(refused).toBeInstanceOf(HistoryUnavailableError);
      // Started again after HISTORY_RESTART_MS: what is reported from then on is recorded and read back.
      let restarted = false;
      for (let i = 0; i < 200 && !restarted; i++) {
        await new Promise((r) => setTimeout(r, 50));
        restarted =
          (await registry.getSingleMetric('pingan_history_worker_restarts_total')?.get())?.values[0]
            ?.value === 1;
      }
      expect(restarted).toBe(true);
      const from = clock.now() + 1;
      report(120.2);
      report(120.3);
      const { points } = await history.track('vehicle', 'V1', from, clock.now());
      expect(points.map((p) => p.lngE6)).toEqual([120_200_000, 120_300_000]);
      const stats = await history.flush();
      expect(stats.points).toBe(2);
    } finally {
      await history.close();
      db.$client.close();
    }
  }, 30_000);

  it('runs in a thread of lower priority than the ingest thread (Linux nice, that thread alone)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-history-nice-'));
    dirs.push(dir);
    const db = openDatabase(path.join(dir, 'h.db'));
    const clock = new FakeClock(Date.UTC(2026, 10, 23, 2));
    const history = createHistoryModule({
      sqlite: db.$client,
      live: new LiveState(clock),
      clock,
      logger: createLogger('silent'),
      retentionDays: 30,
      origin: () => originForBbox(119, 29, 121, 31),
      resolveScope: () => null,
    });
    /** Each thread's nice (field 19 of /proc/self/task/<tid>/stat), by thread id. */
    const niceByThread = () =>
      new Map(
        fs.readdirSync('/proc/self/task').map((tid) => {
          const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'latin1');
          const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          return [Number(tid), Number(fields[16])] as const;
        }),
      );
    try {
      await history.readStats(); // the worker has started and answered
      const after = niceByThread();
      const mainNice = after.get(process.pid)!;
      // A process already niced at or past the worker's level cannot renice a thread back up: nothing to see.
      if (mainNice < HISTORY_WORKER_NICE) {
        const workers = [...after].filter(([, n]) => n === HISTORY_WORKER_NICE);
        expect(workers.length).toBe(1);
        expect(mainNice).toBeLessThan(HISTORY_WORKER_NICE);
      }
    } finally {
      await history.close();
      db.$client.close();
    }
  });
});

describe('history memory gauge', () => {
  it('reports what history holds by part: its open segments, thread heap and the shared ring', async () => {
    const { db, history, registry, report } = historyWithOneVehicle('pingan-history-memory-');
    try {
      report(120.1);
      await history.readStats();
      const parts = new Map(
        (await registry.getSingleMetric('pingan_history_memory_bytes')!.get()).values.map((v) => [
          v.labels.part,
          v.value,
        ]),
      );
      // One unit open: its slot and run columns; the ring is sized for the smallest fleet.
      expect(parts.get('open_runs')).toBeGreaterThan(0);
      expect(parts.get('ring')).toBeGreaterThanOrEqual(131_072 * 37);
      expect(parts.get('worker_heap')).toBeGreaterThan(1_000_000);
      expect(parts.get('worker_external')).toBeGreaterThanOrEqual(parts.get('open_runs')!);
      expect(parts.get('held_segments')).toBe(0);
    } finally {
      await history.close();
      db.$client.close();
    }
  });
});
