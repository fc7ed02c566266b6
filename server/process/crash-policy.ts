/**
 * What the process does when an error escapes every handler (an unhandled rejection or an uncaught
 * exception). No code planned for that state: the live board, a half-run tick or a socket's bookkeeping may
 * be wrong, and running on would show a wall wrong data as live. So: log it with the error, shut down within
 * a bounded grace period, and exit non-zero so the supervisor (systemd `Restart=always`, a container restart
 * policy; see docs/deploy.md) starts a clean process. A restart is safe by design: every acknowledged
 * incident and assignment is already committed to SQLite, and walls reconnect and get a full snapshot.
 *
 * Counting: a Prometheus counter would die with the process before any scrape, so the durable count is the
 * supervisor's restart count (systemd `NRestarts`, Docker `RestartCount`), and each crash is one fatal log line.
 */
import type { Logger } from '../logger';

/** EX_SOFTWARE (sysexits.h): an internal error, as opposed to a bad configuration (2) or a signal (0). */
export const CRASH_EXIT_CODE = 70;
/** Time the clean shutdown may take before the process exits anyway: a hung close must not block the restart. */
export const CRASH_GRACE_MS = 5_000;

export type CrashKind = 'unhandledRejection' | 'uncaughtException';

export interface CrashPolicyOptions {
  logger: Logger;
  /**
   * Closes what is open (stop accepting, HTTP server, Socket.IO, Redis, database), then exits with `code`.
   * Replaced once the app is up (see `setShutdown`); until then a crash exits at once.
   */
  shutdown?: (code: number, reason: string) => Promise<void>;
  graceMs?: number;
  exit?: (code: number) => void;
}

export interface CrashPolicy {
  setShutdown(shutdown: (code: number, reason: string) => Promise<void>): void;
  /** Crashes seen by this process (the first starts the shutdown; later ones are logged only). */
  readonly crashes: number;
  uninstall(): void;
}

export function installCrashPolicy(proc: NodeJS.Process, opts: CrashPolicyOptions): CrashPolicy {
  const { logger } = opts;
  const exit = opts.exit ?? ((code: number) => proc.exit(code));
  const graceMs = opts.graceMs ?? CRASH_GRACE_MS;
  let shutdown = opts.shutdown;
  let crashes = 0;

  const onCrash = (kind: CrashKind, err: unknown) => {
    crashes++;
    // pino serialises `err` (type, message, stack) when it is an Error; a rejection may carry anything.
    const error = err instanceof Error ? err : new Error(`non-error ${kind}: ${safeString(err)}`);
    logger.fatal({ err: error, kind, crashes }, `${kind}: shutting down to be restarted by the supervisor`);
    if (crashes > 1) return; // already shutting down; the grace timer still bounds it
    // Unref'd: it must not keep a process alive that closed cleanly, only end one that did not.
    const force = setTimeout(() => {
      logger.fatal({ graceMs }, 'shutdown after a crash did not finish in time: exiting anyway');
      exit(CRASH_EXIT_CODE);
    }, graceMs);
    force.unref();
    if (!shutdown) {
      exit(CRASH_EXIT_CODE);
      return;
    }
    shutdown(CRASH_EXIT_CODE, kind).catch((closeErr: unknown) => {
      logger.fatal({ err: closeErr }, 'shutdown after a crash failed');
      exit(CRASH_EXIT_CODE);
    });
  };
  const onRejection = (reason: unknown) => onCrash('unhandledRejection', reason);
  const onException = (err: Error) => onCrash('uncaughtException', err);
  proc.on('unhandledRejection', onRejection);
  proc.on('uncaughtException', onException);

  return {
    setShutdown(fn) {
      shutdown = fn;
    },
    get crashes() {
      return crashes;
    },
    uninstall() {
      proc.off('unhandledRejection', onRejection);
      proc.off('uncaughtException', onException);
    },
  };
}

function safeString(v: unknown): string {
  try {
    const s = typeof v === 'string' ? v : JSON.stringify(v);
    return (s ?? String(v)).slice(0, 200);
  } catch {
    return Object.prototype.toString.call(v);
  }
}
