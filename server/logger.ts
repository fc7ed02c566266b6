import pino, { type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs on stdout; LOG_LEVEL overrides (tests default to warn to keep output readable). */
export function createLogger(
  level = process.env.LOG_LEVEL ?? (process.env.VITEST ? 'warn' : 'info'),
): Logger {
  return pino({ level, base: { app: 'pingan-wall' }, timestamp: pino.stdTimeFunctions.isoTime });
}

/**
 * Logs at most one line per key per interval, counting what it swallowed: a flood of bad input or a Redis
 * outage must not become a flood of log lines.
 */
export function createThrottledLog(logger: Logger, intervalMs = 10_000) {
  const last = new Map<string, { at: number; suppressed: number }>();
  return (key: string, obj: Record<string, unknown>, msg: string) => {
    const now = Date.now();
    const e = last.get(key);
    if (e && now - e.at < intervalMs) {
      e.suppressed++;
      return;
    }
    if (last.size > 1000) last.clear(); // bound: keys are reasons, but never trust that
    logger.warn({ ...obj, suppressed: e?.suppressed ?? 0 }, msg);
    last.set(key, { at: now, suppressed: 0 });
  };
}
