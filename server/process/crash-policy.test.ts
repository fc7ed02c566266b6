import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { createLogger } from '../logger';
import { CRASH_EXIT_CODE, installCrashPolicy } from './crash-policy';

/** Emits like a process; the policy only listens for its two events. */
function fakeProcess() {
  const emitter = new EventEmitter();
  return { emitter, proc: emitter as unknown as NodeJS.Process };
}

describe('installCrashPolicy', () => {
  it('exits at once when the crash comes before the app could be shut down', () => {
    const { emitter, proc } = fakeProcess();
    const exit = vi.fn();
    installCrashPolicy(proc, { logger: createLogger('silent'), exit });
    emitter.emit('uncaughtException', new Error('boom'));
    expect(exit).toHaveBeenCalledWith(CRASH_EXIT_CODE);
  });

  it('runs the shutdown once, however many errors follow, and exits anyway when it hangs', async () => {
    vi.useFakeTimers();
    try {
      const { emitter, proc } = fakeProcess();
      const exit = vi.fn();
      // A close that never finishes.
      const shutdown = vi.fn<(code: number, reason: string) => Promise<void>>(() => new Promise(() => {}));
      const policy = installCrashPolicy(proc, {
        logger: createLogger('silent'),
        exit,
        shutdown,
        graceMs: 1_000,
      });
      emitter.emit('unhandledRejection', 'not even an Error');
      emitter.emit('uncaughtException', new Error('during shutdown'));
      expect(shutdown).toHaveBeenCalledTimes(1);
      expect(shutdown).toHaveBeenCalledWith(CRASH_EXIT_CODE, 'unhandledRejection');
      expect(policy.crashes).toBe(2);
      expect(exit).not.toHaveBeenCalled();
      await vi.advanceTimersByTimeAsync(1_000);
      expect(exit).toHaveBeenCalledWith(CRASH_EXIT_CODE);
    } finally {
      vi.useRealTimers();
    }
  });
});
