import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '@/server/logger';
import { startReloader, type Reloader } from './directory-reload';
import { notifyProvisioningChange } from './provisioning-events';

const logger = createLogger('silent');
let reloader: Reloader | undefined;
afterEach(() => {
  reloader?.close();
  vi.useRealTimers();
});

/** A load whose every run waits to be released, counting how many run at once. */
function gatedLoad() {
  const releases: (() => void)[] = [];
  const state = { started: 0, finished: 0, concurrent: 0, maxConcurrent: 0 };
  const load = async () => {
    state.started++;
    state.concurrent++;
    state.maxConcurrent = Math.max(state.maxConcurrent, state.concurrent);
    await new Promise<void>((resolve) => releases.push(resolve));
    state.concurrent--;
    state.finished++;
  };
  const releaseNext = async () => {
    while (releases.length === 0) await new Promise((r) => setImmediate(r));
    releases.shift()!();
  };
  return { load, state, releaseNext };
}

describe('directory reloader', () => {
  it('runs one read at a time, and a reload asked for during one runs once more after it', async () => {
    const g = gatedLoad();
    reloader = startReloader({ name: 'test', load: g.load, logger, everyMs: 3_600_000 });
    const first = reloader.reload();
    // Asked for while the first runs (whose read may predate the caller's change): answered by a second.
    let isSecondDone = false;
    const second = reloader.reload().then(() => (isSecondDone = true));
    const third = reloader.reload(); // shares the second
    await g.releaseNext();
    await first;
    expect(g.state).toMatchObject({ started: 2, finished: 1 });
    expect(isSecondDone).toBe(false);
    await g.releaseNext();
    await Promise.all([second, third]);
    expect(g.state).toMatchObject({ started: 2, finished: 2, maxConcurrent: 1 });
  });

  it('re-reads on a provisioning change in this process and on its timer, and keeps going after a failure', async () => {
    vi.useFakeTimers();
    let reads = 0;
    let isFailing = true;
    reloader = startReloader({
      name: 'test',
      logger,
      everyMs: 1_000,
      load: async () => {
        reads++;
        if (isFailing) throw new Error('database away');
      },
    });
    await notifyProvisioningChange(); // the failure is logged, never thrown
    expect(reads).toBe(1);
    isFailing = false;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(reads).toBe(2);
    reloader.close();
    await notifyProvisioningChange();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(reads).toBe(2);
  });
});
