import type { Logger } from '@/server/logger';
import { createThrottledLog } from '@/server/logger';
import { onProvisioningChange } from './provisioning-events';

/**
 * How often a gateway's directory re-reads the provisioned devices. Within this process an admin change is
 * read at once (provisioning-events); this bounds how long a gateway in another process (another server on
 * the same PostgreSQL, a standalone gateway) keeps accepting a device an administrator disabled.
 */
export const DIRECTORY_REFRESH_MS = 10_000;

export interface Reloader {
  /** Re-reads; resolves once a read that began after this call is in place, or has failed (never rejects). */
  reload(): Promise<void>;
  close(): void;
}

/**
 * Keeps an in-memory directory fresh without ever awaiting the database on a gateway's per-frame path:
 * `load` runs one at a time, on a timer, and at once on a provisioning change in this process. A reload
 * asked for while one is running runs once more after it (shared by everyone who asked meanwhile), since
 * the running one may have read before the caller's change committed. A failed read keeps the last view,
 * is logged, and is retried on the next tick.
 */
export function startReloader(opts: {
  name: string;
  load: () => Promise<void>;
  logger: Logger;
  everyMs?: number;
}): Reloader {
  const warn = createThrottledLog(opts.logger);
  let running: Promise<void> | null = null;
  let queued: Promise<void> | null = null;
  const start = (): Promise<void> => {
    running = opts
      .load()
      .catch((err: unknown) =>
        warn(opts.name, { err: (err as Error).message }, `${opts.name}: re-reading the directory failed`),
      )
      .finally(() => {
        running = null;
      });
    return running;
  };
  const reload = (): Promise<void> => {
    if (queued) return queued;
    if (running) {
      queued = running.then(() => {
        queued = null;
        return start();
      });
      return queued;
    }
    return start();
  };
  const timer = setInterval(() => void reload(), opts.everyMs ?? DIRECTORY_REFRESH_MS);
  timer.unref();
  const unsubscribe = onProvisioningChange(reload);
  return {
    reload,
    close() {
      clearInterval(timer);
      unsubscribe();
    },
  };
}
